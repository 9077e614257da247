import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { takeNextHint, type HintsShown } from './hints.js';
import { checkStep, rememberedProgress, stepAfter, type StackProbe, type StepProgress } from './progress.js';
import type { StepTestRunner } from './run-step-tests.js';
import { hashSrc, isEditorScratch, type StepCheck } from './state.js';
import { starterSrc, type WorkshopStep } from './steps.js';

/**
 * `npm run watch`: the current step's tests, re-run every time a file in its src/ is saved. Shows only the
 * first failing test (its message is the hint to follow); once the step passes, says where the solution
 * is and moves on to the next step when asked — or, with nobody at a keyboard (no TTY), by itself.
 *
 * Change events come from fs.watch, or with `poll` from comparing every file's mtime and size on a timer:
 * for file systems that do not deliver events (WSL under /mnt, network drives, some containers).
 *
 * The session says what happens as events (`WatchEvent`); kit/src/view/watch-view.ts turns them into lines.
 */

/** What a watch session tells its view, in order. */
export type WatchEvent =
  /** Now watching this step (the first, or the next one after moving on). */
  | { kind: 'watching'; step: WorkshopStep }
  /** Change events stopped arriving (`reason`): polling from now on. */
  | { kind: 'polling-instead'; reason: string }
  | { kind: 'running'; step: WorkshopStep }
  /** A test result; `next` is the step to move on to when this one is done (undefined: none left). */
  | { kind: 'result'; step: WorkshopStep; check: StepCheck; stackUp: boolean | undefined; next: WorkshopStep | undefined }
  /** The tests could not run at all (a deleted src/, a state file that could not be written): watching goes on. */
  | { kind: 'run-failed'; step: WorkshopStep; message: string }
  /** Asked for the next step while this one does not pass (`tested`: false when no result is in yet). */
  | { kind: 'not-passing-yet'; step: WorkshopStep; tested: boolean }
  | { kind: 'all-done' }
  | { kind: 'hints'; step: WorkshopStep; shown: HintsShown };

export interface WatchSessionOptions {
  root: string;
  steps: WorkshopStep[];
  start: WorkshopStep;
  onEvent: (event: WatchEvent) => void;
  /** A person at a keyboard: wait for Enter / n before the next step. Otherwise move on by itself. */
  interactive: boolean;
  poll?: boolean;
  pollIntervalMs?: number;
  /** Editors save in bursts (write, rename, chmod): wait this long after the last event before running. */
  debounceMs?: number;
  probeStack?: StackProbe;
  /** Told after every test run. */
  onResult?: (step: WorkshopStep, check: StepCheck) => void;
  /** Runs a step's tests (default: vitest in a child process; the CLI's own tests pass a faster one). */
  runTests?: StepTestRunner;
}

export interface WatchSummary {
  reason: 'stopped' | 'all done';
  step: WorkshopStep;
  progress: StepProgress[];
}

export interface WatchSession {
  current(): WorkshopStep;
  /** Runs the tests again now, changed or not. */
  rerun(): void;
  /** On to the next step that is not done, if the current one passes; false (and says why) if not. */
  next(): boolean;
  /** Takes the current step's next hint (told as a `hints` event). */
  hint(): void;
  stop(): void;
  /** Resolves once the session has ended (stopped, or every step done) and no test run is left in progress. */
  finished: Promise<WatchSummary>;
}

type StopWatching = () => void;

/** fs.watch on the whole src/ tree; falls back to polling if the platform refuses (e.g. out of inotify watches). */
function watchWithEvents(dir: string, onChange: () => void, onFailure: (reason: string) => void): StopWatching {
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, (_event, filename) => {
      if (filename && isEditorScratch(filename)) return;
      onChange();
    });
  } catch (error) {
    onFailure(error instanceof Error ? error.message : String(error));
    return () => {};
  }
  watcher.on('error', (error) => onFailure(error.message));
  return () => watcher.close();
}

/** What polling compares: every file's path, mtime and size. */
function snapshot(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !isEditorScratch(entry.name))
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      try {
        const stat = statSync(path);
        return `${path}:${stat.mtimeMs}:${stat.size}`;
      } catch {
        return `${path}:gone`; // deleted between listing and stat
      }
    })
    .sort()
    .join('\n');
}

