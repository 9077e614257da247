import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
// From their modules, not the '@workshop/shared' index, which loads every client library (~1.3 s).
import { isKitError } from '@workshop/shared/errors';
import { parseJsonFile } from '@workshop/shared/json-file';

/**
 * What the workshop CLI remembers between runs, in the git-ignored `.workshop-state.json` at the repo root:
 * each step's last test result (with a hash of the src/ it was measured on, so the progress list is
 * instant until that code changes), how many hints were shown, and whether the welcome was seen.
 * Deleting the file loses nothing but time: statuses are measured again — so a file that does not parse, or does not
 * match the schema below, is replaced by a fresh state rather than stopping the CLI.
 */

export const stateFileName = '.workshop-state.json';

const stepCheckSchema = z.object({
  status: z.enum(['done', 'failing']),
  /** hashSrc() of the step's src/ when the tests ran: a different hash means the result is stale. */
  srcHash: z.string(),
  checkedAt: z.iso.datetime(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  firstFailingTest: z.string().optional(),
  /** The first failure, readable (readableFailure): shown in the progress list and by watch. */
  firstFailure: z.string().optional(),
  /** Whether the stack answered when the tests ran; a failure measured without it is measured again once it is up. */
  stackUp: z.boolean().optional(),
});

const stepStateSchema = z.object({
  check: stepCheckSchema.optional(),
  /** How many of the step's hints `npm run hint` has shown. */
  hintsShown: z.number().int().nonnegative().optional(),
  /** When the step first passed: from then on its solution may be shown, even if the code changes again. */
  solvedAt: z.iso.datetime().optional(),
});

const workshopStateSchema = z.object({
  welcomedAt: z.iso.datetime().optional(),
  /** By step folder ("01-fake-data"). */
  steps: z.record(z.string(), stepStateSchema).default({}),
});

export type StepCheck = z.infer<typeof stepCheckSchema>;
export type StepState = z.infer<typeof stepStateSchema>;
export type WorkshopState = z.infer<typeof workshopStateSchema>;

export function statePath(root: string): string {
  return join(root, stateFileName);
}

export interface LoadedState {
  state: WorkshopState;
  /** Why the file could not be used (then `state` is a fresh one): for the command to say, once, in one line. */
  problem?: string;
}

export function loadState(root: string): LoadedState {
  const path = statePath(root);
  if (!existsSync(path)) return { state: { steps: {} } };
  try {
    return { state: parseJsonFile(readFileSync(path, 'utf8'), path, workshopStateSchema) };
  } catch (error) {
    // A hand-edited (or older) file: it only saves time, so start afresh rather than refuse to run.
    if (isKitError(error)) return { state: { steps: {} }, problem: error.message };
    throw error;
  }
}

export function readState(root: string): WorkshopState {
  return loadState(root).state;
}

/** True until `npm run workshop` has shown its welcome once. */
export function isFirstVisit(root: string): boolean {
  return !readState(root).welcomedAt;
}

export function recordWelcome(root: string, at = new Date()): void {
  updateState(root, (state) => {
    state.welcomedAt = at.toISOString();
  });
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
    const step = state.steps[stepDir] ?? {};
    state.steps[stepDir] = step;
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
  const files = existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !isEditorScratch(entry.name))
    : [];
  const paths = files.map((entry) => join(entry.parentPath, entry.name)).sort();
  for (const path of paths) {
    hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}
