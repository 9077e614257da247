import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@workshop/shared/repo-root';
import { paint, printSummary, runCommand } from '@workshop/shared/terminal';
import { openStackProfile } from '@workshop/infra/profiles';
import { faultJson, faultProblems, faultTable, poisonTable, summaryLine } from '../faults/report-view.js';
import { runFaults } from '../faults/run-faults.js';
import { createShutdown } from '../lifecycle/shutdown.js';

/**
 * npm run faults [-- --quick] — the live pipeline under a steady load through the button app while its services are
 * killed, restarted and fed poison; then what the app acknowledged against what PostgreSQL, ClickHouse and the
 * dead-letter topic hold. Prints a table per fault, writes it as JSON, exits non-zero on any loss. Every service it
 * stops runs again when it ends — also on a failure or Ctrl-C.
 *
 * While a service is down, the file .stack/faults/running (or $WORKSHOP_FAULTS_MARKER) says so, for whoever else uses
 * the same stack.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const t0 = Date.now();
  const log = (line: string) => console.log(paint('dim', `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${line}`));
  const shutdown = createShutdown({ report: (line) => console.log(line) });
  void shutdown.requested.then((reason) => log(`${reason}: stopping the faults and restoring the stack…`));
  const markerFile = process.env.WORKSHOP_FAULTS_MARKER ?? join(repoRoot, '.stack/faults/running');
  try {
    const profile = await openStackProfile();
    log(`faults on the ${profile.name} stack${values.quick ? ' (--quick)' : ''}`);
    const report = await runFaults(profile, { quick: values.quick, report: log, shutdown, markerFile });

    const jsonPath = join(repoRoot, '.stack/faults/latest.json');
    await mkdir(dirname(jsonPath), { recursive: true });
    await writeFile(jsonPath, faultJson(report));
    console.log(`\n${faultTable(report)}\n\n${poisonTable(report)}\n`);
    for (const problem of faultProblems(report)) console.log(paint('red', `✗ ${problem}`));
    console.log(`written: ${relative(process.cwd(), jsonPath)} · ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    printSummary({ ok: report.ok, summary: summaryLine(report) });
  } finally {
    await shutdown.stop();
    shutdown.dispose();
  }
  // Clients that linger (a Kafka reconnect timer) must not keep the command alive once everything is stopped.
  setImmediate(() => process.exit());
}

runCommand(main);
