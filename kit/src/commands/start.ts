import { parseArgs } from 'node:util';
import { loadConfig, type WorkshopConfig } from '@workshop/shared';
import { stackDown, stackUp } from '../../../infra/src/native/stack.js';
import { nativeServices } from '../../../infra/src/native/services.js';
import { dockerStackUp } from '../../../infra/src/docker/stack.js';
import { chooseStackProfile, profileEnvironment, type StackProfileName } from '../../../infra/src/profiles/choose.js';
import { startLivePipeline, type PipelineCounts } from '../pipeline/live-pipeline.js';
import { printStatus } from '../../../infra/src/commands/stack-status.js';
import { paint, runCommand } from '@workshop/shared/terminal';

/**
 * `npm start [-- --visitors 20]` — the main job: the stack up (Docker when an engine answers, else native),
 * then the whole reference pipeline live — button app, ClickHouse sink, JDBC sink, simulated visitors —
 * with the URLs and a live line of counts. Ctrl-C stops everything this run started.
 */
async function bringStackUp(config: WorkshopConfig): Promise<{ profile: StackProfileName; startedNative: string[] }> {
  const { profile, why } = await chooseStackProfile(profileEnvironment());
  console.log(paint('dim', `stack profile: ${profile} (${why})`));
  if (profile === 'docker') {
    await dockerStackUp(config, (line) => console.log(line));
    return { profile, startedNative: [] };
  }
  if (profile === 'native') {
    const result = await stackUp(config, (line) => console.log(line));
    await printStatus(config);
    return { profile, startedNative: result.started };
  }
  return { profile, startedNative: [] };
}

/** Counts since this run started: the three rise together when the pipeline flows. */
function countsLine(c: PipelineCounts, base: PipelineCounts): string {
  const simulated = c.simulated ? ` (simulated visitors sent ${c.simulated})` : '';
  return `new events — in Kafka: ${c.inKafka - base.inKafka} · in PostgreSQL: ${c.inPostgres - base.inPostgres} · in ClickHouse: ${c.inClickHouse - base.inClickHouse}${simulated}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { visitors: { type: 'string', default: '0' } } });
  const visitors = Number(values.visitors);
  if (!Number.isInteger(visitors) || visitors < 0 || visitors > 500) throw new Error('--visitors takes a whole number from 0 to 500');
  const config = loadConfig();

  console.log('Bringing the stack up…');
  const stack = await bringStackUp(config);
  console.log('Starting the pipeline (the reference solutions of steps 04–08)…');
  let lastError = '';
  const pipeline = await startLivePipeline(config, {
    visitors,
    profile: stack.profile,
    report: (line) => console.log(line),
    onError: (error) => {
      const text = error instanceof Error ? error.message : String(error);
      if (text !== lastError) console.error(paint('yellow', `! ${text}`));
      lastError = text;
    },
  });

  console.log('');
  console.log(`  Button app   ${pipeline.buttonAppUrl}   (press it — from a phone on the same network: see README)`);
  console.log(`  Live stats   ${pipeline.buttonAppUrl}/stats`);
  if (stack.profile !== 'native') console.log(`  Grafana      ${config.grafana.url}`);
  console.log(paint('dim', '  Ctrl-C stops the pipeline' + (stack.startedNative.length ? ' and the services this run started' : '')));
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

  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  clearInterval(ticker);
  if (tty) process.stdout.write('\n');
  console.log('Stopping…');
  const final = await pipeline.counts().catch(() => undefined);
  await pipeline.stop();
  if (stack.startedNative.length) {
    await stackDown((line) => console.log(line), { services: nativeServices.filter((s) => stack.startedNative.includes(s.name)) });
  }
  console.log(paint('green', `✓ stopped — ${final ? countsLine(final, base) : 'counts unavailable'}`));
}

runCommand(main);
