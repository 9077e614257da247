import { parseArgs } from 'node:util';
import { KitError } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { openStackProfile } from '@workshop/infra/profiles';
import { renderStatusTable } from '@workshop/infra/status-table';
import { createShutdown } from '../lifecycle/shutdown.js';
import { bringStackUpForThisRun } from '../lifecycle/stack-for-this-run.js';
import { startLivePipeline, type PipelineCounts } from '../pipeline/live-pipeline.js';

/**
 * `npm start [-- --visitors 20]` — the main job: the stack up (whichever profile: infra/src/profiles), then the whole
 * reference pipeline live — button app, ClickHouse sink, JDBC sink, simulated visitors — with the URLs and a live line
 * of counts. Ctrl-C, SIGTERM or a closed terminal stops everything this run started — also while it is still starting.
 */

/** Counts since this run started: the three rise together when the pipeline flows. */
function countsLine(c: PipelineCounts, base: PipelineCounts): string {
  const simulated = c.simulated ? ` (simulated visitors sent ${c.simulated})` : '';
  const kafka = c.inKafka - base.inKafka;
  return `new events — in Kafka: ${kafka} · in PostgreSQL: ${c.inPostgres - base.inPostgres} · in ClickHouse: ${c.inClickHouse - base.inClickHouse}${simulated}`;
}

class StopRequested extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { visitors: { type: 'string', default: '0' } } });
  const visitors = Number(values.visitors);
  if (!Number.isInteger(visitors) || visitors < 0 || visitors > 500) {
    throw new KitError('--visitors takes a whole number from 0 to 500', { hint: 'e.g. npm start -- --visitors 20', code: 'usage' });
  }
  const report = (line: string) => console.log(line);
  const shutdown = createShutdown({ report });
  // Every await of the start-up races the stop request, so a Ctrl-C while Connect is still starting stops at once.
  const unlessStopped = <T>(work: Promise<T>): Promise<T> =>
    Promise.race([
      work,
      shutdown.requested.then((reason) => {
        throw new StopRequested(reason);
      }),
    ]);

  let final = '';
  try {
    console.log('Bringing the stack up…');
    const profile = await unlessStopped(openStackProfile());
    console.log(paint('dim', `stack profile: ${profile.name} (${profile.why})`));
    await unlessStopped(bringStackUpForThisRun(profile, shutdown, report));
    for (const line of renderStatusTable(await unlessStopped(profile.status()))) console.log(line);

    // The config after `up`, which is what the pipeline must use: no profile's `up` changes it today (Docker's writes
    // nothing: infra/test/profiles/docker.test.ts), and one that did would be followed.
    const config = profile.config();
    console.log('Starting the pipeline (the reference solutions of steps 04–08)…');
    let lastError = '';
    const pipeline = await unlessStopped(
      startLivePipeline(config, {
        visitors,
        jdbcSinkConfig: (debeziumConfig) => profile.jdbcSinkConfig(debeziumConfig, config),
        report,
        onError: (error) => {
          const text = error instanceof Error ? error.message : String(error);
          if (text !== lastError) console.error(paint('yellow', `! ${text}`));
          lastError = text;
        },
      }),
    );
    shutdown.onStop('the pipeline', () => pipeline.stop());

    console.log('');
    console.log(`  Button app   ${pipeline.buttonAppUrl}   (press it — from a phone on the same network: see README)`);
    console.log(`  Live stats   ${pipeline.buttonAppUrl}/stats`);
    if (profile.capabilities.grafana) console.log(`  Grafana      ${config.grafana.url}`);
    console.log(paint('dim', '  Ctrl-C stops the pipeline and the services this run started'));
    console.log('');

    const base = await pipeline.counts();
    const tty = process.stdout.isTTY;
    let last = '';
    let printedAt = 0;
    const show = async () => {
      const line = countsLine(await pipeline.counts(), base);
      if (tty) process.stdout.write(`\r${line}\x1b[K`);
      else if (line !== last && Date.now() - printedAt > 10_000) {
        console.log(line);
        printedAt = Date.now();
      }
      last = line;
    };
    const ticker = setInterval(() => void show().catch(() => undefined), 2000);
    shutdown.onStop('the live line', async () => clearInterval(ticker));

    const reason = await shutdown.requested;
    if (tty) process.stdout.write('\n');
    console.log(`Stopping (${reason})…`);
    const counts = await pipeline.counts().catch(() => undefined);
    final = counts ? countsLine(counts, base) : 'counts unavailable';
  } catch (error) {
    if (!(error instanceof StopRequested)) {
      console.log('Start-up failed: stopping what this run started…');
      await shutdown.stop();
      shutdown.dispose();
      exitOnceStopped();
      throw error;
    }
    console.log(`Stopping (${error.message}) while starting…`);
    final = 'stopped during start-up';
  }
  await shutdown.stop();
  shutdown.dispose();
  console.log(paint('green', `✓ stopped — ${final}`));
  exitOnceStopped();
}

/**
 * Ends the process once what this run started is stopped. Work interrupted mid-start goes on in this process — a
 * pipeline half started (its button app listening on 8080, its consumers connecting) — and would keep `npm start`
 * alive with the port open after it said "stopped". setImmediate: runCommand prints a failure (and sets the exit
 * code) first.
 */
function exitOnceStopped(): void {
  setImmediate(() => process.exit());
}

runCommand(main);
