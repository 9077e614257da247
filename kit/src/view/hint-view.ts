import { paint, type CommandResult } from '@workshop/shared/terminal';
import { takeNextHint, type HintsShown, type NumberedHint } from '../workshop/hints.js';
import { stepNumber, type WorkshopStep } from '../workshop/steps.js';

/** How hints read: `npm run hint`, and the h key of `npm run watch`. */

export function hintLine(hint: NumberedHint, total: number): string {
  return `  ${paint('yellow', `hint ${hint.number} of ${total}:`)} ${hint.text}`;
}

export function hintLines(step: WorkshopStep, shown: HintsShown): string[] {
  return [paint('bold', `Step ${stepNumber(step)} — ${step.title}`), ...shown.hints.map((hint) => hintLine(hint, shown.total))];
}

/** The summary line: how far along the hints are, and what asking again does. */
export function hintSummary(step: WorkshopStep, { hints, total, allShown }: HintsShown): CommandResult {
  const number = stepNumber(step);
  const last = hints.at(-1)!.number;
  if (hints.length > 1)
    return {
      ok: true,
      summary: `hint: all ${total} hints of step ${step.dir} (the reference solution: npm run solution -- ${number}, once the step passes)`,
    };
  if (allShown)
    return { ok: true, summary: `hint: ${last} of ${total} — that was the last one for ${step.dir}; asking again lists them all` };
  return { ok: true, summary: `hint: ${last} of ${total} for ${step.dir} — npm run hint -- ${number} again for a more explicit one` };
}

/** `npm run hint -- NN`: takes the next hint (remembered in the state file) and prints it. */
export function showHint(root: string, step: WorkshopStep, out: (line: string) => void): CommandResult {
  const shown = takeNextHint(root, step);
  for (const line of hintLines(step, shown)) out(line);
  return hintSummary(step, shown);
}
