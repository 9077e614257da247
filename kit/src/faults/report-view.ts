import { table } from '@workshop/shared/terminal';
import { sinkNames, type FaultReport, type SinkName } from './accounting.js';

/** The fault suite's report as a person reads it (tables, one last line) and as a machine does (JSON). */

const sinkLabel: Record<SinkName, string> = { postgres: 'PostgreSQL (JDBC sink)', clickhouse: 'ClickHouse sink' };

function seconds(ms: number | null): string {
  return ms === null ? 'not recovered' : `${(ms / 1000).toFixed(1)} s`;
}

/** One row per fault: acknowledged, in PG, in CH, lost, visible duplicates, dead-lettered, time to recover. */
export function faultTable(report: FaultReport): string {
  const header = ['fault', 'acknowledged', 'in PG', 'in CH', 'lost', 'duplicates', 'dead-lettered', 'recovered in'];
  const rows = report.phases.map((row) => [
    row.fault,
    String(row.acknowledged),
    String(row.inPostgres),
    String(row.inClickHouse),
    row.lost === 0 ? '0' : `${row.lost} (PG ${row.lostInPostgres}, CH ${row.lostInClickHouse})`,
    String(row.duplicates),
    String(row.deadLettered),
    seconds(row.recoverMs),
  ]);
  const { totals } = report;
  const sum = (pick: (row: FaultReport['phases'][number]) => number) => String(report.phases.reduce((t, row) => t + pick(row), 0));
  const total = [
    'total',
    String(totals.acknowledged),
    sum((row) => row.inPostgres),
    sum((row) => row.inClickHouse),
    String(totals.lost),
    String(totals.duplicates),
    sum((row) => row.deadLettered),
    '',
  ];
  return table([header, ...rows, total]);
}

/** One row per poison kind: which sink sent it to the dead-letter topic. */
export function poisonTable(report: FaultReport): string {
  const header = ['poison', 'partition/offset', ...sinkNames.map((sink) => sinkLabel[sink])];
  const rows = report.poison.map((verdict) => [
    verdict.kind,
    `${verdict.partition}/${verdict.offset}`,
    ...sinkNames.map((sink) => (verdict.deadLettered[sink] ? 'dead-lettered' : 'NOT dead-lettered')),
  ]);
  return table([header, ...rows]);
}

/** What went wrong, one line each: the lines a failing run ends with. */
export function faultProblems(report: FaultReport): string[] {
  const problems: string[] = [];
  for (const row of report.phases) {
    if (row.lost > 0)
      problems.push(
        `${row.fault}: ${row.lost} acknowledged events lost (PostgreSQL ${row.lostInPostgres}, ClickHouse ${row.lostInClickHouse})`,
      );
    if (row.duplicates > 0) problems.push(`${row.fault}: ${row.duplicates} visible duplicates`);
    if (row.recoverMs === null) problems.push(`${row.fault}: the sinks did not catch up in time`);
    for (const note of row.notes) problems.push(`${row.fault}: ${note}`);
  }
  for (const verdict of report.poison) {
    for (const sink of sinkNames) {
      if (!verdict.deadLettered[sink]) problems.push(`poison "${verdict.kind}": not dead-lettered by the ${sinkLabel[sink]}`);
    }
  }
  if (report.totals.acknowledged === 0) problems.push('the app acknowledged nothing: no event was driven through it');
  return problems;
}

/** The last line: `lost 0 · duplicates 0 · poison dead-lettered N/N`. */
export function summaryLine(report: FaultReport): string {
  const { totals } = report;
  return `lost ${totals.lost} · duplicates ${totals.duplicates} · poison dead-lettered ${totals.poisonDeadLettered}/${totals.poisonExpected}`;
}

export function faultJson(report: FaultReport): string {
  return `${JSON.stringify({ ...report, summary: summaryLine(report) }, null, 2)}\n`;
}
