import { rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import type { Reporter, StackProfile } from '@workshop/infra/profiles';
import {
  createClickHouse,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  KitError,
  workshopNames,
  type WorkshopConfig,
} from '@workshop/shared';
import type { Shutdown } from '../lifecycle/shutdown.js';
import { startLivePipeline } from '../pipeline/live-pipeline.js';
import { createKafkajsLogTally } from './kafkajs-log-tally.js';
import { registerButtonPressSchema } from '../../../solutions/08-button-app/src/produce.js';
import { accountFaults, type FaultReport, type PhaseRecord, type PoisonRecord } from './accounting.js';
import { catchUp } from './catch-up.js';
import { startPressDriver, type Acknowledgement } from './press-driver.js';
import { draftPoison, injectPoison, poisonPartition, removeOtherSchema } from './poison.js';
import { clickhouseKeys, postgresKeys, topicEnds, watchDeadLetters } from './read-back.js';
import { sinkChild } from './sink-child.js';
import { killService, restoreStack, stopService } from './stack-faults.js';
import { committedOffset, connectorState, moveConnectorOffset, moveGroupOffset } from './unstick.js';

export interface FaultRunOptions {
  quick: boolean;
  report: Reporter;
  shutdown: Shutdown;
  /** A file that exists while the suite has a service down (others sharing the stack wait for it to go). */
  markerFile: string;
}

/** How long each part runs: the full run (about 10 minutes) and --quick (under 5). */
export function faultSizes(quick: boolean) {
  return {
    eventsPerSecond: 200,
    visitors: 40,
    /** Load after each fault has recovered, before the next one. */
    loadSeconds: quick ? 8 : 30,
    clickhouseDownSeconds: 10,
    /** A fault not recovered within this counts as not recovered. */
    recoverTimeoutMs: quick ? 120_000 : 180_000,
    /** How long the poison gets to reach the dead-letter topic from both sinks. */
    poisonWaitMs: quick ? 30_000 : 60_000,
  };
}

const clickhouseSinkGroup = 'clickhouse-sink';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The fault suite on the running native stack: the live pipeline under a steady load through the button app, one
 * fault after another, then the comparison (accounting.ts). Every service it stops is started again — at the end of
 * each fault, and through `shutdown` on a failure or Ctrl-C.
 */
export async function runFaults(profile: StackProfile, options: FaultRunOptions): Promise<FaultReport> {
  const { report, shutdown } = options;
  const sizes = faultSizes(options.quick);
  if (profile.name !== 'native') {
    throw new KitError(`npm run faults kills the stack's processes, so it runs on the native stack only (this is ${profile.name})`, {
      hint: 'STACK=native npm run stack:up, then STACK=native npm run faults',
    });
  }
  if (!(await profile.status()).every((s) => s.working)) {
    throw new KitError('faults: not every service of the native stack answers', { hint: 'npm run stack:up, then npm run faults again' });
  }
  const config = profile.config();
  const startedAt = new Date();
  let serviceDown = false;
  const markDown = async (what: string) => {
    serviceDown = true;
    await mkdir(dirname(options.markerFile), { recursive: true });
    await writeFile(options.markerFile, `npm run faults (pid ${process.pid}): ${what}, since ${new Date().toISOString()}\n`);
  };
  const markWhole = async () => {
    serviceDown = false;
    await rm(options.markerFile, { force: true });
  };
  // Registered first, so it runs last: whatever happened, every service runs again.
  shutdown.onStop('the stack (every service the suite stopped)', async () => {
    if (!serviceDown) return;
    report('restoring the stack…');
    await restoreStack(profile, (line) => report(`  ${line.trim()}`));
    await markWhole();
  });

  const phases: PhaseRecord[] = [];
  const acks: Acknowledgement[] = [];
  const ackPhase: number[] = [];
  const note = (text: string) => {
    report(`  ! ${text}`);
    phases.at(-1)?.notes.push(text);
  };

  // The pipeline: topics, schema, connector, button app here; the ClickHouse sink in a process of its own.
  report('starting the live pipeline (button app and JDBC sink here, the ClickHouse sink in a process of its own)…');
  let lastError = '';
  // kafkajs's own ERROR lines (a broker restart makes hundreds, each retried) are tallied: one line per fault.
  const kafkajsLog = createKafkajsLogTally();
  const pipeline = await startLivePipeline(config, {
    kafkaLogCreator: kafkajsLog.logCreator,
    visitors: 0,
    jdbcSinkConfig: (debeziumConfig) => profile.jdbcSinkConfig(debeziumConfig, config),
    parts: { clickhouseSink: false },
    // Port 0: beside an npm start. The load comes from one address, far above the per-address limit sized for a room.
    // Log level error: the suite counts the presses answered 503 during a fault itself (its "refused" figure).
    buttonApp: { port: 0, rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 }, logLevel: 'error' },
    report: (line) => report(line),
    onError: (error) => {
      const text = error instanceof Error ? error.message : String(error);
      if (text !== lastError) report(`  ! ${text}`);
      lastError = text;
    },
  });
  shutdown.onStop('the pipeline', () => pipeline.stop());
  const sink = sinkChild({ log: (line) => report(`  ${line}`), onExit: note });
  shutdown.onStop('the ClickHouse sink', () => sink.stop());
  await sink.start();

  const kafka = createKafka(config, { logCreator: kafkajsLog.logCreator });
  const admin = kafka.admin();
  const producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  const db = createPostgresPool(config);
  const clickhouse = createClickHouse(config, { quiet: true });
  shutdown.onStop('the suite’s clients', async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), db.end(), clickhouse.close()]);
  });
  const deadLetters = await watchDeadLetters(kafka, admin, await topicEnds(admin, workshopNames.deadLetterTopic));
  shutdown.onStop('the dead-letter reader', () => deadLetters.stop());

  const read = { postgres: (ids: string[]) => postgresKeys(db, ids), clickhouse: (ids: string[]) => clickhouseKeys(clickhouse, ids) };
  const caught = catchUp(acks, read);
  const driver = startPressDriver({
    url: pipeline.buttonAppUrl,
    eventsPerSecond: sizes.eventsPerSecond,
    visitors: sizes.visitors,
    onAcknowledged: (ack) => {
      acks.push(ack);
      ackPhase.push(phases.length - 1);
    },
  });
  shutdown.onStop('the load', () => driver.stop());
  report(
    `driving ${sizes.eventsPerSecond} events/s through ${pipeline.buttonAppUrl} (${sizes.visitors} visitors: GET /, POST /press, POST /exit)`,
  );

  /** One phase: the fault (resolves once its service is back), the wait until the sinks caught up, then steady load. */
  const phase = async (fault: string, act: () => Promise<void>) => {
    if (shutdown.isRequested()) return;
    const record: PhaseRecord = { fault, startedAt: Date.now(), endedAt: 0, recoverMs: null, notes: [] };
    phases.push(record);
    report(`▸ ${fault}`);
    await act();
    const back = Date.now();
    const ok = await caught.waitFor(back, sizes.recoverTimeoutMs, () => shutdown.isRequested());
    record.recoverMs = ok ? Date.now() - record.startedAt : null;
    const stats = driver.stats();
    const kafkajsLines = kafkajsLog.drain();
    if (kafkajsLines) report(`  ${kafkajsLines}`);
    report(
      `  ${ok ? `recovered in ${((record.recoverMs ?? 0) / 1000).toFixed(1)} s` : 'NOT recovered in time'} · ${acks.length} acknowledged so far · refused ${JSON.stringify(stats.refused)} · no answer ${stats.errors}`,
    );
    await sleep(sizes.loadSeconds * 1000);
    record.endedAt = Date.now();
  };
  const restore = async () => {
    await restoreStack(profile, (line) => report(`  ${line.trim()}`));
    await markWhole();
  };

  let poison: PoisonRecord[] = [];
  try {
    await phase('steady load, no fault', async () => {
      await sleep(sizes.loadSeconds * 1000);
    });
    await phase('kill -9 Connect worker', async () => {
      await markDown('kill -9 of the Kafka Connect worker');
      await killService(profile, 'connect');
      report('  connect: killed (kill -9); starting it again');
      await restore();
    });
    await phase('kill -9 ClickHouse sink', async () => {
      await sink.kill();
      report('  ClickHouse sink: killed (kill -9); starting it again');
      await sink.start();
    });
    await phase('restart the broker', async () => {
      await markDown('restart of the Kafka broker');
      await stopService(profile, 'kafka', (line) => report(`  ${line.trim()}`));
      await restore();
    });
    await phase(`ClickHouse server stopped ${sizes.clickhouseDownSeconds} s`, async () => {
      await markDown(`the ClickHouse server stopped for ${sizes.clickhouseDownSeconds} s`);
      await stopService(profile, 'clickhouse', (line) => report(`  ${line.trim()}`));
      await sleep(sizes.clickhouseDownSeconds * 1000);
      await restore();
    });
    await phase('poison: 6 kinds into the topic', async () => {
      // Everything acknowledged so far stored first: a sink stuck on the poison is then stuck on nothing else.
      await driver.pause();
      await caught.waitFor(Date.now(), sizes.recoverTimeoutMs);
      poison = await injectPoisonAndWait(config, { producer, deadLetters, report, waitMs: sizes.poisonWaitMs });
      await unstick(config, { admin, poison, report: note, restartSink: () => sink.start(), stopSink: () => sink.stop() });
      driver.resume();
    });
  } finally {
    report('stopping the load; waiting for the sinks to store the last events…');
    await driver.stop();
  }
  await caught.waitFor(Date.now(), sizes.recoverTimeoutMs, () => shutdown.isRequested());
  const letters = await deadLetters.readToEnd(30_000);
  const sessions = [...new Set(acks.map((ack) => ack.sessionId))];
  const [pgKeys, chKeys] = await Promise.all([read.postgres(sessions), read.clickhouse(sessions)]);
  return accountFaults({
    startedAt: startedAt.toISOString(),
    quick: options.quick,
    eventsPerSecond: sizes.eventsPerSecond,
    phases,
    acknowledged: acks.map((ack, index) => ({ sessionId: ack.sessionId, count: ack.count, phase: ackPhase[index] ?? 0 })),
    postgres: pgKeys,
    clickhouse: chKeys,
    deadLetters: letters,
    poison,
    topic: workshopNames.avroTopic,
  });
}

