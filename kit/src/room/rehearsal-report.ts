import { paint, table } from '@workshop/shared/terminal';
import { type BoardState, isStuck } from './board-state.js';
import { isGreen, type ParticipantRun, type StepRun, stepTimes } from './rehearsal.js';

/** What `npm run room:rehearse` prints: per participant, per step, the board's view, in plain text. */

const seconds = (s: number) => `${s.toFixed(1)} s`;

function runCell(run: StepRun | undefined): string {
  if (!run) return '·';
  const { outcome } = run;
  return isGreen(run)
    ? `✓ ${seconds(outcome.seconds)}`
    : `✗ ${outcome.passed}/${outcome.passed + outcome.failed} ${seconds(outcome.seconds)}`;
}

/** One row per participant: each step's result and test time, and her wall-clock total. */
export function participantTable(results: readonly ParticipantRun[], steps: readonly string[]): string[] {
  const rows = [
    ['participant', ...steps.map((step) => step.slice(0, 2)), 'total'],
    ...results.map((result) => [
      result.participant,
      ...steps.map((step) => runCell(result.runs.find((run) => run.step === step))),
      seconds(result.seconds),
    ]),
  ];
  return table(rows).split('\n');
}

/** Per step: the fastest, mean and slowest participant's test time. */
export function stepTimeTable(results: readonly ParticipantRun[], steps: readonly string[]): string[] {
  const rows = [
    ['step', 'min', 'mean', 'max'],
    ...stepTimes(results, steps).map((times) => [times.step, seconds(times.min), seconds(times.mean), seconds(times.max)]),
  ];
  return table(rows).split('\n');
}

/** The first failures, so a red rehearsal says why without a second run. */
export function failureLines(results: readonly ParticipantRun[]): string[] {
  return results.flatMap((result) =>
    result.runs
      .filter((run) => !isGreen(run))
      .map((run) => {
        const why = (run.outcome.firstFailure ?? 'no test ran').split('\n')[0]!.slice(0, 240);
        return paint('red', `  ✗ ${result.participant} ${run.step}: ${run.outcome.firstFailingTest ?? '(the suite did not run)'} — ${why}`);
      }),
  );
}

/** The board's grid as the presenter's page shows it (✓ passing, ✗ failing, ! stuck, · untouched), for the terminal. */
export function boardText(
  state: BoardState,
  participants: readonly string[],
  steps: readonly string[],
  now: Date,
  stuckAfterMs: number,
): string[] {
  const rows = state.participants().filter((row) => participants.includes(row.participant));
  const lines = [
    ['participant', ...steps.map((step) => step.slice(0, 2))],
    ...rows.map((row) => [
      row.participant,
      ...steps.map((step) => {
        const cell = row.cells.get(step);
        if (!cell) return '·';
        if (cell.state === 'passing') return `✓ ${cell.passed}`;
        return `${isStuck(cell, now, stuckAfterMs) ? '!' : '✗'} ${cell.passed}/${cell.passed + cell.failed}`;
      }),
    ]),
  ];
  return table(lines).split('\n');
}

/** Has every participant's every step reached the board, with her run's passed count and colour? */
export function boardCaughtUp(state: BoardState, results: readonly ParticipantRun[]): boolean {
  const rows = new Map(state.participants().map((row) => [row.participant, row]));
  return results.every((result) =>
    result.runs.every((run) => {
      const cell = rows.get(result.participant)?.cells.get(run.step);
      return cell !== undefined && cell.passed === run.outcome.passed && (cell.state === 'passing') === isGreen(run);
    }),
  );
}
