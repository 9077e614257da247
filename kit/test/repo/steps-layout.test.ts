import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { readWorkshopSteps } from '../../src/workshop/steps.js';

/**
 * The rustlings layout, kept honest: steps/NN-name/src and solutions/NN-name/src mirror each other file
 * for file; the files a participant does not edit (no TODO) are the same in both, so what the tests
 * prove about the solution holds for the starter's given code; the solution has no TODO left.
 */
/** Slide region markers (`// #region name`) are presentation metadata that only the solution carries. */
function withoutRegionMarkers(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|#|<!--)\s*#(end)?region\b/.test(line))
    .join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe.each(readWorkshopSteps().filter((step) => step.exercise))('$dir', (step) => {
  const starter = join(repoRoot, 'steps', step.dir);
  const solution = join(repoRoot, 'solutions', step.dir);

  it('has a README, a package with test and start scripts, tests, and a solution', () => {
    for (const file of ['README.md', 'package.json', 'vitest.config.ts', 'src', 'test'])
      expect(existsSync(join(starter, file)), file).toBe(true);
    const scripts = JSON.parse(readFileSync(join(starter, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.test).toBe('vitest run');
    expect(scripts.start).toBeTruthy();
    expect(existsSync(join(solution, 'src'))).toBe(true);
    expect(step.hints.length).toBeGreaterThanOrEqual(2);
  });

  it('starter and solution have the same files; given files are identical; only the solution is finished', () => {
    const starterFiles = filesUnder(join(starter, 'src'));
    expect(filesUnder(join(solution, 'src'))).toEqual(starterFiles);
    const exerciseFiles = starterFiles.filter((file) => readFileSync(join(starter, 'src', file), 'utf8').includes('TODO'));
    expect(exerciseFiles.length, 'a starter without any TODO').toBeGreaterThan(0);
    for (const file of starterFiles) {
      const a = withoutRegionMarkers(readFileSync(join(starter, 'src', file), 'utf8'));
      const b = readFileSync(join(solution, 'src', file), 'utf8');
      if (exerciseFiles.includes(file)) expect(a === withoutRegionMarkers(b), `${file} is an exercise but equals the solution`).toBe(false);
      else expect(a === withoutRegionMarkers(b), `${file} has no TODO but differs from solutions/${step.dir}/src/${file}`).toBe(true);
      expect(b, `solutions/${step.dir}/src/${file} still has a TODO`).not.toMatch(/\bTODO\b/);
    }
  });
});
