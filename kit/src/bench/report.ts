/**
 * What `npm run bench` measured, turned into its table and its JSON. Pure: the stages hand in raw timings
 * (counts, seconds, latency samples), this module computes rates, ratios, percentiles and whether each goal
 * is met — so a unit test can check the table from made-up timings, without a stack and without a clock.
 *
 * Ratios, not absolute numbers, are what the bench claims: the kit and its limit run on the same machine
 * within the same minute, so a busy laptop slows both alike.
 */

/** `count` things in `seconds`. */
export interface Throughput {
  count: number;
  seconds: number;
}

export interface Latency {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The kit against the fastest tool doing the same work on the same stack, and the ratio it must reach. */
export interface RatioMeasure {
  kind: 'ratio';
  id: string;
  title: string;
  /** What the rate counts: records, rows, presses. */
  unit: string;
  kit: Throughput & { how: string; latency?: Latency };
  limit: Throughput & { how: string; latency?: Latency };
  minRatio: number;
  /** A latency the kit must stay under at the measured rate (the button app's p99). */
  maxKitP99Ms?: number;
}

/** Time from a press's acknowledgement to its row, per sink. */
export interface LatencyMeasure {
  kind: 'latency';
  id: string;
  title: string;
  /** The load it was measured at, e.g. "200 presses/s for 60 s". */
  load: string;
  /** Milliseconds per event, per destination; an event that never arrived is counted in `missing`. */
  samples: Record<string, number[]>;
  missing: Record<string, number>;
  maxP99Ms: number;
}

/** Memory and start-up: no limit to compare with, figures only. */
export interface FootprintMeasure {
  kind: 'footprint';
  id: string;
  title: string;
  /** Resident set size per process, in bytes. */
  rssBytes: Record<string, number>;
  /** `stack:up` in seconds: warm (everything already up) and cold (when measured: --cold). */
  stackUpSeconds: { warm?: number; cold?: number };
}

/** One way against another (the teaching ratios: batched vs one by one); no goal. */
export interface ComparisonMeasure {
  kind: 'comparison';
  id: string;
  title: string;
  unit: string;
  slow: Throughput & { how: string };
  fast: Throughput & { how: string };
}

export type Measure = RatioMeasure | LatencyMeasure | FootprintMeasure | ComparisonMeasure;

/** One line of the table, also what the JSON's `rows` hold. */
export interface BenchRow {
  id: string;
  measure: string;
  kit: string;
  limit: string;
  ratio: string;
  goal: string;
  /** Undefined when the row has no goal (footprint, teaching ratios). */
  met?: boolean;
}

export interface BenchReport {
  startedAt: string;
  seconds: number;
  quick: boolean;
  machine: { cpus: number; loadAverage: number[]; node: string; stack: string };
  rows: BenchRow[];
  measures: Measure[];
  /** Stages that could not be measured, and why. */
  failures: { id: string; error: string }[];
}

export function perSecond({ count, seconds }: Throughput): number {
  return seconds > 0 ? count / seconds : 0;
}

/** Nearest-rank percentile (p in 0–100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function latencyOf(samples: readonly number[]): Latency {
  return { p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95), p99Ms: percentile(samples, 99) };
}

/** The table's lines for one measure: one each, but two for the footprint (memory; start-up). */
export function benchRows(measure: Measure): BenchRow[] {
  switch (measure.kind) {
    case 'ratio':
      return [ratioRow(measure)];
    case 'latency':
      return [latencyRow(measure)];
    case 'footprint':
      return footprintRows(measure);
    case 'comparison':
      return [comparisonRow(measure)];
  }
}

function ratioRow(m: RatioMeasure): BenchRow {
  const kitRate = perSecond(m.kit);
  const limitRate = perSecond(m.limit);
  const ratio = limitRate > 0 ? kitRate / limitRate : 0;
  const p99 = m.kit.latency?.p99Ms;
  const latencyOk = m.maxKitP99Ms === undefined || (p99 !== undefined && p99 < m.maxKitP99Ms);
  const withLatency = (side: RatioMeasure['kit']) =>
    side.latency ? ` (p50 ${ms(side.latency.p50Ms)}, p99 ${ms(side.latency.p99Ms)})` : '';
  return {
    id: m.id,
    measure: m.title,
    kit: `${rate(kitRate)} ${m.unit}/s${withLatency(m.kit)}`,
    limit: `${rate(limitRate)} ${m.unit}/s${withLatency(m.limit)}`,
    ratio: ratio.toFixed(2),
    goal: `≥ ${m.minRatio}${m.maxKitP99Ms === undefined ? '' : `, p99 < ${m.maxKitP99Ms} ms`}`,
    met: ratio >= m.minRatio && latencyOk,
  };
}

function latencyRow(m: LatencyMeasure): BenchRow {
  const destinations = Object.keys(m.samples);
  const p99s = destinations.map((d) => latencyOf(m.samples[d] ?? []).p99Ms);
  const anyMissing = destinations.some((d) => (m.missing[d] ?? 0) > 0);
  const kit = destinations
    .map((d) => {
      const l = latencyOf(m.samples[d] ?? []);
      const missing = m.missing[d] ? `, ${m.missing[d]} missing` : '';
      return `${d} p50 ${ms(l.p50Ms)} p95 ${ms(l.p95Ms)} p99 ${ms(l.p99Ms)}${missing}`;
    })
    .join('; ');
  return {
    id: m.id,
    measure: `${m.title} at ${m.load}`,
    kit,
    limit: '—',
    ratio: '—',
    goal: `p99 < ${m.maxP99Ms / 1000} s`,
    met: destinations.length > 0 && !anyMissing && p99s.every((p) => p < m.maxP99Ms),
  };
}

function footprintRows(m: FootprintMeasure): BenchRow[] {
  const rss = Object.entries(m.rssBytes)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 2 ** 20)} MB`)
    .join(', ');
  const { warm, cold } = m.stackUpSeconds;
  const seconds = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(1)} s`);
  return [
    { id: `${m.id}-rss`, measure: `${m.title}: resident memory`, kit: rss, limit: '—', ratio: '—', goal: '—' },
    {
      id: `${m.id}-stack-up`,
      measure: 'npm run stack:up, warm | cold',
      kit: `warm ${seconds(warm)}`,
      limit: cold === undefined ? 'cold: npm run bench -- --cold' : `cold ${seconds(cold)}`,
      ratio: '—',
      goal: '—',
    },
  ];
}

