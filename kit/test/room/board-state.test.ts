import { describe, expect, it } from 'vitest';
import { BoardState, isParticipantStuck, isStuck, roomTotals } from '../../src/room/board-state.js';
import type { ProgressEvent } from '../../src/room/progress-event.js';

const t0 = new Date('2026-12-02T20:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const run = (participant: string, step: string, minutes: number, failing?: string): ProgressEvent => ({
  participant,
  step,
  passed: failing ? 2 : 5,
  failed: failing ? 1 : 0,
  first_failing_test: failing ?? null,
  hint: failing ? `hint for ${failing}` : null,
  time: at(minutes),
});
const stuckAfterMs = 10 * 60_000;

describe('board state', () => {
  it('keeps each participant’s last result per step', () => {
    const state = new BoardState();
    state.apply(run('bob', '02', 0, 'keys'));
    state.apply(run('alice', '02', 1));
    state.apply(run('bob', '02', 2));
    const [alice, bob] = state.participants();
    expect(alice!.participant).toBe('alice');
    expect(bob!.cells.get('02')!.state).toBe('passing');
  });

  it('is stuck when the same test has failed for longer than N minutes, not when the failure moves on', () => {
    const state = new BoardState();
    state.apply(run('alice', '03', 0, 'commits'));
    state.apply(run('alice', '03', 6, 'commits'));
    state.apply(run('alice', '03', 11, 'commits'));
    const alice = state.participants()[0]!;
    expect(isStuck(alice.cells.get('03'), at(11), stuckAfterMs)).toBe(true);

    state.apply(run('alice', '03', 12, 'counts')); // fixed that one: a new failure starts a new clock
    expect(isStuck(alice.cells.get('03'), at(12), stuckAfterMs)).toBe(false);
    expect(isStuck(alice.cells.get('03'), at(23), stuckAfterMs)).toBe(true);
  });

  it('counts a participant as stuck only on the step they work on now', () => {
    const state = new BoardState();
    state.apply(run('carol', '03', 0, 'commits'));
    state.apply(run('carol', '04', 20));
    expect(isParticipantStuck(state.participants()[0]!, at(30), stuckAfterMs)).toBe(false);
  });

  it('ignores an event older than the one shown', () => {
    const state = new BoardState();
    state.apply(run('dan', '02', 5));
    state.apply(run('dan', '02', 1, 'keys'));
    expect(state.participants()[0]!.cells.get('02')!.state).toBe('passing');
  });

  it('totals the room: participants, steps passed, stuck, passing per step', () => {
    const state = new BoardState();
    state.apply(run('alice', '02', 0));
    state.apply(run('alice', '03', 1, 'commits'));
    state.apply(run('bob', '02', 0));
    state.apply(run('bob', '03', 0));
    expect(roomTotals(state.participants(), ['02', '03', '04'], at(15), stuckAfterMs)).toEqual({
      participants: 2,
      stuck: 1,
      stepsPassed: 3,
      passingPerStep: { '02': 2, '03': 1, '04': 0 },
    });
  });
});
