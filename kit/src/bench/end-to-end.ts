import pg from 'pg';
import { createBenchClickHouseTable, countClickHouseRows, liveSinkBatch, startBenchClickHouseSink } from './clickhouse-sink.js';
import { startBenchButtonApp } from './http.js';
import { runLoad } from './load.js';
import { countPostgresRows, createBenchPostgresTable, deployBenchPostgresSink } from './postgres-sink.js';
import { waitForRows, type BenchContext } from './bench-context.js';
import type { LatencyMeasure } from './report.js';

const pressHeaders = { 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' };

/**
 * Build item 5: presses at a steady rate through the button app, and per press the time from its
 * acknowledgement (Kafka has it; the app answers) to its row in PostgreSQL (step 05's connector) and in
 * ClickHouse (step 06's sink, with the live pipeline's batch settings).
 *
 * Each bench table gets one column more, `landed_at`, filled by the database's clock as the row is written
 * (the sinks write only the event's fields, so the default applies). Same machine, same clock as the app's.
 */
export async function measureEndToEnd(
  context: BenchContext,
  options: {
    pressesPerSecond: number;
    durationSeconds: number;
    visitors: number;
    /** Called at the end of the load, app and sinks still running: the footprint's steady state. */
    atSteadyState?: () => void;
  },
): Promise<LatencyMeasure> {
  const topic = await context.createTopic('e2e');
  const pgTable = await createBenchPostgresTable(context, 'e2e');
  await context.db.query(`ALTER TABLE ${pg.escapeIdentifier(pgTable)} ADD COLUMN landed_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
  await deployBenchPostgresSink(context, { topic, table: pgTable });
  const chTable = await createBenchClickHouseTable(context, 'e2e');
  await context.clickhouse.command({ query: `ALTER TABLE ${chTable} ADD COLUMN landed_at DateTime64(3, 'UTC') DEFAULT now64(3)` });
  await startBenchClickHouseSink(context, { topic, table: chTable, ...liveSinkBatch });

  const acknowledged = new Map<string, number>();
  const app = await startBenchButtonApp(context, topic, (event, at) => acknowledged.set(`${event.session_id}/${event.count}`, at));
  try {
    const cookies = await app.visitCookies(options.visitors);
    const load = await runLoad({
      url: `${app.url}/press`,
      headers: pressHeaders,
      cookies,
      connections: options.visitors,
      durationSeconds: options.durationSeconds,
      overallRate: options.pressesPerSecond,
    });
    options.atSteadyState?.();
    context.log(`  end to end: ${load.ok} presses answered in ${load.seconds} s (${load.non2xx} non-2xx, ${load.errors} errors)`);
  } finally {
    await app.close();
  }

  // The last presses need a moment (a sink batch, a connector flush); past 30 s a press counts as missing.
  const expected = acknowledged.size;
  await Promise.all([
    waitForRows(() => countPostgresRows(context, pgTable), expected, { timeoutMs: 30_000, pollMs: 250 }),
    waitForRows(() => countClickHouseRows(context, chTable), expected, { timeoutMs: 30_000, pollMs: 250 }),
  ]);
  const pgLanded = await context.db.query<{ key: string; ms: string }>(
    `SELECT session_id || '/' || count AS key, (extract(epoch FROM landed_at) * 1000)::bigint AS ms FROM ${pg.escapeIdentifier(pgTable)}`,
  );
  const chResult = await context.clickhouse.query({
    query: `SELECT concat(toString(session_id), '/', toString(count)) AS key, toUnixTimestamp64Milli(landed_at) AS ms FROM ${chTable} FINAL`,
    format: 'JSONEachRow',
  });
  const chLanded = await chResult.json<{ key: string; ms: string | number }>();
  const latencies = (landed: { key: string; ms: string | number }[]) => {
    const at = new Map(landed.map((row) => [row.key, Number(row.ms)]));
    const samples: number[] = [];
    let missing = 0;
    for (const [key, ackAt] of acknowledged) {
      const landedAt = at.get(key);
      if (landedAt === undefined) missing += 1;
      // A row can be written a hair before the app's callback runs (same millisecond clock): never negative.
      else samples.push(Math.max(0, landedAt - ackAt));
    }
    return { samples, missing };
  };
  const postgres = latencies(pgLanded.rows);
  const clickhouse = latencies(chLanded);
  return {
    kind: 'latency',
    id: 'end-to-end',
    title: 'End to end: press acknowledged → row',
    load: `${options.pressesPerSecond} presses/s for ${options.durationSeconds} s`,
    samples: { PostgreSQL: postgres.samples, ClickHouse: clickhouse.samples },
    missing: { PostgreSQL: postgres.missing, ClickHouse: clickhouse.missing },
    maxP99Ms: 2000,
  };
}