function comparisonRow(m: ComparisonMeasure): BenchRow {
  const slow = perSecond(m.slow);
  const fast = perSecond(m.fast);
  return {
    id: m.id,
    measure: m.title,
    kit: `${m.slow.how}: ${rate(slow)} ${m.unit}/s`,
    limit: `${m.fast.how}: ${rate(fast)} ${m.unit}/s`,
    // What batching buys, as the slides say it: "N× faster".
    ratio: slow > 0 ? `${m.fast.how} ${Math.round(fast / slow)}×` : '—',
    goal: '— (teaching)',
  };
}

/** The printed table: a header, then one line per measure. */
export function benchTable(rows: readonly BenchRow[]): string[][] {
  return [
    ['measure', 'kit', 'limit', 'ratio', 'goal'],
    ...rows.map((row) => [
      row.measure,
      row.kit,
      row.limit,
      row.ratio,
      row.met === undefined ? row.goal : `${row.goal} ${row.met ? '✓' : '✗'}`,
    ]),
  ];
}

/** A rate as people read it: whole numbers, thousands grouped. */
function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  if (Number.isNaN(value)) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** The report as written to JSON: latency samples summarised (count and percentiles), not listed one by one. */
export function benchJson(report: BenchReport): string {
  const measures = report.measures.map((measure) =>
    measure.kind === 'latency'
      ? {
          ...measure,
          samples: Object.fromEntries(
            Object.entries(measure.samples).map(([destination, samples]) => [
              destination,
              { count: samples.length, ...latencyOf(samples), maxMs: samples.length ? Math.max(...samples) : Number.NaN },
            ]),
          ),
        }
      : measure,
  );
  return `${JSON.stringify({ ...report, measures }, null, 2)}\n`;
}
