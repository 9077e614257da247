import { join } from 'node:path';
import { paint, table, type CommandResult } from '@workshop/shared/terminal';
import { isUnchangedFromHead } from './git.js';
import { readableFailure, runStepTests } from './run-step-tests.js';
import { hashSrc, readState, updateState, updateStepState, type StepCheck, type WorkshopState } from './state.js';
import { solutionSrc, starterSrc, stepNumber, type WorkshopStep } from './steps.js';

/**
 * Where a participant stands: each step done, failing or not started. A status is measured by running the
 * step's tests against the participant's own src/ (quietly), and remembered with a hash of that src/, so
 * the list is instant until the code changes.
 */

export type StepStatus = 'done' | 'failing' | 'not started';

export interface StepProgress {
  step: WorkshopStep;
  status: StepStatus;
  /** The test result the status comes from ("not started": none). */
  check?: StepCheck;
}

/** "Does the stack answer?" — asked by the CLI (the tests of a fake workshop need no stack, so leave it out). */
export type StackProbe = () => Promise<boolean | undefined>;

export interface ProgressOptions {
  root: string;
  /** Run the tests again even where a remembered result is still fresh (a starter nobody touched stays "not started"). */
  refresh?: boolean;
  probeStack?: StackProbe;
  /** Told before a step's tests run, so a long check does not look like a hang. */
  onChecking?: (step: WorkshopStep) => void;
}

/** Runs the step's tests on the participant's code and remembers the result. */
export async function checkStep(root: string, step: WorkshopStep, stackUp?: boolean): Promise<StepCheck> {
  // Hash first: a save while the tests run then makes the result stale, never wrongly fresh.
  const srcHash = hashSrc(join(root, starterSrc(step)));
  const outcome = await runStepTests(step.dir, 'starter', { root });
  const done = !outcome.crashed && outcome.failed === 0 && outcome.passed > 0;
  const check: StepCheck = {
    status: done ? 'done' : 'failing',
    srcHash,
    checkedAt: new Date().toISOString(),
    passed: outcome.passed,
    failed: outcome.failed,
    ...(outcome.firstFailingTest ? { firstFailingTest: outcome.firstFailingTest } : {}),
    ...(outcome.firstFailure ? { firstFailure: readableFailure(outcome.firstFailure) } : {}),
    ...(stackUp === undefined ? {} : { stackUp }),
  };
  updateStepState(root, step.dir, (state) => {
    state.check = check;
    if (done) state.solvedAt ??= check.checkedAt;
  });
  return check;
}

/** The status that needs no test run, or undefined when the tests must run to know it. */
function rememberedStatus(root: string, step: WorkshopStep, state: WorkshopState, stackUpNow: boolean | undefined, refresh: boolean): StepProgress | undefined {
  const check = state.steps[step.dir]?.check;
  if (!check) {
    // An exercise nobody touched has nothing to measure: its starter fails by design. (The tour has no
    // starter to touch, so it is measured.)
    return step.exercise && isUnchangedFromHead(root, starterSrc(step)) === true ? { step, status: 'not started' } : undefined;
  }
  if (refresh || check.srcHash !== hashSrc(join(root, starterSrc(step)))) return undefined;
  if (check.status === 'failing' && check.stackUp === false && stackUpNow === true) return undefined;
  return { step, status: check.status, check };
}

/** Every step's status, running the tests only where nothing fresh is remembered. */
export async function workshopProgress(steps: WorkshopStep[], options: ProgressOptions): Promise<StepProgress[]> {
  const { root } = options;
  let stackUp: Promise<boolean | undefined> | undefined;
  const stackUpNow = () => (stackUp ??= options.probeStack ? options.probeStack().catch(() => undefined) : Promise.resolve(undefined));
  const progress: StepProgress[] = [];
  for (const step of steps) {
    const state = readState(root);
    const checkedWithoutStack = state.steps[step.dir]?.check?.stackUp === false;
    const remembered = rememberedStatus(root, step, state, checkedWithoutStack ? await stackUpNow() : undefined, options.refresh ?? false);
    if (remembered) {
      progress.push(remembered);
      continue;
    }
    options.onChecking?.(step);
    const check = await checkStep(root, step, await stackUpNow());
    progress.push({ step, status: check.status, check });
  }
  return progress;
}

/** Statuses from what is remembered only (no test runs): a step whose result is stale counts as not done. */
export function rememberedProgress(steps: WorkshopStep[], root: string): StepProgress[] {
  const state = readState(root);
  return steps.map((step) => rememberedStatus(root, step, state, undefined, false) ?? { step, status: 'failing' });
}

/** The first step that is not done: where a participant should be. */
export function nextStep(progress: StepProgress[]): StepProgress | undefined {
  return progress.find((p) => p.status !== 'done');
}

/** The first step not done after `current` (then from the start), for watch's "next step". */
export function stepAfter(progress: StepProgress[], current: WorkshopStep): StepProgress | undefined {
  const index = progress.findIndex((p) => p.step.dir === current.dir);
  return [...progress.slice(index + 1), ...progress.slice(0, Math.max(index, 0))].find((p) => p.status !== 'done');
}

