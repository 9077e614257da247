import { spawn } from 'node:child_process';
import pg from 'pg';
import { KitError, type ButtonPressEvent } from '@workshop/shared';
import { toAvroValue } from '../../../solutions/04-avro/src/produce.js';
import { deployPostgresSink, waitForConnectorRunning } from '../../../solutions/05-postgres-sink/src/connector.js';
import { postgresSinkConfig } from '../../../solutions/05-postgres-sink/src/sink-config.js';
import { createButtonPressesTable } from '../../../solutions/05-postgres-sink/src/table.js';
import { benchEvents, waitForRows, type BenchContext } from './bench-context.js';
import type { RatioMeasure } from './report.js';

/** The columns step 05's sink writes (every field of the event; `id` is the table's own). */
const columns = [
  'session_id',
  'timestamp',
  'action',
  'count',
  'country_code',
  'country_name',
  'subdivision_name',
  'city_name',
  'cohort',
] as const;

/** A deployed JDBC sink of this run: step 05's config for `topic` → `table`, RUNNING; removed at the end. */
export async function deployBenchPostgresSink(
  context: BenchContext,
  options: { topic: string; table: string; overrides?: Record<string, string> },
): Promise<string> {
  const name = context.name('pg_sink').replaceAll('_', '-');
  const deadLetterTopic = await context.createTopic('sink_dlq');
  const debezium = postgresSinkConfig({ topic: options.topic, table: options.table, deadLetterTopic, config: context.config });
  await deployPostgresSink(context.connect, name, context.jdbcSinkConfig({ ...debezium, ...options.overrides }));
  context.onCleanup(async () => {
    await context.connect.deleteConnector(name);
    // Its consumer group outlives it; gone only once the task has left it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await context.admin.deleteGroups([`connect-${name}`]).catch(() => undefined);
  });
  await waitForConnectorRunning(context.connect, name);
  return name;
}

/** Step 05's table under a name of this run; dropped at the end. */
export async function createBenchPostgresTable(context: BenchContext, what: string): Promise<string> {
  const table = context.name(what);
  await createButtonPressesTable(context.db, table);
  context.onCleanup(() => context.db.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`));
  return table;
}

export async function countPostgresRows(context: BenchContext, table: string): Promise<number> {
  const result = await context.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(table)}`);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Build item 3: rows/s through Kafka Connect's JDBC sink (step 05's config), from the first record produced to
 * the last row visible, against PostgreSQL's COPY of the same rows into a table of the same shape (psql \copy).
 */
export async function measurePostgresSink(
  context: BenchContext,
  options: { records: number; overrides?: Record<string, string>; title?: string },
): Promise<RatioMeasure> {
  const topic = await context.createTopic('pg');
  const table = await createBenchPostgresTable(context, 'pg');
  await deployBenchPostgresSink(context, { topic, table, overrides: options.overrides });
  const events = benchEvents(options.records);
  // Encoded before the clock starts: the row measures the sink; the producer has its own row.
  const messages = await Promise.all(
    events.map(async (event) => ({ key: event.session_id, value: await context.registry.encode(context.schemaId, toAvroValue(event)) })),
  );

  const started = performance.now();
  for (let i = 0; i < messages.length; i += 5000) await context.producer.send({ topic, messages: messages.slice(i, i + 5000) });
  const { rows, at } = await waitForRows(() => countPostgresRows(context, table), events.length, { timeoutMs: 300_000, pollMs: 200 });
  if (rows < events.length) throw new KitError(`bench: the JDBC sink wrote ${rows} of ${events.length} rows in 5 minutes`);
  const sinkSeconds = (at - started) / 1000;

  const copyTable = await createBenchPostgresTable(context, 'pg_copy');
  const copySeconds = await copyRows(context, copyTable, events);
  return {
    kind: 'ratio',
    id: 'postgres-sink',
    title: options.title ?? 'PostgreSQL: Kafka Connect JDBC sink (step 05) vs COPY',
    unit: 'rows',
    kit: { count: events.length, seconds: sinkSeconds, how: 'JDBC sink, first record produced → last row visible' },
    limit: { count: events.length, seconds: copySeconds, how: 'psql \\copy (CSV) into the same table shape' },
    minRatio: 0.3,
  };
}

/** The rows as CSV through `psql \copy … FROM STDIN`; seconds from start to psql's exit. */
async function copyRows(context: BenchContext, table: string, events: ButtonPressEvent[]): Promise<number> {
  const csv = events.map((event) => columns.map((column) => csvField(event[column])).join(',')).join('\n');
  const { host, port, user, password, database } = context.config.postgres;
  const env = { ...process.env, PGHOST: host, PGPORT: String(port), PGUSER: user, PGDATABASE: database, PGPASSWORD: password ?? '' };
  const command = `\\copy ${pg.escapeIdentifier(table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', (error) =>
      reject(new KitError(`bench: psql could not run: ${error.message}`, { hint: "install PostgreSQL's client (psql)", cause: error })),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new KitError(`bench: psql \\copy failed (exit ${code}): ${err.trim()}`))));
    child.stdin.end(csv);
  });
  return (performance.now() - started) / 1000;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
