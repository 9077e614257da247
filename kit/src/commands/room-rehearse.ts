import { parseArgs } from 'node:util';
import { KitError } from '@workshop/shared';
import { paint, printSummary, runCommand } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile, takeSecureFlag } from '@workshop/infra/profiles';
import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { startBoard } from '../room/board.js';
import { removeNamespace } from '../room/namespace-objects.js';
import { isGreen, rehearsalParticipants, rehearsalTag, rehearse } from '../room/rehearsal.js';
import { boardCaughtUp, boardText, failureLines, participantTable, stepTimeTable } from '../room/rehearsal-report.js';

/**
 * npm run room:rehearse -- --participants N [--steps 02,03] [--board-port P] [--keep] — N simulated participants, each in
 * a namespace of her own, run steps 02–06's tests on the reference solutions at the same time against the one stack this
 * checkout points at; the board follows them live. Prints each participant's results and test times, the time per step,
 * the board's view, and one line: green only when every run passed and the board showed every one of them.
 */
const usage = 'usage: npm run room:rehearse -- --participants N [--steps 02,03,04,05,06] [--board-port 0] [--keep]';
const defaultSteps = ['02', '03', '04', '05', '06'];
/** How long the board may take to show the last runs: each is published by a detached process within seconds. */
const boardCatchUpMs = 60_000;
const stuckAfterMs = 10 * 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: takeSecureFlag(process.argv.slice(2)),
    options: {
      participants: { type: 'string', default: '3' },
      steps: { type: 'string' },
      'board-port': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.participants);
  const boardPort = Number(values['board-port']);
  if (!Number.isInteger(count) || count < 1 || count > 40 || !Number.isInteger(boardPort) || boardPort < 0 || boardPort > 65535) {
    throw new KitError('room:rehearse: --participants must be a whole number from 1 to 40, --board-port a port', {
      hint: usage,
      code: 'usage',
    });
  }
  const steps = selectSteps(readWorkshopSteps(), values.steps ? values.steps.split(',').map((s) => s.trim()) : defaultSteps).map(
    (step) => step.dir,
  );

  const profile = await openStackProfile();
  if (!(await everyServiceWorks(profile))) {
    throw new KitError(`the ${profile.name} stack does not answer — the rehearsal runs the steps' tests on it`, {
      hint: 'npm run stack:up, then npm run stack:status',
    });
  }
  const config = profile.config();
  const participants = rehearsalParticipants(count, rehearsalTag());
  const board = await startBoard(config, {
    host: '127.0.0.1',
    port: boardPort,
    steps: readWorkshopSteps().map((step) => step.dir),
    stuckAfterMs,
    refreshMs: 1000,
  });
  console.log(`  Board   ${board.url}`);
  console.log(
    paint(
      'dim',
      `  ${count} participant(s) on the ${profile.name} stack: ${participants.join(', ')} — steps ${steps.map((s) => s.slice(0, 2)).join(' ')}`,
    ),
  );

  const started = performance.now();
  let results: Awaited<ReturnType<typeof rehearse>>;
  try {
    results = await rehearse({
      participants,
      steps,
      progress: (participant, run) =>
        console.log(
          paint(
            isGreen(run) ? 'dim' : 'red',
            `  ${participant} ${run.step}: ${run.outcome.passed} passed, ${run.outcome.failed} failed, ${run.outcome.seconds.toFixed(1)} s`,
          ),
        ),
    });
  } catch (error) {
    await board.stop();
    throw error;
  }
  const wallSeconds = (performance.now() - started) / 1000;

  // The board is fed by detached publishers: give the last ones time to land, and say so if they do not.
  const deadline = Date.now() + boardCatchUpMs;
  while (!boardCaughtUp(board.state, results) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  const boardOk = boardCaughtUp(board.state, results);

  console.log('');
  for (const line of participantTable(results, steps)) console.log(`  ${line}`);
  console.log('');
  for (const line of stepTimeTable(results, steps)) console.log(`  ${line}`);
  console.log('');
  console.log(paint('bold', `  The board (${board.url}):`));
  for (const line of boardText(
    board.state,
    participants,
    readWorkshopSteps().map((step) => step.dir),
    new Date(),
    stuckAfterMs,
  ))
    console.log(`  ${line}`);
  for (const line of failureLines(results)) console.log(line);
  await board.stop();

  if (!values.keep) {
    for (const participant of participants) {
      // Left over is harmless (nobody else uses these names) but worth a line: stack:reset -- --participant removes it.
      await removeNamespace(config, participant).catch((error: unknown) =>
        console.log(
          paint(
            'yellow',
            `  ! ${participant}'s namespace not removed (${error instanceof Error ? error.message : String(error)}): npm run stack:reset -- --participant ${participant}`,
          ),
        ),
      );
    }
  }

  const green = results.filter((result) => result.runs.every(isGreen)).length;
  const allGreen = green === results.length;
  printSummary({
    ok: allGreen && boardOk,
    summary: `room:rehearse: ${green} of ${count} participants green on steps ${steps[0]!.slice(0, 2)}–${steps.at(-1)!.slice(0, 2)} in ${wallSeconds.toFixed(0)} s${
      boardOk ? ', the board showed every run' : `, the board missed runs after ${boardCatchUpMs / 1000} s`
    }${values.keep ? ' (namespaces kept)' : ''}`,
  });
}

runCommand(main);
