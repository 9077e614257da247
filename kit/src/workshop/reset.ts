import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { changedFiles, isGitCheckout, isInHead, restoreFromHead, type ChangedFile } from './git.js';
import { updateStepState } from './state.js';
import { starterSrc, type WorkshopStep } from './steps.js';

/**
 * `npm run reset -- NN`: the step's starter files back exactly as committed (`git checkout HEAD --
 * steps/NN/src`), nothing else touched. Files the participant added are not part of the starter and are
 * left where they are; a copy of the whole src/ as it was goes to .stack/backups/ first, so a reset
 * never loses work.
 */

export interface ResetDone {
  done: true;
  /** Modified or deleted starter files, now as committed. */
  restored: ChangedFile[];
  /** Files the starter does not have: left alone. */
  leftAlone: ChangedFile[];
  /** Where the copy of src/ as it was went (when anything changed). */
  backupDir?: string;
}

/** Nothing was touched, and why (there is no starter in git to go back to). */
export interface ResetRefused {
  done: false;
  why: string;
}

export type ResetOutcome = ResetDone | ResetRefused;

export function resetStep(root: string, step: WorkshopStep, now = new Date()): ResetOutcome {
  const src = starterSrc(step);
  if (!isGitCheckout(root)) {
    return {
      done: false,
      why: `reset needs a git checkout, and ${root} is not one (a downloaded zip?) — the starter files are whatever came with it; git clone the kit to be able to reset`,
    };
  }
  if (!isInHead(root, src)) return { done: false, why: `${src} is not committed yet: there is no starter in git to restore` };
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
  return { done: true, restored, leftAlone, ...(backupDir ? { backupDir } : {}) };
}
