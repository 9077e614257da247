import { paint, type CommandResult } from '@workshop/shared/terminal';
import { readState, updateStepState } from './state.js';
import { stepNumber, type WorkshopStep } from './steps.js';

/**
 * `npm run hint -- NN`: one more hint each time it is asked (they go from gentle to explicit, so the
 * first ask should not give the answer away); once all have been shown, all of them. The count is kept
 * in the state file.
 */

export interface HintsShown {
  /** The hints to print now, with their numbers (1-based). */
  hints: { number: number; text: string }[];
  total: number;
  /** True when every hint has now been shown at least once. */
  allShown: boolean;
}

export function takeNextHint(root: string, step: WorkshopStep): HintsShown {
  const total = step.hints.length;
  const shownBefore = Math.min(readState(root).steps[step.dir]?.hintsShown ?? 0, total);
  const numbered = step.hints.map((text, index) => ({ number: index + 1, text }));
  if (shownBefore >= total) return { hints: numbered, total, allShown: true };
  updateStepState(root, step.dir, (state) => {
    state.hintsShown = shownBefore + 1;
  });
  return { hints: [numbered[shownBefore]!], total, allShown: shownBefore + 1 === total };
}

export function showHint(root: string, step: WorkshopStep, out: (line: string) => void): CommandResult {
  const number = stepNumber(step);
  if (step.hints.length === 0) return { ok: true, summary: `hint: step ${step.dir} has no hints — its README.md and the failing test's message are the guide` };
  const { hints, total, allShown } = takeNextHint(root, step);
  out(paint('bold', `Step ${number} — ${step.title}`));
  for (const hint of hints) out(`  ${paint('yellow', `hint ${hint.number} of ${total}:`)} ${hint.text}`);
  const last = hints.at(-1)!.number;
  if (hints.length > 1) return { ok: true, summary: `hint: all ${total} hints of step ${step.dir} (the reference solution: npm run solution -- ${number}, once the step passes)` };
  if (allShown) return { ok: true, summary: `hint: ${last} of ${total} — that was the last one for ${step.dir}; asking again lists them all` };
  return { ok: true, summary: `hint: ${last} of ${total} for ${step.dir} — npm run hint -- ${number} again for a more explicit one` };
}
