import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { readStackVersions } from '../native/versions.js';
import { terraformNamesFile, terraformNamesJson } from '../aiven/terraform-names.js';
import { paint, runCommand } from '@workshop/shared/terminal';

/** `npm run aiven:names`: regenerates infra/terraform/workshop-names.auto.tfvars.json from the shared names. */
async function main(): Promise<void> {
  await writeFile(join(repoRoot, terraformNamesFile), terraformNamesJson(readStackVersions()));
  console.log(paint('green', `✓ ${terraformNamesFile} written from shared/src/names.ts and infra/stack-versions.json`));
}

runCommand(main);
