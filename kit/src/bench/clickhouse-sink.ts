import { KitError } from '@workshop/shared';
import { toAvroValue } from '../../../solutions/04-avro/src/produce.js';
import { insertButtonPresses } from '../../../solutions/06-clickhouse/src/insert.js';
import { runSink, type RunningSink, type SinkOptions } from '../../../solutions/06-clickhouse/src/sink.js';
import { createEventTable } from '../../../solutions/06-clickhouse/src/tables.js';
import { benchEvents, type BenchContext } from './bench-context.js';
import type { RatioMeasure } from './report.js';

/** The live pipeline's batch settings (kit/src/pipeline/live-pipeline.ts): the bench measures what `npm start` runs. */
export { liveClickHouseSinkBatch as liveSinkBatch } from '../pipeline/live-pipeline.js';

/** Rows per INSERT of the limit: a few large inserts, each well under the server's 16 MiB body limit. */
const bulkInsertRows = 25_000;

/** Step 06's events table under a name of this run; dropped at the end. */
export async function createBenchClickHouseTable(context: BenchContext, what: string): Promise<string> {
  const table = context.name(what);
  await createEventTable(context.clickhouse, table);
  context.onCleanup(() => context.clickhouse.command({ query: `DROP TABLE IF EXISTS ${table}` }));
  return table;
}

export async function countClickHouseRows(context: BenchContext, table: string): Promise<number> {
  const result = await context.clickhouse.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * Step 06's sink on `topic` → `table`, in a consumer group of this run; stopped and its group deleted at the end.
 * Resolves once the sink runs, with the moment it was started: its consumer connected and its dead-letter topic
 * created before that moment, as a sink that has been up for a while has them (setting up is not storing rows).
 */
export async function startBenchClickHouseSink(
  context: BenchContext,
  options: { topic: string; table: string; maxRows: number; maxWaitMs: number; onBatch?: SinkOptions['onBatch'] },
): Promise<{ sink: RunningSink; startedAt: number }> {
  const groupId = context.name('sink_group');
  const consumer = context.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  const deadLetterTopic = await context.createTopic('sink_dlq');
  const { topic, table, maxRows, maxWaitMs, onBatch } = options;
  const startedAt = performance.now();
  const sink = await runSink(
    { consumer, producer: context.producer, registry: context.registry, clickhouse: context.clickhouse },
    { topic, table, deadLetterTopic, maxRows, maxWaitMs, ...(onBatch ? { onBatch } : {}) },
  );
  context.onCleanup(async () => {
    await sink.stop().catch(() => undefined);
    await consumer.disconnect();
    await context.admin.deleteGroups([groupId]).catch(() => undefined);
  });
  return { sink, startedAt };
}

/**
 * Resolves with the moment the sink reported `expected` rows stored (its onBatch runs after each INSERT has
 * answered, so the rows are visible by then); rejects after `timeoutMs`. Counting through onBatch instead of
 * polling `SELECT count()` keeps the bench's own queries off the ClickHouse server while the sink writes to it
 * (each one competed with the sink's INSERTs, on a server the limit had to itself) and measures to the batch,
 * not to the next poll.
 */
export function rowsStoredBy(
  expected: number,
  timeoutMs: number,
): { onBatch: NonNullable<SinkOptions['onBatch']>; stored: Promise<number> } {
  let rows = 0;
  let settle!: { resolve: (at: number) => void; reject: (error: Error) => void };
  const stored = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(
    () => settle.reject(new KitError(`bench: the ClickHouse sink stored ${rows} of ${expected} rows in ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  timer.unref(); // a stage that failed before waiting must not hold the bench open
  stored.catch(() => undefined); // nor take it down: the failure is the waiter's, if one waits
  return {
    onBatch: (batch) => {
      rows += batch.rows;
      if (rows < expected) return;
      clearTimeout(timer);
      settle.resolve(performance.now());
    },
    stored,
  };
}

/**
 * Build item 4: rows/s through step 06's TypeScript sink (reading a topic that already holds the records, as
 * after a pause) against bulk INSERTs of the same rows (25,000 at a time) with the same client.
 */
export async function measureClickHouseSink(
  context: BenchContext,
  options: { records: number; maxRows: number; maxWaitMs: number; id?: string },
): Promise<RatioMeasure> {
  const topic = await context.createTopic('ch');
  const table = await createBenchClickHouseTable(context, 'ch');
  const events = benchEvents(options.records);
  const messages = await Promise.all(
    events.map(async (event) => ({ key: event.session_id, value: await context.registry.encode(context.schemaId, toAvroValue(event)) })),
  );
  for (let i = 0; i < messages.length; i += 5000) await context.producer.send({ topic, messages: messages.slice(i, i + 5000) });

  const { onBatch, stored } = rowsStoredBy(events.length, 300_000);
  const { sink, startedAt } = await startBenchClickHouseSink(context, {
    topic,
    table,
    maxRows: options.maxRows,
    maxWaitMs: options.maxWaitMs,
    onBatch,
  });
  // A sink that stops by itself (a batch it could not store) ends the wait with its error.
  const storedAt = await Promise.race([stored, sink.done.then(() => stored)]);
  const sinkSeconds = (storedAt - startedAt) / 1000;
  // Not timed: the table holds what the sink reported.
  const rows = await countClickHouseRows(context, table);
  if (rows < events.length) throw new KitError(`bench: the ClickHouse sink reported ${events.length} rows stored, the table holds ${rows}`);

  const bulkTable = await createBenchClickHouseTable(context, 'ch_bulk');
  const rowsToInsert = events.map(toAvroValue);
  const bulkStarted = performance.now();
  // As big as the kit's ClickHouse takes: its HTTP interface refuses a body over 16 MiB (~80,000 of these rows).
  for (let i = 0; i < rowsToInsert.length; i += bulkInsertRows) {
    await insertButtonPresses(context.clickhouse, bulkTable, rowsToInsert.slice(i, i + bulkInsertRows));
  }
  const bulkSeconds = (performance.now() - bulkStarted) / 1000;
  return {
    kind: 'ratio',
    id: options.id ?? 'clickhouse-sink',
    title: `ClickHouse: step 06 sink (maxRows ${options.maxRows}, maxWaitMs ${options.maxWaitMs}) vs bulk INSERTs`,
    unit: 'rows',
    kit: { count: events.length, seconds: sinkSeconds, how: 'TypeScript sink: consume, decode, batch, insert, commit' },
    limit: {
      count: events.length,
      seconds: bulkSeconds,
      how: `insertButtonPresses() of ${bulkInsertRows.toLocaleString('en-US')} rows at a time, same client`,
    },
    minRatio: 0.5,
  };
}
