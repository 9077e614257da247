import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { runStepTests, type StepTestOutcome } from '../workshop/run-step-tests.js';
import type { WorkshopStep } from '../workshop/steps.js';

/**
 * "No flakes under load": every step's suite, several times in a row on the reference, while every core is busy with
 * something else — a participant's laptop runs a browser, an IDE and the stack beside the tests. A test that waits on
 * the clock instead of the event fails here first.
 */

/**
 * A burner spins for ~200 ms at a time, then checks that the process that started it is still its parent: if the
 * check's own process is killed outright (no clean-up runs), the burners are re-parented and end themselves instead
 * of spinning forever.
 */
const burnerScript = `const parent = process.ppid;
for (;;) {
  const until = Date.now() + 200;
  while (Date.now() < until);
  if (process.ppid !== parent) process.exit(0);
}`;

export interface CpuBurners {
  count: number;
  stop(): Promise<void>;
}

/** One spinning process per core (default), started now; stop() ends them and waits until they are gone. */
export function startCpuBurners(count = availableParallelism()): CpuBurners {
  const children: ChildProcess[] = Array.from({ length: count }, () => spawn(process.execPath, ['-e', burnerScript], { stdio: 'ignore' }));
  let stopping: Promise<void> | undefined;
  return {
    count,
    stop() {
      stopping ??= Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      ).then(() => undefined);
      return stopping;
    },
  };
}

export interface StepLoadResult {
  step: WorkshopStep;
  runs: number;
  failures: number;
  slowestSeconds: number;
  /** Full names of the tests that failed in any run, with how many runs each failed in. */
  failingTests: Map<string, number>;
  /** The first failure's message, to show what went wrong without rerunning. */
  firstFailure?: string;
}

export interface LoadRunOptions {
  runs: number;
  /** Told after each run (step, run number from 1, its outcome), so minutes of runs do not look like a hang. */
  onRun?: (step: WorkshopStep, run: number, outcome: StepTestOutcome) => void;
  shouldStop?: () => boolean;
  /** Runs a step's suite (tests pass a fake). */
  runTests?: typeof runStepTests;
}

/** Each step's suite `runs` times in a row on the reference (the tour on its only code), one step after another. */
export async function runStepsRepeatedly(steps: WorkshopStep[], options: LoadRunOptions): Promise<StepLoadResult[]> {
  const runTests = options.runTests ?? runStepTests;
  const results: StepLoadResult[] = [];
  for (const step of steps) {
    const result: StepLoadResult = { step, runs: 0, failures: 0, slowestSeconds: 0, failingTests: new Map() };
    for (let run = 1; run <= options.runs && !options.shouldStop?.(); run += 1) {
      const outcome = await runTests(step.dir, step.exercise ? 'solution' : 'starter');
      result.runs += 1;
      result.slowestSeconds = Math.max(result.slowestSeconds, outcome.seconds);
      if (outcome.crashed || outcome.failed > 0) {
        result.failures += 1;
        result.firstFailure ??= outcome.firstFailure;
        const failed = outcome.tests.filter((test) => test.status === 'failed').map((test) => test.fullName);
        // A suite that crashed has no failing test to name: count it under the suite.
        for (const name of failed.length > 0 ? failed : [`(the suite: ${outcome.firstFailure?.split('\n')[0] ?? 'no report'})`]) {
          result.failingTests.set(name, (result.failingTests.get(name) ?? 0) + 1);
        }
      }
      options.onRun?.(step, run, outcome);
    }
    results.push(result);
  }
  return results;
}
