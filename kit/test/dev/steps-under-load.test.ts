import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runStepsRepeatedly, startCpuBurners } from '../../src/dev/steps-under-load.js';
import type { StepTestOutcome } from '../../src/workshop/run-step-tests.js';
import type { WorkshopStep } from '../../src/workshop/steps.js';

const step = (dir: string, exercise = true): WorkshopStep => ({ dir, title: dir, teaches: 'x', exercise, hints: ['h'] });

function outcome(seconds: number, failedTests: string[] = []): StepTestOutcome {
  return {
    passed: 3 - failedTests.length,
    failed: failedTests.length,
    firstFailure: failedTests.length > 0 ? 'HintError: waited 10 s for the beacon' : undefined,
    firstFailingTest: failedTests[0],
    firstFailureIsHint: failedTests.length > 0,
    crashed: false,
    seconds,
    tests: failedTests.map((fullName) => ({
      fullName,
      status: 'failed' as const,
      failureMessages: ['HintError: waited 10 s for the beacon'],
    })),
  };
}

/** The burners' own processes: children of this test process running the burner script. */
function burnerPids(): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=,ppid=,args=', '-e'], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === process.pid && args.join(' ').includes('process.ppid !== parent'))
    .map(([pid]) => Number(pid));
}

/** The process's scheduler state (/proc/PID/stat field 3): R runnable, S sleeping, … */
function processState(pid: number): string | undefined {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[0];
}

describe('steps under load', () => {
  it('keeps the CPU busy with one spinning process per burner until stopped, and leaves none behind', async () => {
    const burners = startCpuBurners(2);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pids = burnerPids();
      expect(pids).toHaveLength(2);
      // Spinning, not sleeping: runnable ("R") whenever we look, however busy the machine is with other work — a process
      // that waits on anything shows "S". CPU time is no measure here: on a loaded machine a burner gets little of it.
      for (let sample = 0; sample < 5; sample += 1) {
        expect(pids.map(processState)).toEqual(['R', 'R']);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await burners.stop();
    }
    expect(burnerPids()).toEqual([]);
  });

  it('runs each suite N times on the reference, counting failed runs, the slowest, and which tests failed how often', async () => {
    const seen: string[] = [];
    const plan: Record<string, StepTestOutcome[]> = {
      '00-stack': [outcome(2), outcome(3)],
      '08-button-app': [outcome(20), outcome(41, ['browser > sends the exit beacon']), outcome(25)],
    };
    const results = await runStepsRepeatedly([step('00-stack', false), step('08-button-app')], {
      runs: 2,
      runTests: async (dir, target) => {
        seen.push(`${dir}:${target}`);
        const next = plan[dir]?.shift();
        if (!next) throw new Error(`no more fake runs for ${dir}`);
        return next;
      },
    });

    expect(seen).toEqual(['00-stack:starter', '00-stack:starter', '08-button-app:solution', '08-button-app:solution']);
    expect(results.map((r) => [r.step.dir, r.runs, r.failures, r.slowestSeconds])).toEqual([
      ['00-stack', 2, 0, 3],
      ['08-button-app', 2, 1, 41],
    ]);
    expect([...(results[1]?.failingTests ?? [])]).toEqual([['browser > sends the exit beacon', 1]]);
  });
});
