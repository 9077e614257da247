import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { createClickHouse, createPostgresPool, loadConfig, workshopNames, type ButtonPressEvent } from '@workshop/shared';
import { assertWithHint, HintError, startTheStackHint, withHint } from '@workshop/shared/testing';
import {
  latestEventsPanel,
  pressesByCountryPanel,
  pressesPerMinutePanel,
  topCitiesPanel,
  totalPressesPanel,
  visitFunnelPanel,
} from '../src/panels.js';
import { buildDashboard, writeDashboardFile } from '../src/dashboard.js';
import { createDashboardValidator, type DashboardValidator } from './helpers/dashboard-schema.js';
import { durationSeconds, MacroError, type SqlDialect } from './helpers/grafana-macros.js';
import { runPanelSql, runPanelSqlWithTextActions, type ColumnKind, type Databases, type QueryResult } from './helpers/panel-queries.js';
import { readProvisionedDatasources, type ProvisionedDatasource } from './helpers/provisioning.js';
import { loadTestVisits, type TestVisits } from './helpers/test-visits.js';

/**
 * Step 07: the dashboard as code. Grafana does not run here, so the tests do what Grafana would do with
 * the JSON: check it against the foundation SDK's types, find each panel's datasource among the
 * provisioned ones (grafana/provisioning), expand the datasource's macros in the panel's SQL for a time
 * range, run it on the real PostgreSQL or ClickHouse, and look at the columns the panel type needs.
 * The data: visits of the test's own, in a ten-minute window of their own (helpers/test-visits.ts).
 */
const config = loadConfig();
let databases: Databases;
let visits: TestVisits;
let provisioned: ProvisionedDatasource[];

beforeAll(async () => {
  provisioned = readProvisionedDatasources();
  databases = { postgres: createPostgresPool(config), clickhouse: createClickHouse(config, { quiet: true }) };
  visits = await withHint(
    `Could not load the test's visits into PostgreSQL and ClickHouse — ${startTheStackHint} (then npm run stack:status)`,
    () => loadTestVisits(databases),
  );
});

afterAll(async () => {
  await databases?.postgres.end();
  await databases?.clickhouse.close();
});

// ---- what the test's visits should show ------------------------------------------------------------------------

const presses = (events: ButtonPressEvent[]) => events.filter((event) => event.action === 'PressButton');

