import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paint, type CommandResult } from '@workshop/shared/terminal';
import { checkStep, passingTests, type StackProbe } from './progress.js';
import { readState } from './state.js';
import { solutionSrc, starterSrc, stepNumber, type WorkshopStep } from './steps.js';

/**
 * `npm run solution -- NN`: the difference between the participant's code and the reference solution —
 * once the step has passed (the state file says so, or its tests pass now). Before that it says why not;
 * `--force` shows it anyway.
 */

export type SolutionAccess = { allowed: true; reason: 'solved' | 'forced' } | { allowed: false; why: string };

export async function solutionAccess(root: string, step: WorkshopStep, options: { force?: boolean; probeStack?: StackProbe; onChecking?: () => void } = {}): Promise<SolutionAccess> {
  if (readState(root).steps[step.dir]?.solvedAt) return { allowed: true, reason: 'solved' };
  if (options.force) return { allowed: true, reason: 'forced' };
  options.onChecking?.();
  const check = await checkStep(root, step, options.probeStack ? await options.probeStack().catch(() => undefined) : undefined);
  if (check.status === 'done') return { allowed: true, reason: 'solved' };
  const first = check.firstFailure?.split('\n')[0];
  return { allowed: false, why: `step ${step.dir} does not pass yet (${passingTests(check)}${first ? `; first failure: ${first}` : ''})` };
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
  const result = spawnSync('git', ['diff', '--no-index', `--color=${colour ? 'always' : 'never'}`, ignoreRegionMarkers, '--', starterSrc(step), solutionSrc(step)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // --no-index exits 1 when the trees differ, 0 when they do not; anything else is an error.
  if (result.status !== 0 && result.status !== 1) throw new Error(`git diff --no-index failed: ${result.stderr.trim() || result.error?.message}`);
  const filesDiffering = (result.stdout.match(/^(\x1b\[[0-9;]*m)*diff --git /gm) ?? []).length;
  return { diff: result.stdout, filesDiffering };
}

export async function showSolution(
  root: string,
  step: WorkshopStep,
  options: { force?: boolean; colour: boolean; out: (line: string) => void; probeStack?: StackProbe },
): Promise<CommandResult> {
  const { out } = options;
  const number = stepNumber(step);
  if (!step.exercise) return { ok: true, summary: `solution: step ${step.dir} is a tour — there is nothing to solve, so no solution` };
  if (!existsSync(join(root, solutionSrc(step)))) return { ok: false, summary: `solution: ${solutionSrc(step)} does not exist (yet)` };
  const access = await solutionAccess(root, step, { ...options, onChecking: () => out(paint('dim', `  checking ${step.dir} (running its tests)…`)) });
  if (!access.allowed) {
    out(`The solution is shown once the step passes: ${access.why}.`);
    out(`  Keep going: npm run watch -- ${number} · a hint: npm run hint -- ${number} · see it anyway: npm run solution -- ${number} --force`);
    return { ok: false, summary: `solution: not yet — step ${number} does not pass (npm run solution -- ${number} --force shows it anyway)` };
  }
  const { diff, filesDiffering } = solutionDiff(root, step, options.colour);
  if (filesDiffering === 0) return { ok: true, summary: `solution: your ${starterSrc(step)} is the reference solution, file for file` };
  if (access.reason === 'forced') out(paint('yellow', `(--force: step ${number} has not passed yet)`));
  out(paint('dim', `- lines: your code (${starterSrc(step)})   + lines: the reference solution (${solutionSrc(step)})`));
  out(diff.trimEnd());
  return { ok: true, summary: `solution: ${filesDiffering === 1 ? '1 file' : `${filesDiffering} files`} of step ${number} ${filesDiffering === 1 ? 'differs' : 'differ'} from the reference in ${solutionSrc(step)}/` };
}
