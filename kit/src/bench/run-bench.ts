import { cpus, loadavg } from 'node:os';
import type { StackProfile } from '@workshop/infra/profiles';
import { openBenchContext, type BenchContext } from './bench-context.js';
import type { ProducerPerformanceResult } from './producer-performance.js';
import { benchRows, type BenchReport, type Measure } from './report.js';

// Each stage is imported when it runs: a stage runs reference solutions, and one that does not load (a solution
// being edited) fails its own row instead of the whole bench.
const stages = {
  produce: () => import('./produce.js'),
  http: () => import('./http.js'),
  postgres: () => import('./postgres-sink.js'),
  clickhouse: () => import('./clickhouse-sink.js'),
  endToEnd: () => import('./end-to-end.js'),
  batching: () => import('./batching.js'),
  footprint: () => import('./footprint.js'),
};

export interface BenchOptions {
  /** Smaller counts and shorter runs: under 2 minutes instead of about 5. */
  quick: boolean;
  /** Also time a cold stack:up — stops the stack first. */
  cold: boolean;
  /** Only these stages (ids as in the JSON); all when empty. */
  only: string[];
}

/** How much each stage does: the default run (about 5 minutes) and --quick (under 2). */
export function benchSizes(quick: boolean) {
  return quick
    ? {
        produce: { records: 20_000, batch: 1000 },
        sends: { records: 3000, inFlight: 50 },
        http: { connections: 10, durationSeconds: 5 },
        postgres: { records: 20_000 },
        clickhouse: { records: 20_000 },
        endToEnd: { pressesPerSecond: 200, durationSeconds: 15, visitors: 40 },
        teaching: { batched: 2000, single: 100 },
      }
    : {
        produce: { records: 100_000, batch: 1000 },
        sends: { records: 10_000, inFlight: 50 },
        http: { connections: 10, durationSeconds: 10 },
        postgres: { records: 100_000 },
        clickhouse: { records: 100_000 },
        endToEnd: { pressesPerSecond: 200, durationSeconds: 60, visitors: 40 },
        teaching: { batched: 5000, single: 200 },
      };
}

/** The stage ids, in the order they run (`--only` takes these). */
export const benchStages = [
  'produce',
  'button-sends',
  'http',
  'postgres-sink',
  'clickhouse-sink',
  'end-to-end',
  'teaching',
  'footprint',
] as const;

/**
 * Runs every stage against the running stack, one after another (never two at once: each would slow the
 * other), and returns the report. A stage that fails is reported as such; the others still run.
 */
export async function runBench(profile: StackProfile, options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const startedAt = new Date();
  const config = profile.config();
  const sizes = benchSizes(options.quick);
  const wanted = (id: string) => options.only.length === 0 || options.only.includes(id);
  const measures: Measure[] = [];
  const failures: BenchReport['failures'] = [];
  const context = await openBenchContext(config, {
    jdbcSinkConfig: (debezium) => profile.jdbcSinkConfig(debezium, config),
    log,
  });

  const stage = async (id: string, work: (context: BenchContext) => Promise<Measure | Measure[]>) => {
    if (!wanted(id)) return;
    log(`${id}…`);
    const started = performance.now();
    try {
      const result = await work(context);
      measures.push(...(Array.isArray(result) ? result : [result]));
      log(`  ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ id, error: message });
      log(`  failed: ${message}`);
    }
  };

  try {
    // Kafka's own producer: the limit of both produce rows, measured once.
    let kafkaLimit: (ProducerPerformanceResult & { recordSize: number }) | undefined;
    const limit = async (c: BenchContext) => (kafkaLimit ??= await (await stages.produce()).measureKafkaLimit(c, sizes.produce.records));
    await stage('produce', async (c) => (await stages.produce()).measureProduce(c, await limit(c), sizes.produce));
    await stage('button-sends', async (c) => (await stages.produce()).measureButtonSends(c, await limit(c), sizes.sends));
    await stage('http', async (c) => (await stages.http()).measureHttp(c, sizes.http));
    await stage('postgres-sink', async (c) => (await stages.postgres()).measurePostgresSink(c, sizes.postgres));
    await stage('clickhouse-sink', async (c) => {
      const { liveSinkBatch, measureClickHouseSink } = await stages.clickhouse();
      return measureClickHouseSink(c, { ...sizes.clickhouse, ...liveSinkBatch });
    });
    let nodeRssUnderLoad: number | undefined;
    const atSteadyState = () => {
      nodeRssUnderLoad = process.memoryUsage.rss();
    };
    await stage('end-to-end', async (c) => (await stages.endToEnd()).measureEndToEnd(c, { ...sizes.endToEnd, atSteadyState }));
    await stage('teaching', async (c) => {
      const { measureClickHouseBatching, measureKafkaBatching } = await stages.batching();
      return [await measureClickHouseBatching(c, sizes.teaching), await measureKafkaBatching(c, sizes.teaching)];
    });
    // Last: the node process has carried the whole load by now, and --cold restarts the stack.
    await stage('footprint', async () =>
      (await stages.footprint()).measureFootprint(profile, { cold: options.cold, log, nodeRssUnderLoad }),
    );
  } finally {
    await context.close();
  }
  return {
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    quick: options.quick,
    machine: { cpus: cpus().length, loadAverage: loadavg().map((l) => Number(l.toFixed(2))), node: process.version, stack: profile.name },
    rows: measures.flatMap(benchRows),
    measures,
    failures,
  };
}
