import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { stackPaths } from '../native/paths.js';
import { runWithDeadline } from '../docker/engine.js';
import { z } from 'zod';
import { KitError, parseJsonFile } from '@workshop/shared';
import { aivenEnvFromTerraform, type TerraformOutputs } from '../aiven/env-from-terraform.js';
import { paint, runCommand } from '@workshop/shared/terminal';

/** `terraform output -json`: every output an object with its value. */
const terraformOutputsSchema = z.record(
  z.string(),
  z.object({ value: z.unknown(), sensitive: z.boolean().optional(), type: z.unknown().optional() }),
);

/**
 * `npm run aiven:env`: reads `terraform output -json` in infra/terraform and writes the kit's `.env` (the
 * Aiven profile) plus the TLS files in .stack/aiven/. An existing .env that this command did not write is
 * kept as .env.backup first.
 */
const terraformDir = join(repoRoot, 'infra/terraform');
const marker = '# Written by npm run aiven:env';

async function main(): Promise<void> {
  const outcome = await runWithDeadline('terraform', [`-chdir=${terraformDir}`, 'output', '-json'], { timeoutMs: 120_000 });
  if (outcome.spawnError)
    throw new KitError('terraform is not installed', {
      hint: 'install it: https://developer.hashicorp.com/terraform/install',
      code: 'aiven-env',
    });
  if (outcome.code !== 0) {
    throw new KitError(`terraform output failed in infra/terraform: ${outcome.stderr.trim().split('\n').slice(-2).join(' ')}`, {
      hint: 'cd infra/terraform && terraform init && terraform apply, then npm run aiven:env again',
      code: 'aiven-env',
    });
  }
  const outputs: TerraformOutputs = parseJsonFile(outcome.stdout || '{}', 'terraform output -json', terraformOutputsSchema);
  if (Object.keys(outputs).length === 0)
    throw new KitError('terraform output is empty', { hint: 'run terraform apply in infra/terraform first', code: 'aiven-env' });

  const certDir = join(stackPaths().stackDir, 'aiven');
  const { files, env, variables } = aivenEnvFromTerraform(outputs, certDir);
  await mkdir(certDir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await writeFile(path, content, { mode: 0o600 });
    await chmod(path, 0o600);
  }
  const envPath = join(repoRoot, '.env');
  if (existsSync(envPath) && !(await readFile(envPath, 'utf8')).startsWith(marker)) {
    await copyFile(envPath, `${envPath}.backup`);
    await chmod(`${envPath}.backup`, 0o600); // copyFile keeps the old mode; the backup holds passwords too
    console.log(paint('yellow', '! your previous .env is now .env.backup'));
  }
  await writeFile(envPath, env, { mode: 0o600 });
  // The mode above applies only when the file is created: an existing 0644 .env would keep the passwords readable.
  await chmod(envPath, 0o600);
  console.log(
    paint(
      'green',
      `✓ .env written for Aiven (${Object.keys(variables).length} settings; certificates in ${relative(repoRoot, certDir)}/) — check with npm run stack:status`,
    ),
  );
}

runCommand(main);
