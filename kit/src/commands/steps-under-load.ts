import { parseArgs } from 'node:util';
import { KitError } from '@workshop/shared';
import { paint, runCommand, table } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile } from '@workshop/infra/profiles';
import { createShutdown } from '../lifecycle/shutdown.js';
import { readableFailure } from '../workshop/run-step-tests.js';
import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { runStepsRepeatedly, startCpuBurners } from '../dev/steps-under-load.js';

/**
 * npm run test:steps-under-load [-- --quick | --runs N] [NN…] — every step's suite N times (default 5) on the reference
 * solution while one spinning process per core keeps the machine busy; a table step | runs | failures | slowest, and a
 * non-zero exit on any failure. --quick runs each suite once (CI).
 */
const usage = 'npm run test:steps-under-load -- [--quick | --runs N] [NN…]';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new KitError((error as Error).message, { hint: `usage: ${usage}`, code: 'usage' });
  }
  const { values, positionals } = parsed;
  const runs = values.quick ? 1 : Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1)
    throw new KitError(`--runs must be a whole number from 1 (got ${values.runs})`, { hint: `usage: ${usage}` });
  const steps = selectSteps(readWorkshopSteps(), positionals);

  const profile = await openStackProfile();
  if (!(await everyServiceWorks(profile))) {
    throw new KitError(`the ${profile.name} stack does not answer — the steps' tests need it`, {
      hint: 'npm run stack:up, then npm run stack:status',
    });
  }

  const shutdown = createShutdown({ report: (line) => console.log(line) });
  const burners = startCpuBurners();
  shutdown.onStop('the CPU burners', () => burners.stop());
  // Ctrl-C: the step's vitest gets the terminal's SIGINT too; the burners are ours to stop.
  void shutdown.requested.then((reason) => {
    console.log(paint('yellow', `${reason}: stopping the CPU burners…`));
    void shutdown.stop().then(() => process.exit(130));
  });

  console.log(`${steps.length} steps × ${runs} ${runs === 1 ? 'run' : 'runs'} on the reference, ${burners.count} CPU burners spinning`);
  let results: Awaited<ReturnType<typeof runStepsRepeatedly>>;
  try {
    results = await runStepsRepeatedly(steps, {
      runs,
      shouldStop: () => shutdown.isRequested(),
      onRun: (step, run, outcome) => {
        const ok = !outcome.crashed && outcome.failed === 0;
        const what = ok ? `${outcome.passed} passed` : `${outcome.failed} failed: ${outcome.firstFailingTest ?? 'the suite did not run'}`;
        console.log(paint(ok ? 'dim' : 'red', `  ${step.dir} run ${run}/${runs}: ${what} (${outcome.seconds.toFixed(1)} s)`));
      },
    });
  } finally {
    await shutdown.stop();
    shutdown.dispose();
  }

  const rows = [
    ['step', 'runs', 'failures', 'slowest'],
    ...results.map((r) => [r.step.dir, String(r.runs), String(r.failures), `${r.slowestSeconds.toFixed(1)} s`]),
  ];
  console.log(table(rows));
  for (const r of results) {
    for (const [name, count] of r.failingTests)
      console.log(paint('red', `  ✗ ${r.step.dir}: "${name}" failed in ${count} of ${r.runs} runs`));
    // What the first failure said, so a flake can be looked into without waiting for it again.
    if (r.firstFailure) console.log(paint('dim', `    ${readableFailure(r.firstFailure, 6).split('\n').join('\n    ')}`));
  }
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  const total = results.reduce((sum, r) => sum + r.runs, 0);
  const summary = `steps under load: ${total} runs, ${failures} failed`;
  console.log(failures === 0 ? paint('green', summary) : paint('red', summary));
  if (failures > 0) process.exitCode = 1;
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean' }, runs: { type: 'string' } },
    allowPositionals: true,
  });
}

runCommand(main);