/** "1 of 2 tests pass", "0 of 1 test passes". */
export function passingTests(result: { passed: number; failed: number }): string {
  const total = result.passed + result.failed;
  return `${result.passed} of ${total} ${total === 1 ? 'test passes' : 'tests pass'}`;
}

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} steps done`;
}

const statusIcon: Record<StepStatus, string> = { done: '✓', failing: '✗', 'not started': '·' };
const statusStyle = { done: 'green', failing: 'red', 'not started': 'dim' } as const;

/** The first line of a failure, short enough for one line of the list. */
function failureHeadline(check: StepCheck | undefined): string | undefined {
  const line = check?.firstFailure?.split('\n')[0]?.trim();
  if (!line) return undefined;
  return line.length > 110 ? `${line.slice(0, 109)}…` : line;
}

export function progressLines(progress: StepProgress[]): string[] {
  const rows = progress.map((p) => [statusIcon[p.status], p.step.dir, p.step.title, p.status === 'failing' && p.check ? `failing (${passingTests(p.check)})` : p.status]);
  const lines: string[] = [];
  table(rows)
    .split('\n')
    .forEach((line, index) => {
      const p = progress[index]!;
      lines.push(`  ${paint(statusStyle[p.status], line)}`);
      const headline = p.status === 'failing' ? failureHeadline(p.check) : undefined;
      if (headline) lines.push(paint('dim', `      ↳ ${headline}`));
    });
  const done = progress.filter((p) => p.status === 'done').length;
  lines.push('', `  ${progressBar(done, progress.length)}`);
  return lines;
}

export function welcomeLines(): string[] {
  return [
    paint('bold', 'Welcome to the workshop!'),
    'You build a streaming pipeline one numbered step at a time. Each step is a folder under steps/: read its',
    'README.md, fill in the TODOs in its src/, and its tests tell you what to do next. Commands, at the root:',
    '  npm run workshop              this list (statuses come from running each step\'s tests; -- --refresh runs them again)',
    '  npm run watch                 re-runs the current step\'s tests every time you save a file',
    '  npm run hint -- NN            the next hint for step NN (ask again for more)',
    '  npm run reset -- NN           puts step NN\'s src/ back to the starter (a copy of yours is kept)',
    '  npm run solution -- NN        the reference solution, once step NN passes',
    '',
  ];
}

/** Word-wraps `text` to `width` columns; lines after the first start with `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - (lines.length ? indent.length : 0)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export function nextStepLines(next: StepProgress): string[] {
  const { step } = next;
  const number = stepNumber(step);
  const lines = [
    paint('bold', `Next: step ${number} — ${step.title}`),
    `  you learn  ${wrap(step.teaches, 96, '             ')}`,
    `  read       steps/${step.dir}/README.md`,
  ];
  if (step.exercise) lines.push(`  edit       ${starterSrc(step)}/  (the TODOs)`);
  lines.push(`  run        npm run watch  (re-runs the tests of step ${number} on every save)`, `  stuck?     npm run hint -- ${number}`);
  return lines;
}

export function allDoneLines(steps: WorkshopStep[]): string[] {
  const exercises = steps.filter((step) => step.exercise);
  const example = exercises[0] ? stepNumber(exercises[0]) : 'NN';
  return [
    paint('green', paint('bold', `Every step passes — all ${steps.length} of them. You built the whole thing.`)),
    `  Compare your code with the reference solutions: npm run solution -- ${example}  (solutions/ has them all)`,
    '  See the reference pipeline run live: npm start',
  ];
}

/** `npm run workshop`: welcome (first time), the list, the progress bar and what to do next. */
export async function showWorkshop(steps: WorkshopStep[], options: ProgressOptions & { out: (line: string) => void }): Promise<CommandResult> {
  const { out, root } = options;
  const firstRun = !readState(root).welcomedAt;
  if (firstRun) {
    for (const line of welcomeLines()) out(line);
    updateState(root, (state) => {
      state.welcomedAt = new Date().toISOString();
    });
  }
  const progress = await workshopProgress(steps, {
    ...options,
    onChecking: (step) => {
      out(paint('dim', `  checking ${step.dir} (running its tests)…`));
      options.onChecking?.(step);
    },
  });
  for (const line of progressLines(progress)) out(line);
  out('');
  const next = nextStep(progress);
  const done = progress.filter((p) => p.status === 'done').length;
  if (!next) {
    for (const line of allDoneLines(steps)) out(line);
    return { ok: true, summary: `workshop: all ${steps.length} steps done` };
  }
  for (const line of nextStepLines(next)) out(line);
  if (!firstRun) out(paint('dim', '  more: npm run hint -- NN · reset -- NN · solution -- NN · workshop -- --refresh'));
  return { ok: true, pending: true, summary: `workshop: ${done} of ${steps.length} steps done — next: ${next.step.dir} (npm run watch)` };
}

/** Where a step's reference solution is, for messages. */
export function solutionPlace(step: WorkshopStep): string {
  return `${solutionSrc(step)}/ (npm run solution -- ${stepNumber(step)})`;
}
