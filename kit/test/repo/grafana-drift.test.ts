import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { repoRoot } from '@workshop/shared/repo-root';
// The reference solution's generator: the committed dashboards are its output (a participant's may differ,
// which is why this is a kit test and not one of step 07's).
import { buildDashboard, dashboardJson, dashboardUid } from '../../../solutions/07-grafana/src/dashboard.js';
import { clickhouseDatasource, postgresDatasource } from '../../../solutions/07-grafana/src/datasources.js';
import { readProvisionedDatasources } from '../../../steps/07-grafana/test/helpers/provisioning.js';
import { expandGrafanaMacros } from '../../../steps/07-grafana/test/helpers/grafana-macros.js';

/**
 * grafana/ holds what the docker stack's Grafana provisions: the datasources, the dashboard provider and
 * the dashboards step 07's reference solution generates. These checks keep the three in step with the
 * generator: a change to the solution's panels without `npx tsx solutions/07-grafana/src/main.ts` fails here.
 */
const grafanaDir = join(repoRoot, 'grafana');
const regenerate = 'regenerate it: npx tsx solutions/07-grafana/src/main.ts';

interface PanelJson {
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { datasource?: { type?: string; uid?: string } }[];
}

describe('grafana/ (provisioning and dashboards)', () => {
  it("the committed dashboard is exactly what step 07's solution generates", () => {
    const files = readdirSync(join(grafanaDir, 'dashboards')).filter((file) => file.endsWith('.json'));
    expect(files, 'grafana/dashboards holds the generated dashboard and nothing else').toEqual([`${dashboardUid}.json`]);
    const committed = readFileSync(join(grafanaDir, 'dashboards', `${dashboardUid}.json`), 'utf8');
    expect(committed, `grafana/dashboards/${dashboardUid}.json drifted from the solution's generator — ${regenerate}`).toBe(
      dashboardJson(buildDashboard()),
    );
  });

  it("provisions the solution's datasources, by the uids and types of its datasources.ts", () => {
    const provisioned = readProvisionedDatasources().map(({ type, uid }) => ({ type, uid }));
    expect(provisioned).toEqual(expect.arrayContaining([{ ...postgresDatasource }, { ...clickhouseDatasource }]));
    expect(new Set(provisioned.map((d) => d.uid)).size, 'uids are unique').toBe(provisioned.length);
  });

  it('every datasource the committed dashboard asks for is provisioned', () => {
    const dashboard = JSON.parse(readFileSync(join(grafanaDir, 'dashboards', `${dashboardUid}.json`), 'utf8')) as { panels: PanelJson[] };
    const provisioned = readProvisionedDatasources();
    const refs = dashboard.panels.flatMap((panel) => [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]).filter(Boolean);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(
        provisioned.find((d) => d.uid === ref?.uid && d.type === ref?.type),
        JSON.stringify(ref),
      ).toBeDefined();
    }
  });

  it('the dashboard provider reads the folder docker-compose.yml mounts, as files', () => {
    const dir = join(grafanaDir, 'provisioning/dashboards');
    const providers = readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap(
        (file) => (load(readFileSync(join(dir, file), 'utf8')) as { providers: { type: string; options: { path: string } }[] }).providers,
      );
    expect(providers.map((p) => [p.type, p.options.path])).toEqual([['file', '/etc/grafana/dashboards']]);
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./grafana/dashboards:/etc/grafana/dashboards');
    expect(compose).toContain('./grafana/provisioning:/etc/grafana/provisioning');
  });
});

describe("step 07's expandGrafanaMacros (the tests' stand-in for Grafana)", () => {
  const range = { from: new Date('2026-01-15T09:00:00.000Z'), to: new Date('2026-01-15T10:00:00.000Z'), intervalMs: 60_000 };
  const from = Date.parse('2026-01-15T09:00:00Z') / 1000;
  const to = from + 3600;

  it("expands PostgreSQL's macros as Grafana's PostgreSQL datasource does", () => {
    expect(
      expandGrafanaMacros(
        `SELECT $__timeGroupAlias("timestamp", '5m'), count(*) FROM t WHERE $__timeFilter("timestamp") GROUP BY 1`,
        'postgres',
        range,
      ),
    ).toBe(
      `SELECT floor(extract(epoch from "timestamp")/300)*300 AS "time", count(*) FROM t WHERE "timestamp" BETWEEN '2026-01-15T09:00:00.000Z' AND '2026-01-15T10:00:00.000Z' GROUP BY 1`,
    );
    expect(expandGrafanaMacros('SELECT $__timeFrom(), $__timeTo(), $__timeGroup(c, $__interval)', 'postgres', range)).toBe(
      `SELECT '2026-01-15T09:00:00.000Z', '2026-01-15T10:00:00.000Z', floor(extract(epoch from c)/60)*60`,
    );
  });

  it("expands ClickHouse's macros as the ClickHouse plugin does", () => {
    expect(expandGrafanaMacros('SELECT $__timeInterval(minute) AS time FROM v WHERE $__timeFilter(minute)', 'clickhouse', range)).toBe(
      `SELECT toStartOfInterval(toDateTime(minute), INTERVAL 60 second) AS time FROM v WHERE minute >= toDateTime(${from}) AND minute <= toDateTime(${to})`,
    );
    expect(expandGrafanaMacros('SELECT $__fromTime, $__toTime, $__interval_s, $__timeFilter(toDateTime(t))', 'clickhouse', range)).toBe(
      `SELECT toDateTime(${from}), toDateTime(${to}), 60, toDateTime(t) >= toDateTime(${from}) AND toDateTime(t) <= toDateTime(${to})`,
    );
  });

  it("refuses one datasource's macro in the other's SQL, and any $__ left over", () => {
    expect(() => expandGrafanaMacros(`SELECT $__timeGroupAlias(minute, '1m') FROM v`, 'clickhouse', range)).toThrow(
      /no macro \$__timeGroupAlias/,
    );
    expect(() => expandGrafanaMacros('SELECT $__timeInterval(t) FROM v', 'postgres', range)).toThrow(/no macro \$__timeInterval/);
    expect(() => expandGrafanaMacros('SELECT 1 WHERE $__timeFilter(t', 'postgres', range)).toThrow(/not closed/);
  });
});
