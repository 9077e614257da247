import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What the workshop CLI remembers between runs, in the git-ignored `.workshop-state.json` at the repo root:
 * each step's last test result (with a hash of the src/ it was measured on, so the progress list is
 * instant until that code changes), how many hints were shown, and whether the welcome was seen.
 * Deleting the file loses nothing but time: statuses are measured again.
 */

export const stateFileName = '.workshop-state.json';

export interface StepCheck {
  status: 'done' | 'failing';
  /** hashSrc() of the step's src/ when the tests ran: a different hash means the result is stale. */
  srcHash: string;
  checkedAt: string;
  passed: number;
  failed: number;
  firstFailingTest?: string;
  /** The first failure, readable (readableFailure): shown in the progress list and by watch. */
  firstFailure?: string;
  /** Whether the stack answered when the tests ran; a failure measured without it is measured again once it is up. */
  stackUp?: boolean;
}

export interface StepState {
  check?: StepCheck;
  /** How many of the step's hints `npm run hint` has shown. */
  hintsShown?: number;
  /** When the step first passed: from then on its solution may be shown, even if the code changes again. */
  solvedAt?: string;
}

export interface WorkshopState {
  welcomedAt?: string;
  steps: Record<string, StepState>;
}

export function statePath(root: string): string {
  return join(root, stateFileName);
}

export function readState(root: string): WorkshopState {
  const path = statePath(root);
  if (!existsSync(path)) return { steps: {} };
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<WorkshopState>;
    return { ...state, steps: state.steps ?? {} };
  } catch {
    // A half-written or hand-edited file: start afresh rather than refuse to run.
    return { steps: {} };
  }
}

/** Read, change, write — re-reading first, so `watch` and `hint` running side by side do not undo each other. */
export function updateState(root: string, change: (state: WorkshopState) => void): WorkshopState {
  const state = readState(root);
  change(state);
  const path = statePath(root);
  const scratch = `${path}.${process.pid}.tmp`;
  writeFileSync(scratch, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(scratch, path);
  return state;
}

export function updateStepState(root: string, stepDir: string, change: (step: StepState) => void): WorkshopState {
  return updateState(root, (state) => {
    const step = (state.steps[stepDir] ??= {});
    change(step);
  });
}

/** Files editors write next to the one being edited (vim swap, emacs lock, backups, JetBrains' safe write): not code. */
export function isEditorScratch(name: string): boolean {
  const base = name.split(/[\\/]/).at(-1) ?? name;
  return /\.sw[a-p]$|~$|^\.#|^#.*#$|^4913$|___jb_(tmp|old)___$/.test(base);
}

/** sha256 over every file under `dir` (relative path and content), so a saved change — and only that — changes it. */
export function hashSrc(dir: string): string {
  const hash = createHash('sha256');
  const files = existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !isEditorScratch(entry.name)) : [];
  const paths = files.map((entry) => join(entry.parentPath, entry.name)).sort();
  for (const path of paths) {
    hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}