async function injectPoisonAndWait(
  config: WorkshopConfig,
  context: {
    producer: Producer;
    deadLetters: { letters(): { sink: string; partition: number; offset: string }[] };
    report: Reporter;
    waitMs: number;
  },
): Promise<PoisonRecord[]> {
  const registry = createSchemaRegistry(config);
  const schemaId = await registerButtonPressSchema(registry);
  const { drafts, otherSchemaId } = await draftPoison(registry, schemaId);
  let poison: PoisonRecord[];
  try {
    poison = await injectPoison(context.producer, workshopNames.avroTopic, drafts);
    context.report(`  injected ${poison.map((p) => `${p.kind} (${p.partition}/${p.offset})`).join(', ')}`);
    const expected = poison.length * 2;
    const deadline = Date.now() + context.waitMs;
    const count = () =>
      context.deadLetters.letters().filter((letter) => poison.some((p) => p.partition === letter.partition && p.offset === letter.offset))
        .length;
    while (count() < expected && Date.now() < deadline) await sleep(500);
    context.report(`  dead letters for the poison: ${count()} of ${expected}`);
  } finally {
    await removeOtherSchema(config, otherSchemaId).catch((error: unknown) =>
      context.report(`  ! could not take the other schema off ${workshopNames.avroSubject}: ${String(error)}`),
    );
  }
  return poison;
}

