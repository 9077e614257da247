import { spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
// From its module, not the '@workshop/shared' index, which loads every client library (~1.3 s).
import { KitError } from '@workshop/shared/errors';
import { checkStep, type StackProbe } from './progress.js';
import { readState, type StepCheck } from './state.js';
import { solutionSrc, starterSrc, type WorkshopStep } from './steps.js';

/**
 * `npm run solution -- NN`: the difference between the participant's code and the reference solution —
 * once the step has passed (the state file says so, or its tests pass now). Before that it says why not;
 * `--force` shows it anyway.
 */

/** Allowed (solved once, or forced), or not: then the test result that says why. */
export type SolutionAccess = { allowed: true; reason: 'solved' | 'forced' } | { allowed: false; check: StepCheck };

export async function solutionAccess(
  root: string,
  step: WorkshopStep,
  options: { force?: boolean; probeStack?: StackProbe; onChecking?: () => void } = {},
): Promise<SolutionAccess> {
  if (readState(root).steps[step.dir]?.solvedAt) return { allowed: true, reason: 'solved' };
  if (options.force) return { allowed: true, reason: 'forced' };
  options.onChecking?.();
  const check = await checkStep(root, step, options.probeStack ? await options.probeStack().catch(() => undefined) : undefined);
  if (check.status === 'done') return { allowed: true, reason: 'solved' };
  return { allowed: false, check };
}

export interface SolutionDiff {
  /** git's unified diff, participant's code (a/) → reference (b/); empty when they are the same. */
  diff: string;
  filesDiffering: number;
}

/** `git diff --no-index steps/NN/src solutions/NN/src`, run at the root so the paths read as the repo's own. */
export function solutionDiff(root: string, step: WorkshopStep, colour: boolean): SolutionDiff {
  // -I: the solution's "// #region name" lines only mark code for the slides (slides/src/regions.ts): not a difference.
  const ignoreRegionMarkers = '-I^\\s*(//|#|--|/\\*|<!--)\\s*#(end)?region\\b';
  const result = spawnSync(
    'git',
    ['diff', '--no-index', `--color=${colour ? 'always' : 'never'}`, ignoreRegionMarkers, '--', starterSrc(step), solutionSrc(step)],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  // --no-index exits 1 when the trees differ, 0 when they do not; anything else is an error.
  if (result.status !== 0 && result.status !== 1) {
    throw new KitError(`git diff --no-index failed: ${result.stderr.trim() || result.error?.message}`, {
      hint: 'is git installed and on the PATH? (git --version)',
      code: 'git',
    });
  }
  const filesDiffering = (stripVTControlCharacters(result.stdout).match(/^diff --git /gm) ?? []).length;
  return { diff: result.stdout, filesDiffering };
}
