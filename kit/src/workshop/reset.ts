import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { paint, type CommandResult } from '@workshop/shared/terminal';
import { changedFiles, isGitCheckout, isInHead, restoreFromHead, type ChangedFile } from './git.js';
import { updateStepState } from './state.js';
import { starterSrc, stepNumber, type WorkshopStep } from './steps.js';

/**
 * `npm run reset -- NN`: the step's starter files back exactly as committed (`git checkout HEAD --
 * steps/NN/src`), nothing else touched. Files the participant added are not part of the starter and are
 * left where they are; a copy of the whole src/ as it was goes to .stack/backups/ first, so a reset
 * never loses work.
 */

export interface ResetOutcome {
  /** Modified or deleted starter files, now as committed. */
  restored: ChangedFile[];
  /** Files the starter does not have: left alone. */
  leftAlone: ChangedFile[];
  /** Where the copy of src/ as it was went (when anything changed). */
  backupDir?: string;
}

export class ResetRefused extends Error {}

export function resetStep(root: string, step: WorkshopStep, now = new Date()): ResetOutcome {
  const src = starterSrc(step);
  if (!isGitCheckout(root)) {
    throw new ResetRefused(`reset needs a git checkout, and ${root} is not one (a downloaded zip?) — the starter files are whatever came with it; git clone the kit to be able to reset`);
  }
  if (!isInHead(root, src)) throw new ResetRefused(`${src} is not committed yet: there is no starter in git to restore`);
  const changes = changedFiles(root, src);
  const restored = changes.filter((file) => file.change !== 'new');
  const leftAlone = changes.filter((file) => file.change === 'new');
  let backupDir: string | undefined;
  if (changes.length > 0 && existsSync(join(root, src))) {
    backupDir = join('.stack/backups', `${step.dir}-${now.toISOString().replace(/[:.]/g, '-')}`, 'src');
    cpSync(join(root, src), join(root, backupDir), { recursive: true });
  }
  if (restored.length > 0) restoreFromHead(root, src);
  // The remembered result was measured on the code just replaced. Hints and "solved once" stay.
  updateStepState(root, step.dir, (state) => {
    delete state.check;
  });
  return { restored, leftAlone, ...(backupDir ? { backupDir } : {}) };
}

export function showReset(root: string, step: WorkshopStep, out: (line: string) => void): CommandResult {
  let outcome: ResetOutcome;
  try {
    outcome = resetStep(root, step);
  } catch (error) {
    if (error instanceof ResetRefused) return { ok: false, summary: `reset: nothing done — ${error.message}` };
    throw error;
  }
  const src = starterSrc(step);
  const { restored, leftAlone, backupDir } = outcome;
  if (restored.length === 0 && leftAlone.length === 0) return { ok: true, summary: `reset: nothing to do — ${src} is already the starter` };
  if (restored.length > 0) {
    out(`Restored from git (git checkout HEAD -- ${src}):`);
    for (const file of restored) out(`  ${file.change === 'deleted' ? 'brought back' : 'restored    '}  ${file.path}`);
  }
  if (leftAlone.length > 0) {
    out('Not part of the starter, so left as they are (delete them if they are in the way):');
    for (const file of leftAlone) out(`  ${paint('dim', 'kept        ')}  ${file.path}`);
  }
  if (backupDir) out(paint('dim', `Your version, as it was, is in ${backupDir}/`));
  return {
    ok: true,
    summary: `reset: step ${stepNumber(step)} is back to its starter — ${restored.length} file${restored.length === 1 ? '' : 's'} restored${leftAlone.length ? `, ${leftAlone.length} new left alone` : ''}`,
  };
}