/** Moves a sink that is stuck before the last poison record past it (see unstick.ts). */
async function unstick(
  config: WorkshopConfig,
  context: {
    admin: Admin;
    poison: PoisonRecord[];
    report: (line: string) => void;
    restartSink: () => Promise<void>;
    stopSink: () => Promise<void>;
  },
): Promise<void> {
  const { admin, poison } = context;
  if (poison.length === 0) return;
  const after = (BigInt(poison.at(-1)?.offset ?? '0') + 1n).toString();
  const topic = workshopNames.avroTopic;
  const connector = workshopNames.postgresSinkConnector;
  const state = await connectorState(config, connector);
  // Connect commits a sink's offsets every offset.flush.interval.ms: a task that still runs is not stuck.
  if (state.tasks.some((task) => task !== 'RUNNING')) {
    context.report(
      `the JDBC sink is stuck on the poison (tasks ${state.tasks.join(', ')}): the suite moved it past offset ${after} on partition ${poisonPartition}${state.trace ? ` — ${state.trace.split('\n')[0]?.slice(0, 200)}` : ''}`,
    );
    await moveConnectorOffset(config, connector, topic, poisonPartition, after);
  }
  // The sink commits after each batch (within a second when nothing else comes): give it a few.
  let chAt = await committedOffset(admin, clickhouseSinkGroup, topic, poisonPartition);
  for (let tries = 0; chAt < BigInt(after) && tries < 10; tries += 1) {
    await sleep(500);
    chAt = await committedOffset(admin, clickhouseSinkGroup, topic, poisonPartition);
  }
  if (chAt < BigInt(after)) {
    context.report(
      `the ClickHouse sink is stuck on the poison (committed ${chAt}): the suite moved it past offset ${after} on partition ${poisonPartition}`,
    );
    await context.stopSink();
    await moveGroupOffset(admin, clickhouseSinkGroup, topic, poisonPartition, after);
    await context.restartSink();
  }
}