function countBy(events: ButtonPressEvent[], key: (event: ButtonPressEvent) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const k = key(event);
    if (k !== null) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

const minuteOf = (time: Date | number) => new Date(Math.floor(new Date(time).getTime() / 60_000) * 60_000).toISOString();
const visitsWith = (events: ButtonPressEvent[], action: ButtonPressEvent['action']) =>
  new Set(events.filter((event) => event.action === action).map((event) => event.session_id)).size;

// ---- running a panel the way Grafana would ------------------------------------------------------------------

/** The panel as Grafana reads it: JSON (the builders' marker methods disappear). */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface SqlTargetJson {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  rawSql?: string;
  format?: string | number;
}

const dialectOf: Record<string, SqlDialect> = {
  'grafana-postgresql-datasource': 'postgres',
  'grafana-clickhouse-datasource': 'clickhouse',
};
const datasourceExport: Record<SqlDialect, string> = { postgres: 'postgresDatasource', clickhouse: 'clickhouseDatasource' };
const builderExport: Record<SqlDialect, string> = { postgres: 'PostgresQueryBuilder', clickhouse: 'ClickHouseQueryBuilder' };
const dialectName: Record<SqlDialect, string> = { postgres: 'PostgreSQL', clickhouse: 'ClickHouse' };

/** The provisioned datasource a query asks for (by uid, as Grafana looks it up), or a hint. */
function provisionedDatasourceOf(what: string, ref: { type?: string; uid?: string } | undefined): ProvisionedDatasource {
  const known = provisioned.map((d) => `${d.uid} (${d.type})`).join(', ');
  const found = provisioned.find((datasource) => datasource.uid === ref?.uid);
  assertWithHint(
    found,
    `${what}: Grafana knows no datasource with uid ${JSON.stringify(ref?.uid)} — use postgresDatasource or clickhouseDatasource from src/datasources.ts (README §1)`,
    `grafana/provisioning/datasources defines: ${known}`,
  );
  assertWithHint(
    found.type === ref?.type,
    `${what}: the datasource reference says type ${JSON.stringify(ref?.type)} but uid ${found.uid} is a ${found.type} — use the refs in src/datasources.ts (README §1)`,
  );
  return found;
}

function timeRangeFor(panel: Panel) {
  // Grafana's $__interval: the range over the panel's width in points (≈1000), never below the panel's min interval.
  const minIntervalMs = panel.interval ? durationSeconds(panel.interval) * 1000 : 0;
  const spreadMs = (visits.to.getTime() - visits.from.getTime()) / (panel.maxDataPoints ?? 1000);
  return { from: visits.from, to: visits.to, intervalMs: Math.max(minIntervalMs, Math.ceil(spreadMs / 1000) * 1000) };
}

const isTimeSeriesFormat = (target: SqlTargetJson) => target.format === 'time_series' || target.format === 0;

/**
 * Checks a panel's one query — datasource provisioned and of the expected kind, JSON shape of the plugin —
 * then expands its macros and runs it over the test's window. Every problem is a hint.
 */
async function runPanel(what: string, panel: Panel, expected: SqlDialect, readme: string): Promise<QueryResult> {
  const targets = (panel.targets ?? []) as SqlTargetJson[];
  assertWithHint(
    targets.length === 1,
    `${what}: give the panel exactly one query — .withTarget(new ${builderExport[expected]}().rawSql(\`…\`)) (${readme})`,
    `it has ${targets.length}`,
  );
  const target = targets[0]!;
  const datasource = provisionedDatasourceOf(`${what}, query ${target.refId ?? ''}`, target.datasource ?? panel.datasource);
  if (panel.datasource) {
    provisionedDatasourceOf(`${what}, panel datasource`, panel.datasource);
    assertWithHint(
      panel.datasource.uid === datasource.uid,
      `${what}: the panel's .datasource(…) and its query's datasource differ — give both the same ref from src/datasources.ts (${readme})`,
      `panel: ${panel.datasource.uid}, query: ${datasource.uid}`,
    );
  }
  const dialect = dialectOf[datasource.type];
  assertWithHint(
    dialect === expected,
    `${what} reads ${dialectName[expected]}: use ${datasourceExport[expected]} and a ${builderExport[expected]} (${readme})`,
    `its query asks for ${datasource.uid} (${datasource.type})`,
  );
  const problems = validator().target(target);
  assertWithHint(
    problems.length === 0,
    `${what}: the query is not what Grafana's ${dialectName[expected]} datasource reads — build it with ${builderExport[expected]} (README §1)`,
    problems.join('; '),
  );
  const rawSql = target.rawSql ?? '';
  assertWithHint(rawSql.trim(), `${what}: the query has no SQL — .rawSql(\`SELECT …\`) (${readme})`);
  let result: QueryResult;
  try {
    result = await runPanelSql(databases, expected, rawSql, timeRangeFor(panel));
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    if (error instanceof MacroError) {
      throw new HintError(
        `${what}: Grafana's ${dialectName[expected]} datasource cannot expand this SQL's macros — see the macro table in README §1 (${readme})`,
        message,
      );
    }
    if (/permission denied/i.test(message)) {
      throw new HintError(
        `${what}: Grafana's read-only role ${workshopNames.dashboardReadRole} may not read this table — npm run stack:up grants it SELECT on the workshop's tables`,
        message,
      );
    }
    throw new HintError(
      `${what}: ${dialectName[expected]} refuses the panel's SQL — a ${dialectName[expected]} panel needs ${dialectName[expected]}'s SQL (README §1 lists what differs) (${readme})`,
      message,
    );
  }
  if (isTimeSeriesFormat(target)) {
    assertWithHint(
      indexOf(result, 'time') >= 0,
      `${what}: a time-series query must return a time column — Grafana answers "no time column found" otherwise (${readme})`,
      `columns: ${describeColumns(result)}`,
    );
  }
  return result;
}

const describeColumns = (result: QueryResult) => result.columns.map((c) => `${c.name} (${c.kind})`).join(', ') || 'none';
const indexOf = (result: QueryResult, kind: ColumnKind) => result.columns.findIndex((c) => c.kind === kind);
const evidence = (result: QueryResult) =>
  `columns: ${describeColumns(result)}; rows: ${JSON.stringify(result.rows.slice(0, 8))}\n      SQL: ${result.sql.replace(/\s+/g, ' ')}`;

/** Builds a panel from the exercise (a TODO still in it becomes the hint) and checks its type. */
async function buildPanel(name: string, readme: string, build: () => { build(): Panel }, types?: string[]): Promise<Panel> {
  const panel = await withHint(`Write ${name}() in src/panels.ts (${readme})`, () => asJson(build().build()));
  if (types)
    assertWithHint(
      types.includes(panel.type),
      `${name}() should build a ${types.join(' or ')} panel (${readme})`,
      `it builds a ${panel.type}`,
    );
  return panel;
}

let cachedValidator: DashboardValidator | undefined;
const validator = () => (cachedValidator ??= createDashboardValidator());

// ---- the funnel ----------------------------------------------------------------------------------------------------

const funnelOrder: ButtonPressEvent['action'][] = ['EnterPage', 'PressButton', 'ExitPage'];

/** The step a bar's label names, whatever words the participant chose (EnterPage, "Entered", "left the page" …). */
function funnelStepOf(label: unknown): ButtonPressEvent['action'] | undefined {
  const text = String(label ?? '');
  if (/enter/i.test(text)) return 'EnterPage';
  if (/press/i.test(text)) return 'PressButton';
  if (/exit|left|leav/i.test(text)) return 'ExitPage';
  return undefined;
}

/**
 * The funnel's rows, read as the bar chart would: one bar per row, named by its text column (the panel's
 * xField, or the first text column), its length the first number. Then: three bars, each naming a step, in
 * funnel order, each with that step's number of visits. `actionType` says which table the SQL ran on.
 */
function checkFunnel(what: string, panel: Panel, result: QueryResult, events: ButtonPressEvent[], actionType: 'the enum' | 'text'): void {
  const xField = (panel.options as { xField?: string } | undefined)?.xField;
  if (xField) {
    assertWithHint(
      result.columns.some((c) => c.name === xField && c.kind === 'string'),
      `${what}: .xField('${xField}') names no text column of the query — name the column that says the step, e.g. .xField('step') for action::text AS step (README §4)`,
      evidence(result),
    );
  }
  const label = xField ? result.columns.findIndex((c) => c.name === xField) : indexOf(result, 'string');
  assertWithHint(
    label >= 0,
    `${what}: a bar chart needs a text column to name each bar: SELECT action::text AS step, … (README §4)`,
    evidence(result),
  );
  const number = indexOf(result, 'number');
  assertWithHint(number >= 0, `${what}: each bar needs a number: count(DISTINCT session_id) AS visits (README §4)`, evidence(result));
  const bars = result.rows.map((row) => ({ label: row[label], step: funnelStepOf(row[label]), visits: row[number] }));
  const shown = bars.map((bar) => `${String(bar.label)} ${String(bar.visits)}`).join(', ');
  assertWithHint(
    bars.length === 3 && bars.every((bar) => bar.step !== undefined),
    `${what}: one row per step — EnterPage, PressButton, ExitPage — each named by its text column (README §4)`,
    `bars: ${shown}; ${evidence(result)}`,
  );
  const steps = bars.map((bar) => bar.step);
  assertWithHint(
    JSON.stringify(steps) === JSON.stringify(funnelOrder),
    actionType === 'text'
      ? `${what}: where action is text (step 05 allows it), the bars come in the alphabet's order — ORDER BY action sorts by the enum's order only where it is an enum. Order explicitly: ORDER BY array_position(ARRAY['EnterPage', 'PressButton', 'ExitPage'], action::text) (README §4)`
      : `${what}: the bars are not in funnel order (EnterPage, PressButton, ExitPage) — the alphabet's order is EnterPage, ExitPage, PressButton. Order explicitly: ORDER BY array_position(ARRAY['EnterPage', 'PressButton', 'ExitPage'], action::text) (README §4)`,
    `bars in row order: ${shown}`,
  );
  const expected = funnelOrder.map((step) => `${step} ${visitsWith(events, step)}`).join(', ');
  const got = bars.map((bar) => `${bar.step} ${String(bar.visits)}`).join(', ');
  assertWithHint(
    got === expected,
    `${what}: each bar shows the number of visits of the step its label names: count(DISTINCT session_id) — a visit with five presses is one visit that pressed — per action, in the time range (README §4)`,
    `expected ${expected}; got ${got}; ${evidence(result)}`,
  );
}

// ---- the panels ----------------------------------------------------------------------------------------------------

describe('the panels, on the real databases', () => {
  it('the total presses (README §2): a stat of PressButton events in the time range, from PostgreSQL', async () => {
    const what = 'totalPressesPanel()';
    const panel = await buildPanel('totalPressesPanel', 'README §2', totalPressesPanel, ['stat']);
    const result = await runPanel(what, panel, 'postgres', 'README §2');
    const number = indexOf(result, 'number');
    assertWithHint(
      number >= 0 && result.rows.length === 1,
      `${what}: a stat shows one number — return one row: SELECT count(*) AS presses … (README §2)`,
      evidence(result),
    );
    const expected = presses(visits.events).length;
    assertWithHint(
      result.rows[0]![number] === expected,
      `${what}: count only PressButton events, only in the dashboard's time range: WHERE action = 'PressButton' AND $__timeFilter("timestamp") — the column as it is, a timestamptz: cast to timestamp, it is local time compared with UTC (README §2)`,
      `expected ${expected} presses in the test's window, got ${String(result.rows[0]![number])}; ${evidence(result)}`,
    );
  });

  it('presses per minute (README §3): a time series from the ClickHouse view', async () => {
    const what = 'pressesPerMinutePanel()';
    const panel = await buildPanel('pressesPerMinutePanel', 'README §3', pressesPerMinutePanel, ['timeseries']);
    const result = await runPanel(what, panel, 'clickhouse', 'README §3');
    const rawSql = (panel.targets?.[0] as SqlTargetJson | undefined)?.rawSql ?? '';
    assertWithHint(
      rawSql.includes(workshopNames.pressesPerMinuteView),
      `${what}: read step 06's view ${workshopNames.pressesPerMinuteView} — ClickHouse has already counted each minute there (README §3)`,
    );
    const time = indexOf(result, 'time');
    const number = indexOf(result, 'number');
    assertWithHint(
      time >= 0 && number >= 0 && result.rows.length > 0,
      `${what}: a time series needs a time column and a number: SELECT $__timeInterval(minute) AS time, sum(presses) AS presses … (README §3)`,
      evidence(result),
    );
    const perMinute: Record<string, number> = {};
    for (const row of result.rows) {
      const key = minuteOf(row[time] as Date);
      perMinute[key] = (perMinute[key] ?? 0) + Number(row[number] ?? 0);
    }
    const nonZero = Object.fromEntries(Object.entries(perMinute).filter(([, n]) => n !== 0));
    await withHint(
      `${what}: one point per minute, all countries summed, only in the time range: $__timeInterval(minute) … WHERE $__timeFilter(minute) GROUP BY time (README §3)`,
      () => expect(nonZero).toEqual(countBy(presses(visits.events), (event) => minuteOf(Date.parse(event.timestamp)))),
    );
    const times = result.rows.map((row) => (row[time] as Date).getTime());
    assertWithHint(
      times.every((t, i) => i === 0 || t > times[i - 1]!),
      `${what}: the points come back out of time order — GROUP BY returns groups in any order, and Grafana draws a series in the order of its rows: add ORDER BY time (README §3)`,
      `times in row order: ${times.map((t) => new Date(t).toISOString().slice(11, 16)).join(', ')}`,
    );
  });

  it("presses per minute (README §3): the panel's minimum interval is one minute", async () => {
    const what = 'pressesPerMinutePanel()';
    const panel = await buildPanel('pressesPerMinutePanel', 'README §3', pressesPerMinutePanel, ['timeseries']);
    // Without it, Grafana's $__interval on a ten-minute range is a second: $__timeInterval(minute) then buckets by
    // the second, and each minute's presses become a one-second sliver of a bar.
    let seconds: number | undefined;
    try {
      seconds = panel.interval ? durationSeconds(panel.interval) : undefined;
    } catch {
      seconds = undefined;
    }
    const range = timeRangeFor(panel);
    assertWithHint(
      seconds === 60,
      `${what}: give the panel a minimum interval of one minute — .interval('1m') — so $__timeInterval(minute) makes one bucket per minute, never narrower (README §3)`,
      `interval: ${JSON.stringify(panel.interval ?? null)}; over the test's ten minutes Grafana's $__interval would be ${range.intervalMs / 1000} s`,
    );
  });

  it('the visit funnel (README §4): visits that entered, pressed, exited — from PostgreSQL', async () => {
    const what = 'visitFunnelPanel()';
    const panel = await buildPanel('visitFunnelPanel', 'README §4', visitFunnelPanel, ['barchart', 'bargauge']);
    const result = await runPanel(what, panel, 'postgres', 'README §4');
    checkFunnel(what, panel, result, visits.events, 'the enum');
  });

  it('the visit funnel (README §4) keeps funnel order where action is text, not an enum (step 05 allows either)', async () => {
    const what = 'visitFunnelPanel()';
    const panel = await buildPanel('visitFunnelPanel', 'README §4', visitFunnelPanel, ['barchart', 'bargauge']);
    // The same checks as Grafana's run above: datasource, JSON, macros (a problem there is reported the same way).
    await runPanel(what, panel, 'postgres', 'README §4');
    const rawSql = ((panel.targets ?? []) as SqlTargetJson[])[0]?.rawSql ?? '';
    const result = await withHint(
      `${what}: PostgreSQL refuses the funnel's SQL on a table whose action column is text (step 05 allows text with a CHECK) — cast with action::text, compare with strings (README §4)`,
      () => runPanelSqlWithTextActions(databases, rawSql, timeRangeFor(panel), [...visits.events, ...visits.decoys]),
    );
    checkFunnel(what, panel, result, visits.events, 'text');
  });

  it('presses by country: a geomap that finds each country by its code, from the ClickHouse view', async () => {
    const what = 'pressesByCountryPanel()';
    const panel = await buildPanel('pressesByCountryPanel', 'README §1', pressesByCountryPanel, ['geomap']);
    const result = await runPanel(what, panel, 'clickhouse', 'README §1');
    const layers = (panel.options as { layers?: { location?: { mode?: string; lookup?: string } }[] }).layers ?? [];
    const lookup = layers.find((layer) => layer.location?.mode === 'lookup')?.location?.lookup;
    const code = result.columns.findIndex((c) => c.name === lookup);
    const number = indexOf(result, 'number');
    assertWithHint(
      lookup && code >= 0 && number >= 0,
      `${what}: the map layer looks countries up by the column named in location.lookup, and sizes them by a number (README §1)`,
      `lookup: ${String(lookup)}; ${evidence(result)}`,
    );
    const perCountry: Record<string, number> = {};
    for (const row of result.rows) {
      const key = String(row[code]);
      if (key !== '--' && row[number]) perCountry[key] = (perCountry[key] ?? 0) + Number(row[number]);
    }
    await withHint(`${what}: presses per country code in the time range, each press once (README §1)`, () =>
      expect(perCountry, evidence(result)).toEqual(
        countBy(presses(visits.events), (e) => (e.country_code === '--' ? null : e.country_code)),
      ),
    );
  });

  it('top cities: presses per city, most first, each redelivered press once — from ClickHouse', async () => {
    const what = 'topCitiesPanel()';
    const panel = await buildPanel('topCitiesPanel', 'README §1', topCitiesPanel);
    const result = await runPanel(what, panel, 'clickhouse', 'README §1');
    const city = result.columns.findIndex((c, i) => c.kind === 'string' && result.rows.some((row) => row[i] === 'Helsinki'));
    const number = indexOf(result, 'number');
    assertWithHint(city >= 0 && number >= 0, `${what}: return the city and its number of presses (README §1)`, evidence(result));
    const expected = countBy(presses(visits.events), (e) => e.city_name);
    const got = Object.fromEntries(result.rows.filter((row) => row[number]).map((row) => [String(row[city]), Number(row[number])]));
    await withHint(`${what}: presses per city in the time range, each press once (FINAL), most presses first (README §1)`, () => {
      expect(got, evidence(result)).toEqual(expected);
      expect(result.rows[0]![city]).toBe('Helsinki');
    });
  });

  it('latest events: the newest rows in the time range first, from PostgreSQL', async () => {
    const what = 'latestEventsPanel()';
    const panel = await buildPanel('latestEventsPanel', 'README §1', latestEventsPanel, ['table']);
    const result = await runPanel(what, panel, 'postgres', 'README §1');
    const time = indexOf(result, 'time');
    assertWithHint(time >= 0 && result.rows.length > 0, `${what}: show each event with its time (README §1)`, evidence(result));
    const times = result.rows.map((row) => (row[time] as Date).getTime());
    const latest = Math.max(...visits.events.map((event) => Date.parse(event.timestamp)));
    await withHint(`${what}: newest first, only events in the time range (README §1)`, () => {
      expect(times[0], evidence(result)).toBe(latest);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(times.every((t) => t >= visits.from.getTime() && t <= visits.to.getTime())).toBe(true);
    });
  });
});

// ---- the dashboard --------------------------------------------------------------------------------------------------

describe('the dashboard, as Grafana loads it', () => {
  let dashboard: Dashboard | undefined;
  const built = async () =>
    (dashboard ??= await withHint('buildDashboard() needs every panel: finish src/panels.ts first (README §2–§4)', () =>
      asJson(buildDashboard()),
    ));

  it('has every panel', async () => {
    const panels = (await built()).panels ?? [];
    for (const [name, build] of Object.entries({
      totalPressesPanel,
      pressesPerMinutePanel,
      visitFunnelPanel,
      pressesByCountryPanel,
      topCitiesPanel,
      latestEventsPanel,
    })) {
      const panel = await buildPanel(name, 'README §2–§4', build);
      assertWithHint(
        panels.some((p) => p.type === panel.type && (p as Panel).title === panel.title),
        `buildDashboard() should place ${name}() on the dashboard: .withPanel(${name}()) in src/dashboard.ts (README §1)`,
        `panels: ${panels.map((p) => `${(p as Panel).title} (${p.type})`).join(', ')}`,
      );
    }
  });

  it("validates against the foundation SDK's Dashboard type, and each query against its datasource's", async () => {
    const json = await built();
    const problems = [
      ...validator().dashboard(json),
      ...(json.panels ?? []).flatMap((panel) => [
        ...validator()
          .panelParts(panel as Panel)
          .map((p) => `${(panel as Panel).title}: ${p}`),
        ...(((panel as Panel).targets ?? []) as unknown[]).flatMap((target) =>
          validator()
            .target(target)
            .map((p) => `${(panel as Panel).title}: ${p}`),
        ),
      ]),
    ];
    assertWithHint(
      problems.length === 0,
      'The dashboard JSON is not what Grafana reads: build it with the SDK builders (and the query builders of src/queries.ts), not by hand (README §1)',
      problems.slice(0, 8).join('\n      '),
    );
    assertWithHint(
      (json.panels ?? []).every((panel) => panel.gridPos),
      'Every panel needs a place on the grid: DashboardBuilder.withPanel() gives it one (README §1)',
    );
  });

  it('asks only for datasources grafana/provisioning defines', async () => {
    for (const panel of (await built()).panels ?? []) {
      const what = `panel "${(panel as Panel).title}"`;
      if ((panel as Panel).datasource) provisionedDatasourceOf(what, (panel as Panel).datasource);
      for (const target of ((panel as Panel).targets ?? []) as SqlTargetJson[])
        provisionedDatasourceOf(what, target.datasource ?? (panel as Panel).datasource);
    }
  });

  it('npm start writes it as the JSON file Grafana provisions', async () => {
    const json = await built();
    const file = join(mkdtempSync(join(tmpdir(), 'step07-')), 'dashboard.json');
    writeDashboardFile(file);
    await withHint('writeDashboardFile() should write buildDashboard() as JSON (README §5)', () =>
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(json),
    );
  });
});