function watchByPolling(dir: string, intervalMs: number, onChange: () => void): StopWatching {
  let last = snapshot(dir);
  const timer = setInterval(() => {
    const now = snapshot(dir);
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs);
  return () => clearInterval(timer);
}

export function startWatch(options: WatchSessionOptions): WatchSession {
  const { root, steps, onEvent, interactive } = options;
  const debounceMs = options.debounceMs ?? 250;
  let step = options.start;
  let stopWatching: StopWatching = () => {};
  let debounce: NodeJS.Timeout | undefined;
  /** The run in progress: a stop waits for it, so nothing is left running after `finished`. */
  let running: Promise<void> | undefined;
  let wanted: 'none' | 'changed' | 'forced' = 'none';
  let stopped = false;
  /** Bumped on every switch of step, so a run that finishes for the previous step is dropped. */
  let generation = 0;
  let lastHash: string | undefined;
  let lastCheck: StepCheck | undefined;
  let finish!: (summary: WatchSummary) => void;
  const finished = new Promise<WatchSummary>((resolve) => (finish = resolve));

  const srcDir = () => join(root, starterSrc(step));
  const stepAfterCurrent = () => stepAfter(rememberedProgress(steps, root), step)?.step;

  /**
   * One loop runs the tests, one run at a time; saves during a run queue one more run (not one each).
   * `forced` runs even if the code is unchanged (the first run of a step, or r).
   */
  function request(force: boolean): void {
    if (stopped) return;
    wanted = force || wanted === 'forced' ? 'forced' : 'changed';
    if (!running) {
      running = drain().finally(() => {
        running = undefined;
        if (wanted !== 'none') request(wanted === 'forced');
      });
    }
  }

  async function drain(): Promise<void> {
    while (wanted !== 'none' && !stopped) {
      const force = wanted === 'forced';
      wanted = 'none';
      try {
        await measure(force);
      } catch (error) {
        // Keep watching: the next save may well fix it (a deleted src/, a state file that could not be written).
        onEvent({ kind: 'run-failed', step, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  async function measure(force: boolean): Promise<void> {
    const hash = hashSrc(srcDir());
    if (!force && hash === lastHash) return; // saved without a change (or only an editor's scratch file)
    const mine = generation;
    const stackUp = options.probeStack ? await options.probeStack().catch(() => undefined) : undefined;
    onEvent({ kind: 'running', step });
    const check = await checkStep(root, step, stackUp, options.runTests);
    // Moved on to another step (n pressed) or stopped while the tests ran: this result is for nobody.
    if (mine !== generation || stopped) return;
    lastHash = check.srcHash;
    lastCheck = check;
    const next = check.status === 'done' ? stepAfterCurrent() : undefined;
    onEvent({ kind: 'result', step, check, stackUp, next });
    options.onResult?.(step, check);
    // Nobody to press Enter — or nothing left to move on to: go on (or finish) by itself.
    if (check.status === 'done' && (!interactive || !next)) session.next();
  }

  function onChange(): void {
    clearTimeout(debounce);
    debounce = setTimeout(() => request(false), debounceMs);
  }

  function follow(next: WorkshopStep): void {
    stopWatching();
    clearTimeout(debounce);
    generation += 1;
    lastHash = undefined;
    lastCheck = undefined;
    step = next;
    onEvent({ kind: 'watching', step });
    const dir = srcDir();
    const poll = () => watchByPolling(dir, options.pollIntervalMs ?? 500, onChange);
    stopWatching = options.poll
      ? poll()
      : watchWithEvents(dir, onChange, (reason) => {
          onEvent({ kind: 'polling-instead', reason });
          stopWatching();
          stopWatching = poll();
        });
    request(true);
  }

  function end(reason: WatchSummary['reason']): void {
    if (stopped) return;
    stopped = true;
    stopWatching();
    clearTimeout(debounce);
    void (running ?? Promise.resolve()).finally(() => finish({ reason, step, progress: rememberedProgress(steps, root) }));
  }

  const session: WatchSession = {
    current: () => step,
    rerun: () => request(true),
    next() {
      if (lastCheck?.status !== 'done') {
        onEvent({ kind: 'not-passing-yet', step, tested: lastCheck !== undefined });
        return false;
      }
      const after = stepAfterCurrent();
      if (!after) {
        onEvent({ kind: 'all-done' });
        end('all done');
        return true;
      }
      follow(after);
      return true;
    },
    hint: () => onEvent({ kind: 'hints', step, shown: takeNextHint(root, step) }),
    stop: () => end('stopped'),
    finished,
  };

  follow(step);
  return session;
}
