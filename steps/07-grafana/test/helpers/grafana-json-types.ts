import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The JSON Grafana reads, as TypeScript types — the input of the JSON schema the tests validate the
 * dashboard with (dashboard-schema.ts runs ts-json-schema-generator on this file). The dashboard and the
 * panels' options are the foundation SDK's own types. The SDK has no types for the PostgreSQL and
 * ClickHouse queries (its `Dataquery` is an empty marker), so the two query shapes below are the plugins'
 * own, as their query editors save a raw-SQL query:
 * - PostgreSQL (Grafana core, public/app/plugins/datasource/grafana-postgresql-datasource): `rawSql` with
 *   `editorMode: 'code'` and `rawQuery: true`, `format` 'time_series' or 'table';
 * - ClickHouse (grafana-clickhouse-datasource 4.x, src/types/sql.ts): `editorType: 'sql'`, `rawSql`,
 *   `queryType`, and `format` — the backend's sqlutil format: 0 time series, 1 table, 2 logs, 3 traces,
 *   4 multi. A query without `format` is a time series to the backend.
 */

export interface PostgresTarget {
  refId: string;
  hide?: boolean;
  datasource: { type: 'grafana-postgresql-datasource'; uid: string };
  editorMode: 'code';
  rawQuery: true;
  format: 'time_series' | 'table';
  rawSql: string;
  /** What the editor keeps for its builder mode; ignored in code mode. */
  sql?: Record<string, unknown>;
  dataset?: string;
  table?: string;
}

export interface ClickHouseTarget {
  refId: string;
  hide?: boolean;
  datasource: { type: 'grafana-clickhouse-datasource'; uid: string };
  editorType: 'sql';
  queryType: 'table' | 'timeSeries' | 'logs' | 'traces';
  format: 0 | 1 | 2 | 3 | 4;
  rawSql: string;
  pluginVersion?: string;
  database?: string;
  table?: string;
  meta?: { timezone?: string };
  expand?: boolean;
}

/**
 * A panel's `options` and `fieldConfig.defaults.custom`, by panel type. One schema per type: the SDK's
 * modules reuse names (every panel has an `Options`), which one schema's definitions cannot hold.
 */
export interface TimeseriesPanelParts {
  options: timeseries.Options;
  custom?: timeseries.FieldConfig;
}
export interface GeomapPanelParts {
  options: geomap.Options;
}
export interface StatPanelParts {
  options: stat.Options;
}
export interface TablePanelParts {
  options: table.Options;
  custom?: table.FieldConfig;
}
export interface BarchartPanelParts {
  options: barchart.Options;
  custom?: barchart.FieldConfig;
}
export interface BargaugePanelParts {
  options: bargauge.Options;
}

/** The root types dashboard-schema.ts generates a schema for, by the name it looks them up with. */
export type GrafanaDashboard = Dashboard;
