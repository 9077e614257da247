import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KitError } from '../src/errors.js';
import { parseJsonFile, readJsonFile } from '../src/json-file.js';
import { repoRoot } from '../src/repo-root.js';

/** A broken data file is reported as its path, the field and what it must be: one line a person can act on. */
const schema = z.object({ name: z.string(), ports: z.array(z.number().int()).min(1) });

function failureOf(read: () => unknown): KitError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return error as KitError;
  }
  throw new Error('expected the file to be refused, it was read');
}

describe('readJsonFile', () => {
  it('returns the validated data', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'json-file-')), 'ok.json');
    await writeFile(path, '{ "name": "kafka", "ports": [9092], "extra": true }');
    expect(readJsonFile(path, schema)).toEqual({ name: 'kafka', ports: [9092] });
  });

  it('names the first wrong field in words, counts the others, and carries the hint', () => {
    const error = failureOf(() => parseJsonFile('{ "ports": ["a", 2.5] }', '/tmp/x.json', schema, { hint: 'fix x.json' }));
    expect(error.message).toBe('/tmp/x.json: name is missing (it must be a string) (and 2 more problems)');
    expect(error).toMatchObject({ code: 'data-file', hint: 'fix x.json' });
    expect(failureOf(() => parseJsonFile('{ "name": "k", "ports": [] }', '/tmp/x.json', schema)).message).toBe(
      '/tmp/x.json: ports must not be an empty list',
    );
  });

  it('shows a file of the checkout by its repository path', () => {
    const error = failureOf(() => parseJsonFile('[]', join(repoRoot, 'infra/stack-versions.json'), schema));
    expect(error.message).toBe('infra/stack-versions.json: the file must be an object');
  });

  it('says when the file is missing or not JSON', () => {
    expect(failureOf(() => readJsonFile('/nonexistent/versions.json', schema)).message).toBe(
      '/nonexistent/versions.json: cannot be read (ENOENT)',
    );
    expect(failureOf(() => parseJsonFile('{ name: 1 }', '/tmp/x.json', schema)).message).toMatch(/^\/tmp\/x\.json: not valid JSON \(/);
  });
});
