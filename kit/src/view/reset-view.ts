import { paint, type CommandResult } from '@workshop/shared/terminal';
import { resetStep, type ResetDone } from '../workshop/reset.js';
import { starterSrc, stepNumber, type WorkshopStep } from '../workshop/steps.js';

/** How `npm run reset -- NN` reads: what was restored, what was left alone, where the copy went. */

export function resetLines(step: WorkshopStep, { restored, leftAlone, backupDir }: ResetDone): string[] {
  const src = starterSrc(step);
  const lines: string[] = [];
  if (restored.length > 0) {
    lines.push(`Restored from git (git checkout HEAD -- ${src}):`);
    for (const file of restored) lines.push(`  ${file.change === 'deleted' ? 'brought back' : 'restored    '}  ${file.path}`);
  }
  if (leftAlone.length > 0) {
    lines.push('Not part of the starter, so left as they are (delete them if they are in the way):');
    for (const file of leftAlone) lines.push(`  ${paint('dim', 'kept        ')}  ${file.path}`);
  }
  if (backupDir) lines.push(paint('dim', `Your version, as it was, is in ${backupDir}/`));
  return lines;
}

export function resetSummary(step: WorkshopStep, { restored, leftAlone }: ResetDone): CommandResult {
  if (restored.length === 0 && leftAlone.length === 0)
    return { ok: true, summary: `reset: nothing to do — ${starterSrc(step)} is already the starter` };
  return {
    ok: true,
    summary: `reset: step ${stepNumber(step)} is back to its starter — ${restored.length} file${restored.length === 1 ? '' : 's'} restored${leftAlone.length ? `, ${leftAlone.length} new left alone` : ''}`,
  };
}

/** `npm run reset -- NN`: resets the step and says what happened. */
export function showReset(root: string, step: WorkshopStep, out: (line: string) => void): CommandResult {
  const outcome = resetStep(root, step);
  if (!outcome.done) return { ok: false, summary: `reset: nothing done — ${outcome.why}` };
  for (const line of resetLines(step, outcome)) out(line);
  return resetSummary(step, outcome);
}
