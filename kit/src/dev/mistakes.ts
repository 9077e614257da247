import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KitError } from '@workshop/shared/errors';
import { repoRoot } from '@workshop/shared/repo-root';
import { runStepTests, type StepTestOutcome } from '../workshop/run-step-tests.js';

/**
 * "The tests must fail for the common mistakes" — proved, not promised. Each
 * `solutions/NN-name/mistakes/<mistake>.patch` is the reference solution with one classic mistake
 * (no message key, commit before processing, …). The kit applies it to a scratch copy of the solution
 * and runs the step's own tests against it: they must fail, and with a hint.
 */
export interface Mistake {
  stepDir: string;
  name: string;
  patchPath: string;
  /** The patch's first line: what the mistake is. */
  description: string;
}

export function listMistakes(stepDir: string, root = repoRoot): Mistake[] {
  const dir = join(root, 'solutions', stepDir, 'mistakes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.patch'))
    .sort()
    .map((file) => {
      const patchPath = join(dir, file);
      const description = readFileSync(patchPath, 'utf8').split('\n')[0]?.trim() ?? file;
      return { stepDir, name: basename(file, '.patch'), patchPath, description };
    });
}

/** Applies the mistake to a scratch copy of the solution (git-ignored .stack/mistakes/) and tests it. */
export async function runMistake(mistake: Mistake, extraEnv: NodeJS.ProcessEnv = {}): Promise<StepTestOutcome> {
  const scratch = join(repoRoot, '.stack/mistakes', mistake.stepDir, mistake.name);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const src = join(scratch, 'src');
  await cp(join(repoRoot, 'solutions', mistake.stepDir, 'src'), src, { recursive: true });
  const applied = spawnSync('patch', ['-p1', '--quiet', '--forward', '-d', src, '-i', mistake.patchPath], { encoding: 'utf8' });
  if (applied.status !== 0) {
    throw new KitError(
      `${mistake.stepDir}/${mistake.name}.patch no longer applies to the solution: ${(applied.stdout + applied.stderr).trim()}`,
      {
        hint: `regenerate it from an edited copy of solutions/${mistake.stepDir}/src (diff -u, with its one-line description first)`,
        code: 'mistake-patch',
      },
    );
  }
  return runStepTests(mistake.stepDir, 'starter', { extraEnv: { ...extraEnv, WORKSHOP_EXERCISE_DIR: src } });
}

/** Caught: the tests fail, and the first failure is a hint — what a participant who made this mistake would read. */
export function isCaught(outcome: StepTestOutcome): boolean {
  return outcome.failed > 0 && outcome.firstFailureIsHint;
}

export function describeMistakeOutcome(outcome: StepTestOutcome | undefined, notRun?: string): string {
  if (!outcome) return `NOT RUN — ${notRun ?? 'no result'}`;
  if (isCaught(outcome)) return 'caught';
  return outcome.failed > 0 ? 'fails, but without a hint' : 'NOT caught — tests pass';
}
