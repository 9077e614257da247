import { describe, expect, it } from 'vitest';
import { parseProducerPerformance } from '../../src/bench/producer-performance.js';
import { benchJson, benchRows, benchTable, percentile, type BenchReport, type BenchRow, type Measure } from '../../src/bench/report.js';

/** The one row of a measure that has one. */
const row = (measure: Measure): BenchRow => {
  const rows = benchRows(measure);
  expect(rows).toHaveLength(1);
  return rows[0] as BenchRow;
};

/** Made-up timings, one per kind of row: what the table must say about them, with no stack and no clock. */
const produce: Measure = {
  kind: 'ratio',
  id: 'produce',
  title: 'Produce',
  unit: 'records',
  kit: { count: 100_000, seconds: 20, how: 'kafkajs' },
  limit: { count: 100_000, seconds: 8, how: 'ProducerPerformance' },
  minRatio: 0.5,
};

const http = (p99Ms: number): Measure => ({
  kind: 'ratio',
  id: 'http',
  title: 'POST /press',
  unit: 'presses',
  kit: { count: 3000, seconds: 10, how: 'app', latency: { p50Ms: 12, p95Ms: 30, p99Ms } },
  limit: { count: 9000, seconds: 10, how: 'bare', latency: { p50Ms: 0.8, p95Ms: 2, p99Ms: 4 } },
  minRatio: 0.3,
  maxKitP99Ms: 50,
});

const endToEnd = (clickhouse: number[], missing = 0): Measure => ({
  kind: 'latency',
  id: 'end-to-end',
  title: 'End to end',
  load: '200 presses/s for 60 s',
  samples: { PostgreSQL: [100, 200, 300, 400], ClickHouse: clickhouse },
  missing: { PostgreSQL: 0, ClickHouse: missing },
  maxP99Ms: 2000,
});

describe('the bench table, from made-up timings', () => {
  it('computes each rate and the kit-to-limit ratio, and judges it against the goal', () => {
    // 5,000/s against 12,500/s: 0.40, under the 0.5 asked.
    expect(row(produce)).toEqual({
      id: 'produce',
      measure: 'Produce',
      kit: '5,000 records/s',
      limit: '12,500 records/s',
      ratio: '0.40',
      goal: '≥ 0.5',
      met: false,
    });
    expect(row({ ...produce, limit: { ...produce.limit, seconds: 10 } })).toMatchObject({ ratio: '0.50', met: true });
  });

  it('misses a goal on latency alone when the ratio is met (the button app: ≥ 0.3 and p99 < 50 ms)', () => {
    expect(row(http(49))).toMatchObject({ ratio: '0.33', goal: '≥ 0.3, p99 < 50 ms', met: true });
    expect(row(http(50))).toMatchObject({ ratio: '0.33', met: false });
    expect(row(http(49)).kit).toBe('300 presses/s (p50 12 ms, p99 49 ms)');
  });

  it('reports end-to-end percentiles per sink, and a press that never arrived fails the goal', () => {
    const fast = row(endToEnd([50, 60, 70, 1500]));
    expect(fast.measure).toBe('End to end at 200 presses/s for 60 s');
    expect(fast.kit).toBe('PostgreSQL p50 200 ms p95 400 ms p99 400 ms; ClickHouse p50 60 ms p95 1.50 s p99 1.50 s');
    expect(fast.met).toBe(true);
    expect(row(endToEnd([50, 60, 70, 2500])).met).toBe(false);
    const lost = row(endToEnd([50, 60, 70], 1));
    expect(lost.kit).toContain('1 missing');
    expect(lost.met).toBe(false);
  });

  it('prints footprint and teaching rows without a verdict, and marks every goal ✓ or ✗', () => {
    const rows = [
      produce,
      http(20),
      {
        kind: 'footprint',
        id: 'footprint',
        title: 'Footprint',
        rssBytes: { kafka: 500 * 2 ** 20 },
        stackUpSeconds: { warm: 0.42 },
      },
      {
        kind: 'comparison',
        id: 'clickhouse-batching',
        title: 'Teaching',
        unit: 'rows',
        slow: { count: 100, seconds: 1, how: 'one by one' },
        fast: { count: 5000, seconds: 1, how: 'batches' },
      },
    ].flatMap((measure) => benchRows(measure as Measure));
    const table = benchTable(rows);

    expect(table[0]).toEqual(['measure', 'kit', 'limit', 'ratio', 'goal']);
    expect(table.slice(1).map((line) => line.at(-1))).toEqual(['≥ 0.5 ✗', '≥ 0.3, p99 < 50 ms ✓', '—', '—', '— (teaching)']);
    // Footprint: memory on one line, start-up on the next (cold only when asked for: it restarts the stack).
    expect(table[3]?.slice(0, 2)).toEqual(['Footprint: resident memory', 'kafka 500 MB']);
    expect(table[4]?.slice(0, 3)).toEqual(['npm run stack:up, warm | cold', 'warm 0.4 s', 'cold: npm run bench -- --cold']);
    // Teaching: what batching buys, as a factor.
    expect(table[5]?.slice(1, 4)).toEqual(['one by one: 100 rows/s', 'batches: 5,000 rows/s', 'batches 50×']);
  });

  it('writes latency samples to JSON as a count and percentiles, not one by one', () => {
    const report: BenchReport = {
      startedAt: '2026-12-02T18:00:00.000Z',
      seconds: 300,
      quick: false,
      machine: { cpus: 2, loadAverage: [1, 1, 1], node: 'v24', stack: 'native' },
      rows: [row(endToEnd([10, 20, 30, 40]))],
      measures: [endToEnd([10, 20, 30, 40])],
      failures: [],
    };
    const json = JSON.parse(benchJson(report));
    expect(json.measures[0].samples.ClickHouse).toEqual({ count: 4, p50Ms: 20, p95Ms: 40, p99Ms: 40, maxMs: 40 });
    expect(json.rows[0].met).toBe(true);
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect([percentile(samples, 50), percentile(samples, 95), percentile(samples, 99), percentile(samples, 100)]).toEqual([
      50, 95, 99, 100,
    ]);
    expect(percentile([], 99)).toBeNaN();
  });
});

describe("Kafka's ProducerPerformance summary", () => {
  it('reads the rate and latencies from its last line, and nothing from a run that printed none', () => {
    const output = [
      '5462 records sent, 1081.4 records/sec (0.12 MB/sec), 401.8 ms avg latency, 3788.0 ms max latency.',
      '20000 records sent, 2927.8 records/sec (0.34 MB/sec), 900.25 ms avg latency, 3788.00 ms max latency, 1002 ms 50th, 1329 ms 95th, 1382 ms 99th, 1418 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({ records: 20000, recordsPerSecond: 2927.8, p50Ms: 1002, p99Ms: 1382 });
    expect(parseProducerPerformance('Exception in thread "main" org.apache.kafka.common.errors.TimeoutException')).toBeUndefined();
  });
});
