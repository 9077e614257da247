import { readState, updateStepState } from './state.js';
import type { WorkshopStep } from './steps.js';

/**
 * `npm run hint -- NN`: one more hint each time it is asked (they go from gentle to explicit, so the
 * first ask should not give the answer away); once all have been shown, all of them. The count is kept
 * in the state file.
 */

export interface NumberedHint {
  /** 1-based, as a participant counts them. */
  number: number;
  text: string;
}

export interface HintsShown {
  /** The hints to print now. */
  hints: NumberedHint[];
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
