import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paint, type CommandResult } from '@workshop/shared/terminal';
import type { StackProbe } from '../workshop/progress.js';
import { solutionAccess, solutionDiff } from '../workshop/solution.js';
import type { StepCheck } from '../workshop/state.js';
import { solutionSrc, starterSrc, stepNumber, type WorkshopStep } from '../workshop/steps.js';
import { passingTests } from './progress-view.js';

/** How `npm run solution -- NN` reads: the participant's code against the reference, or why not yet. */

/** "step 01-x does not pass yet (1 of 2 tests pass; first failure: …)". */
export function notPassingYet(step: WorkshopStep, check: StepCheck): string {
  const first = check.firstFailure?.split('\n')[0];
  return `step ${step.dir} does not pass yet (${passingTests(check)}${first ? `; first failure: ${first}` : ''})`;
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
  const access = await solutionAccess(root, step, {
    ...options,
    onChecking: () => out(paint('dim', `  checking ${step.dir} (running its tests)…`)),
  });
  if (!access.allowed) {
    out(`The solution is shown once the step passes: ${notPassingYet(step, access.check)}.`);
    out(
      `  Keep going: npm run watch -- ${number} · a hint: npm run hint -- ${number} · see it anyway: npm run solution -- ${number} --force`,
    );
    return {
      ok: false,
      summary: `solution: not yet — step ${number} does not pass (npm run solution -- ${number} --force shows it anyway)`,
    };
  }
  const { diff, filesDiffering } = solutionDiff(root, step, options.colour);
  if (filesDiffering === 0) return { ok: true, summary: `solution: your ${starterSrc(step)} is the reference solution, file for file` };
  if (access.reason === 'forced') out(paint('yellow', `(--force: step ${number} has not passed yet)`));
  out(paint('dim', `- lines: your code (${starterSrc(step)})   + lines: the reference solution (${solutionSrc(step)})`));
  out(diff.trimEnd());
  return {
    ok: true,
    summary: `solution: ${filesDiffering === 1 ? '1 file' : `${filesDiffering} files`} of step ${number} ${filesDiffering === 1 ? 'differs' : 'differ'} from the reference in ${solutionSrc(step)}/`,
  };
}
