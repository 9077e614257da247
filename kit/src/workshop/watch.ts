import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { paint } from '@workshop/shared/terminal';
import { takeNextHint } from './hints.js';
import { allDoneLines, checkStep, passingTests, rememberedProgress, solutionPlace, stepAfter, type StackProbe, type StepProgress } from './progress.js';
import { hashSrc, isEditorScratch, type StepCheck } from './state.js';
import { starterSrc, stepNumber, type WorkshopStep } from './steps.js';

/**
 * `npm run watch`: the current step's tests, re-run every time a file in its src/ is saved. Shows only the
 * first failing test (its message is the hint to follow); once the step passes, says where the solution
 * is and moves on to the next step when asked — or, with nobody at a keyboard (no TTY), by itself.
 *
 * Change events come from fs.watch, or with `poll` from comparing every file's mtime and size on a timer:
 * for file systems that do not deliver events (WSL under /mnt, network drives, some containers).
 */

export interface WatchOptions {
  root: string;
  steps: WorkshopStep[];
  start: WorkshopStep;
  out: (line: string) => void;
  /** A person at a keyboard: wait for Enter / n before the next step. Otherwise move on by itself. */
  interactive: boolean;
  poll?: boolean;
  pollIntervalMs?: number;
  /** Editors save in bursts (write, rename, chmod): wait this long after the last event before running. */
  debounceMs?: number;
  probeStack?: StackProbe;
  /** Clears the terminal before each result (TTY only), so the screen shows the current state, not a history. */
  clearScreen?: () => void;
  /** Told after every test run. */
  onResult?: (step: WorkshopStep, check: StepCheck) => void;
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
  /** Prints the current step's next hint. */
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

export function startWatch(options: WatchOptions): WatchSession {
  const { root, steps, out, interactive } = options;
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

  function header(): string[] {
    const number = stepNumber(step);
    const lines = [paint('bold', `▸ step ${number} — ${step.title}`), `  read ${`steps/${step.dir}/README.md`}${step.exercise ? `, edit ${starterSrc(step)}/` : ''}`];
    const keys = interactive ? 'keys: h hint · r re-run · n next step (once it passes) · q quit' : 'Ctrl-C to stop';
    lines.push(paint('dim', `  the tests re-run whenever a file in ${starterSrc(step)}/ is saved${options.poll ? ' (polling for changes)' : ''} — ${keys}`));
    return lines;
  }

  function report(check: StepCheck, stackUp: boolean | undefined): void {
    const number = stepNumber(step);
    const lines = [''];
    if (check.status === 'done') {
      lines.push(paint('green', `✓ step ${number} done — ${check.passed === 1 ? 'its test passes' : `all ${check.passed} tests pass`}.`));
      if (step.exercise) lines.push(`  The reference solution is in ${solutionPlace(step)}.`);
      const next = stepAfter(rememberedProgress(steps, root), step);
      if (!next) lines.push('  That was the last step left.');
      else if (interactive) lines.push(paint('bold', `  Press Enter (or n) for step ${stepNumber(next.step)} — ${next.step.title}; q to quit.`));
      else lines.push(`  No keyboard here (not a TTY): moving on to step ${stepNumber(next.step)} by itself.`);
    } else {
      lines.push(paint('red', `✗ step ${number}: ${passingTests(check)}${check.firstFailingTest ? ` — first failing: "${check.firstFailingTest}"` : ''}`));
      for (const line of (check.firstFailure ?? '(no message)').split('\n')) lines.push(`  ${line}`);
      if (stackUp === false) lines.push(paint('yellow', '  The stack is not up: npm run stack:up (in another terminal), then save again or press r.'));
      lines.push(paint('dim', `  stuck? ${interactive ? 'press h, or ' : ''}npm run hint -- ${number} · waiting for a save in ${starterSrc(step)}/…`));
    }
    if (options.clearScreen) {
      options.clearScreen();
      for (const line of header()) out(line);
    }
    for (const line of lines) out(line);
  }

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
        out(paint('red', `  could not run the tests of step ${stepNumber(step)}: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  }

  async function measure(force: boolean): Promise<void> {
    const hash = hashSrc(srcDir());
    if (!force && hash === lastHash) return; // saved without a change (or only an editor's scratch file)
    const mine = generation;
    const stackUp = options.probeStack ? await options.probeStack().catch(() => undefined) : undefined;
    out(paint('dim', `  running the tests of step ${stepNumber(step)}…`)); // on a TTY, cleared with the result
    const check = await checkStep(root, step, stackUp);
    // Moved on to another step (n pressed) or stopped while the tests ran: this result is for nobody.
    if (mine !== generation || stopped) return;
    lastHash = check.srcHash;
    lastCheck = check;
    report(check, stackUp);
    options.onResult?.(step, check);
    // Nobody to press Enter — or nothing left to move on to: go on (or finish) by itself.
    if (check.status === 'done' && (!interactive || !stepAfter(rememberedProgress(steps, root), step))) session.next();
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
    if (options.clearScreen) options.clearScreen();
    else out('');
    for (const line of header()) out(line);
    const dir = srcDir();
    const poll = () => watchByPolling(dir, options.pollIntervalMs ?? 500, onChange);
    stopWatching = options.poll
      ? poll()
      : watchWithEvents(dir, onChange, (reason) => {
          out(paint('yellow', `  file change events stopped (${reason}) — polling instead; npm run watch -- --poll does that from the start`));
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
        out(paint('yellow', `  step ${stepNumber(step)} ${lastCheck ? 'does not pass yet' : 'has no test result yet'} — it has to pass before the next one.`));
        return false;
      }
      const after = stepAfter(rememberedProgress(steps, root), step);
      if (!after) {
        out('');
        for (const line of allDoneLines(steps)) out(line);
        end('all done');
        return true;
      }
      follow(after.step);
      return true;
    },
    hint() {
      const { hints, total } = takeNextHint(root, step);
      for (const hint of hints) out(`  ${paint('yellow', `hint ${hint.number} of ${total}:`)} ${hint.text}`);
      if (total === 0) out('  no hints for this step — its README.md and the failing test say what to do');
    },
    stop: () => end('stopped'),
    finished,
  };

  follow(step);
  return session;
}
