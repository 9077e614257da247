import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { clickhouseDatasource, postgresDatasource } from './datasources.js';

/**
 * Query builders for the two SQL datasources. The foundation SDK ships builders for Prometheus, Loki and
 * other core query types, but none for PostgreSQL or ClickHouse — its README shows how to add one: a type
 * that says it is a `Dataquery`, and a builder that implements `cog.Builder<cog.Dataquery>`, so
 * `panel.withTarget(...)` takes it like any of the SDK's own. The fields are what each plugin's query
 * editor saves for a raw-SQL query.
 */

/** A PostgreSQL query in "Code" mode: Grafana runs `rawSql` after expanding its macros ($__timeFilter…). */
export interface PostgresQuery {
  refId: string;
  datasource: DataSourceRef;
  /** 'code' (not 'builder'): the editor shows our SQL instead of rebuilding it from a form. */
  editorMode: 'code';
  rawQuery: true;
  /** 'time_series' needs a time column and turns each other column into a series; 'table' keeps rows as they are. */
  format: 'time_series' | 'table';
  rawSql: string;
  /** Marks the type as a Dataquery for the SDK (a method, so it never appears in the JSON). */
  _implementsDataqueryVariant(): void;
}

export class PostgresQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly query: PostgresQuery = {
    refId: 'A',
    datasource: postgresDatasource,
    editorMode: 'code',
    rawQuery: true,
    format: 'table',
    rawSql: '',
    _implementsDataqueryVariant() {},
  };

  rawSql(sql: string): this {
    this.query.rawSql = sql;
    return this;
  }

  format(format: PostgresQuery['format']): this {
    this.query.format = format;
    return this;
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.query.datasource = datasource;
    return this;
  }

  build(): PostgresQuery {
    return this.query;
  }
}

/**
 * The ClickHouse plugin's result formats (its backend's sqlutil.FormatQueryOption): a time series needs a
 * DateTime column; a table is rows as they are.
 */
export const clickhouseFormat = { timeSeries: 0, table: 1 } as const;

/** A ClickHouse query in the plugin's SQL editor (grafana-clickhouse-datasource 4.x). */
export interface ClickHouseQuery {
  refId: string;
  datasource: DataSourceRef;
  editorType: 'sql';
  /** What the editor shows the result as; keep it in step with `format`. */
  queryType: 'timeSeries' | 'table';
  format: (typeof clickhouseFormat)[keyof typeof clickhouseFormat];
  rawSql: string;
  _implementsDataqueryVariant(): void;
}

export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly query: ClickHouseQuery = {
    refId: 'A',
    datasource: clickhouseDatasource,
    editorType: 'sql',
    queryType: 'table',
    format: clickhouseFormat.table,
    rawSql: '',
    _implementsDataqueryVariant() {},
  };

  rawSql(sql: string): this {
    this.query.rawSql = sql;
    return this;
  }

  /** The result is a time series: a DateTime column and numbers (a line or bars over time). */
  asTimeSeries(): this {
    this.query.queryType = 'timeSeries';
    this.query.format = clickhouseFormat.timeSeries;
    return this;
  }

  /** The result is a table: rows as ClickHouse returns them (the default). */
  asTable(): this {
    this.query.queryType = 'table';
    this.query.format = clickhouseFormat.table;
    return this;
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.query.datasource = datasource;
    return this;
  }

  build(): ClickHouseQuery {
    return this.query;
  }
}
