import type { ProgressEvent } from './progress-event.js';

/**
 * The board's model: the last result of every (participant, step), folded from the progress events in the order they
 * arrive. Pure — no clock of its own, no I/O — so the grid, "stuck" and the totals are tested without a stack.
 */

export type CellState = 'passing' | 'failing';

export interface Cell {
  state: CellState;
  passed: number;
  failed: number;
  firstFailingTest: string | null;
  hint: string | null;
  /** When the last run ended. */
  at: Date;
  /** Since when the same test has been the first to fail, run after run (failing cells only). */
  failingSince?: Date;
}

export interface ParticipantRow {
  participant: string;
  cells: Map<string, Cell>;
  /** The step of the most recent run: where the participant is working now. */
  currentStep: string;
  lastSeen: Date;
}

export class BoardState {
  private readonly rows = new Map<string, ParticipantRow>();

  apply(event: ProgressEvent): void {
    const row = this.rows.get(event.participant) ?? {
      participant: event.participant,
      cells: new Map(),
      currentStep: event.step,
      lastSeen: event.time,
    };
    const previous = row.cells.get(event.step);
    // An event older than what we already show (a late retry) changes nothing.
    if (previous && previous.at > event.time) return;
    const failing = event.failed > 0 || event.passed === 0;
    const sameFailure = failing && previous?.state === 'failing' && previous.firstFailingTest === event.first_failing_test;
    row.cells.set(event.step, {
      state: failing ? 'failing' : 'passing',
      passed: event.passed,
      failed: event.failed,
      firstFailingTest: event.first_failing_test,
      hint: event.hint,
      at: event.time,
      ...(failing ? { failingSince: sameFailure ? (previous.failingSince ?? previous.at) : event.time } : {}),
    });
    if (event.time >= row.lastSeen) {
      row.lastSeen = event.time;
      row.currentStep = event.step;
    }
    this.rows.set(event.participant, row);
  }

  participants(): ParticipantRow[] {
    return [...this.rows.values()].sort((a, b) => a.participant.localeCompare(b.participant));
  }
}

/** A failing cell whose first failing test has stayed the same for longer than `stuckAfterMs`. */
export function isStuck(cell: Cell | undefined, now: Date, stuckAfterMs: number): boolean {
  return cell?.state === 'failing' && cell.failingSince !== undefined && now.getTime() - cell.failingSince.getTime() > stuckAfterMs;
}

/** Stuck where it matters: on the step the participant is working on now (an abandoned red step is not "stuck"). */
export function isParticipantStuck(row: ParticipantRow, now: Date, stuckAfterMs: number): boolean {
  return isStuck(row.cells.get(row.currentStep), now, stuckAfterMs);
}

export interface RoomTotals {
  participants: number;
  stuck: number;
  /** Per step: how many participants pass it. */
  passingPerStep: Record<string, number>;
  /** Every participant's passing steps, added up. */
  stepsPassed: number;
}

export function roomTotals(rows: ParticipantRow[], steps: readonly string[], now: Date, stuckAfterMs: number): RoomTotals {
  const passingPerStep = Object.fromEntries(
    steps.map((step) => [step, rows.filter((row) => row.cells.get(step)?.state === 'passing').length]),
  );
  return {
    participants: rows.length,
    stuck: rows.filter((row) => isParticipantStuck(row, now, stuckAfterMs)).length,
    passingPerStep,
    stepsPassed: Object.values(passingPerStep).reduce((sum, count) => sum + count, 0),
  };
}
