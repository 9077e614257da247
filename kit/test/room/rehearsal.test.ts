import { describe, expect, it } from 'vitest';
import { isValidParticipant } from '@workshop/shared';
import { BoardState } from '../../src/room/board-state.js';
import { rehearsalParticipants, rehearse, stepTimes } from '../../src/room/rehearsal.js';
import { boardCaughtUp, boardText, participantTable } from '../../src/room/rehearsal-report.js';
import type { RunStepTestsOptions, StepTestOutcome } from '../../src/workshop/run-step-tests.js';

const outcome = (passed: number, failed: number, seconds: number): StepTestOutcome => ({
  passed,
  failed,
  seconds,
  crashed: false,
  firstFailureIsHint: false,
  tests: [],
  ...(failed ? { firstFailure: 'HintError: do it', firstFailingTest: 'x > y' } : {}),
});

describe('room rehearsal', () => {
  it('names each participant once, validly, with the run’s tag', () => {
    const names = rehearsalParticipants(20, 'k3x9');
    expect(new Set(names).size).toBe(20);
    expect(names.slice(0, 2)).toEqual(['alice-k3x9', 'bob-k3x9']);
    expect(names.every(isValidParticipant)).toBe(true);
  });

  it('runs each participant’s steps in order, the participants side by side, each in her namespace on the solution, publishing', async () => {
    const calls: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const runner = async (step: string, target: 'starter' | 'solution', options?: RunStepTestsOptions) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      calls.push(`${options?.extraEnv?.WORKSHOP_PARTICIPANT} ${step} ${target} board=${options?.extraEnv?.WORKSHOP_BOARD}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return outcome(3, 0, step === '02' ? 1 : 3);
    };
    const results = await rehearse({ participants: ['alice-t', 'bob-t'], steps: ['02', '03'], runner });
    expect(mostAtOnce).toBe(2);
    expect(calls.filter((call) => call.startsWith('alice-t'))).toEqual(['alice-t 02 solution board=on', 'alice-t 03 solution board=on']);
    expect(results.map((result) => result.runs.map((run) => run.step))).toEqual([
      ['02', '03'],
      ['02', '03'],
    ]);
    expect(stepTimes(results, ['02', '03'])).toEqual([
      { step: '02', min: 1, mean: 1, max: 1 },
      { step: '03', min: 3, mean: 3, max: 3 },
    ]);
  });

  it('knows when the board has caught up with every run, and prints what it shows', () => {
    const results = [
      {
        participant: 'alice-t',
        seconds: 4,
        runs: [
          { step: '02-produce-json', outcome: outcome(5, 0, 2) },
          { step: '03-consume', outcome: outcome(2, 1, 2) },
        ],
      },
    ];
    const state = new BoardState();
    const time = new Date();
    state.apply({ participant: 'alice-t', step: '02-produce-json', passed: 5, failed: 0, first_failing_test: null, hint: null, time });
    expect(boardCaughtUp(state, results)).toBe(false);
    state.apply({ participant: 'alice-t', step: '03-consume', passed: 2, failed: 1, first_failing_test: 'x > y', hint: 'do it', time });
    expect(boardCaughtUp(state, results)).toBe(true);
    expect(boardText(state, ['alice-t'], ['02-produce-json', '03-consume', '04-avro'], time, 600_000).at(-1)).toMatch(
      /^alice-t\s+✓ 5\s+✗ 2\/3\s+·$/,
    );
    expect(participantTable(results, ['02-produce-json', '03-consume']).at(-1)).toMatch(/^alice-t\s+✓ 2\.0 s\s+✗ 2\/3 2\.0 s\s+4\.0 s$/);
  });
});
