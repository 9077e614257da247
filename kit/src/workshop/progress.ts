import { join } from 'node:path';
import { isUnchangedFromHead } from './git.js';
import { readableFailure, runStepTests, type StepTestRunner } from './run-step-tests.js';
import { hashSrc, readState, updateStepState, type StepCheck, type WorkshopState } from './state.js';
import { starterSrc, type WorkshopStep } from './steps.js';

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
  /** Runs a step's tests (default: vitest in a child process; the CLI's own tests pass a faster one). */
  runTests?: StepTestRunner;
}

/** Runs the step's tests on the participant's code and remembers the result. */
export async function checkStep(
  root: string,
  step: WorkshopStep,
  stackUp?: boolean,
  runTests: StepTestRunner = runStepTests,
): Promise<StepCheck> {
  // Hash first: a save while the tests run then makes the result stale, never wrongly fresh.
  const srcHash = hashSrc(join(root, starterSrc(step)));
  const outcome = await runTests(step.dir, 'starter', { root });
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
function rememberedStatus(
  root: string,
  step: WorkshopStep,
  state: WorkshopState,
  stackUpNow: boolean | undefined,
  refresh: boolean,
): StepProgress | undefined {
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
    const check = await checkStep(root, step, await stackUpNow(), options.runTests);
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
