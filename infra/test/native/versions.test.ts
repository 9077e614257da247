import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KitError } from '@workshop/shared';
import { readDockerPins, readStackVersions, stackVersionsFile } from '../../src/native/versions.js';

/** infra/stack-versions.json is edited by hand: a mistake must name the file, the field and what it must look like. */

/** The committed file with `change` applied, written to a temp folder. */
async function brokenCopy(change: (file: Record<string, unknown> & { docker: Record<string, unknown> }) => void): Promise<string> {
  const file = JSON.parse(await readFile(stackVersionsFile, 'utf8'));
  change(file);
  const path = join(await mkdtemp(join(tmpdir(), 'stack-versions-')), 'stack-versions.json');
  await writeFile(path, JSON.stringify(file));
  return path;
}

function failureOf(read: () => unknown): KitError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return error as KitError;
  }
  throw new Error('expected the file to be refused, it was read');
}

describe('infra/stack-versions.json', () => {
  it('the committed file is valid', () => {
    expect(readStackVersions().kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readDockerPins().postgres).toMatch(/^postgres:\d/);
  });

  it('refuses a version that is not one, naming the field and an example', async () => {
    const path = await brokenCopy((file) => {
      file.kafka = 'latest';
    });
    const error = failureOf(() => readStackVersions(path));
    expect(error.message).toBe(`${path}: kafka must be a version like 4.1.2`);
    expect(error.hint).toMatch(/infra\/stack-versions\.json/);
  });

  it('says which field is missing', async () => {
    const path = await brokenCopy((file) => {
      delete file.debeziumJdbc;
    });
    expect(failureOf(() => readStackVersions(path)).message).toBe(`${path}: debeziumJdbc must be a version like 3.4.3.Final`);
  });

  it('refuses a docker image without an exact tag, naming the field inside "docker"', async () => {
    const path = await brokenCopy((file) => {
      file.docker.grafana = 'grafana/grafana:latest';
    });
    expect(failureOf(() => readDockerPins(path)).message).toBe(
      `${path}: docker.grafana must be an image with an exact tag, like grafana/grafana:12.3.1`,
    );
    // The native stack does not read the docker section: a broken pin there never stops it.
    expect(readStackVersions(path).kafka).toMatch(/^\d/);
  });

  it('refuses a file that is not JSON', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'stack-versions-')), 'stack-versions.json');
    await writeFile(path, '{ "kafka": "4.1.2", }');
    expect(failureOf(() => readStackVersions(path)).message).toMatch(new RegExp(`^${path}: not valid JSON`));
  });
});
