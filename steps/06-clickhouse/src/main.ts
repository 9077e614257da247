import { parseArgs } from 'node:util';
import { Partitioners, type Admin } from 'kafkajs';
import { createClickHouse, createKafka, createSchemaRegistry, loadConfig, produceAvroVisits, seededSampleVisits, workshopNames } from '@workshop/shared';
import { createEventTable, createPressesPerMinute } from './tables.js';
import { runSink } from './sink.js';

/**
 * Step 06 — `npm start [-- --sample-visits 50]`: creates the ClickHouse table and the per-minute view if
 * missing, then runs the sink from button_presses until Ctrl-C, printing each batch and the group's lag.
 * The other options exist for the tests, which run this file on topics and tables of their own.
 */
const { values: args } = parseArgs({
  options: {
    topic: { type: 'string', default: workshopNames.avroTopic },
    table: { type: 'string', default: workshopNames.table },
    view: { type: 'string', default: workshopNames.pressesPerMinuteView },
    group: { type: 'string', default: 'clickhouse-sink' },
    'dead-letter-topic': { type: 'string', default: workshopNames.deadLetterTopic },
    'max-rows': { type: 'string', default: '1000' },
    'max-wait-ms': { type: 'string', default: '1000' },
    'sample-visits': { type: 'string', default: '0' },
  },
});
const [maxRows, maxWaitMs, visits] = [args['max-rows'], args['max-wait-ms'], args['sample-visits']].map(Number) as [number, number, number];
for (const name of [args.table, args.view]) {
  // The names go into SQL text: plain identifiers only.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Not a plain ClickHouse identifier: ${JSON.stringify(name)}`);
}

const config = loadConfig();
const kafka = createKafka(config);
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
// A sink that crashes keeps its partitions until the group notices it is gone (the session timeout):
// 10 s rather than kafkajs' 30 s, so a restarted sink gets back to work sooner.
const consumer = kafka.consumer({ groupId: args.group, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
// quiet: the sink reports an outage in one line (onOutage), not the client's error log at every retry.
const clickhouse = createClickHouse(config, { quiet: true });
const registry = createSchemaRegistry(config);

try {
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  await ensureTopics(admin, [args.topic, args['dead-letter-topic']]);
  await createEventTable(clickhouse, args.table);
  await createPressesPerMinute(clickhouse, { table: args.table, view: args.view });
  if (visits > 0) {
    const events = seededSampleVisits({ visits, seed: Date.now(), start: new Date(Date.now() - visits * 10_000), cohorts: [null, 0] });
    await produceAvroVisits(producer, registry, args.topic, events);
    console.log(`Produced ${events.length} events of ${visits} sample visits to ${args.topic}.`);
  }
  console.log(
    `Sink ${args.topic} → ClickHouse ${config.clickhouse.database}.${args.table} (group ${args.group}; batches of up to ` +
      `${maxRows} rows or ${maxWaitMs} ms; dead letters to ${args['dead-letter-topic']}). Ctrl-C stops.`,
  );
  let printing = Promise.resolve();
  const sink = await runSink(
    { consumer, producer, registry, clickhouse },
    {
      topic: args.topic,
      table: args.table,
      deadLetterTopic: args['dead-letter-topic'],
      maxRows,
      maxWaitMs,
      // One line per batch, in order; the lag is read after the batch's commit.
      onBatch: (batch) => void (printing = printing.then(() => printBatch(batch))),
      // One line when a service goes away, one when it is back: the batch waits meanwhile, nothing is committed.
      onOutage: ({ service, error }) =>
        console.log(`${service} is not answering (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): waiting, retrying with backoff; nothing is committed meanwhile.`),
      onRecovered: ({ service, downMs }) => console.log(`${service} is back after ${(downMs / 1000).toFixed(1)} s: storing resumes.`),
    },
  );
  // Ctrl-C: store and commit what is waiting, then leave the group (sink.done then settles).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sink.stop().catch(() => undefined));
  await stop(sink.done);
} catch (error) {
  await stop(Promise.reject(error));
}

async function printBatch({ rows, deadLetters, ms }: { rows: number; deadLetters: number; ms: number }): Promise<void> {
  const dead = deadLetters > 0 ? ` (+${deadLetters} to the dead-letter topic)` : '';
  console.log(`stored ${String(rows).padStart(5)} rows${dead} in ${ms} ms — lag ${await lag().catch(() => '?')}`);
}

/** The group's lag, as kafka-consumer-groups.sh shows it: end offset − committed offset, over partitions. */
async function lag(): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(args.topic),
    admin.fetchOffsets({ groupId: args.group, topics: [args.topic] }),
  ]);
  return ends.reduce((total, { partition, high, low }) => {
    const offset = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return total + Number(high) - Number(offset === '-1' ? low : offset);
  }, 0);
}

async function ensureTopics(kafkaAdmin: Admin, topics: string[]): Promise<void> {
  const existing = await kafkaAdmin.listTopics();
  const missing = topics.filter((topic) => !existing.includes(topic));
  if (missing.length === 0) return;
  await kafkaAdmin.createTopics({
    topics: missing.map((topic) => ({ topic, numPartitions: workshopNames.topicPartitions })),
    waitForLeaders: true,
  });
}

async function stop(ending: Promise<void>): Promise<void> {
  let exitCode = 0;
  try {
    await ending;
    console.log('Stopped: what was read is stored and committed.');
  } catch (error) {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
  }
  await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect(), clickhouse.close()]);
  process.exit(exitCode);
}
