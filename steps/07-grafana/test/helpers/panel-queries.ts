import pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import { workshopNames, type ButtonPressEvent } from '@workshop/shared';
import { expandGrafanaMacros, type GrafanaTimeRange, type SqlDialect } from './grafana-macros.js';

/**
 * Runs a panel's query the way Grafana would: its SQL with the datasource's macros expanded, on the
 * database behind the datasource, as the read-only role Grafana uses on PostgreSQL — and returns the
 * result as Grafana sees it: typed columns (time, number, string) and rows.
 */

export type ColumnKind = 'time' | 'number' | 'string';

export interface QueryResult {
  columns: { name: string; kind: ColumnKind }[];
  /** Values by column: a Date for time, a number for number, a string (or null) for string. */
  rows: (Date | number | string | null)[][];
  /** The SQL that ran, macros expanded. */
  sql: string;
}

export interface SqlTarget {
  rawSql: string;
}

// PostgreSQL type oids (pg_type): what Grafana's PostgreSQL datasource reads as times and numbers.
const postgresTimeTypes = new Set([1082, 1114, 1184]); // date, timestamp, timestamptz
const postgresNumberTypes = new Set([20, 21, 23, 26, 700, 701, 1700]); // int8, int2, int4, oid, float4, float8, numeric

/** Grafana's SQL datasources read a numeric column named "time" as epoch seconds (or milliseconds). */
function epochToDate(value: number): Date {
  return new Date(value < 1e11 ? value * 1000 : value);
}

/**
 * The session's time zone for every panel query. Grafana leaves it to the server, whose default is the zone of
 * the machine that initialised it — rarely UTC on a participant's laptop. A query that is right only in UTC
 * (a timestamptz cast to timestamp, a date_trunc of local time) shows here as it would there.
 */
const sessionTimeZone = 'America/New_York';

/** Runs the SQL on a connection and reads the columns as Grafana's PostgreSQL datasource would. */
async function queryAsGrafana(client: pg.PoolClient, sql: string): Promise<Omit<QueryResult, 'sql'>> {
  const result = await client.query({ text: sql, rowMode: 'array' });
  const columns = result.fields.map((field) => ({
    name: field.name,
    kind: (postgresTimeTypes.has(field.dataTypeID)
      ? 'time'
      : postgresNumberTypes.has(field.dataTypeID)
        ? field.name === 'time'
          ? 'time'
          : 'number'
        : 'string') as ColumnKind,
    numeric: postgresNumberTypes.has(field.dataTypeID),
  }));
  const rows = (result.rows as unknown[][]).map((row) =>
    row.map((value, i) => {
      const column = columns[i]!;
      if (value === null || value === undefined) return null;
      if (column.kind === 'time') return column.numeric ? epochToDate(Number(value)) : (value as Date);
      if (column.kind === 'number') return Number(value);
      return String(value);
    }),
  );
  return { columns: columns.map(({ name, kind }) => ({ name, kind })), rows };
}

export async function runOnPostgres(pool: pg.Pool, sql: string): Promise<Omit<QueryResult, 'sql'>> {
  const client = await pool.connect();
  try {
    // Read-only, and as the dashboards' role when this user may become it (the local stacks' admin can).
    await client.query('BEGIN READ ONLY');
    const role = workshopNames.dashboardReadRole;
    const { rows: canBecome } = await client.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER') AS ok`,
      [role],
    );
    if (canBecome[0]?.ok) await client.query(`SET LOCAL ROLE ${role}`);
    await client.query(`SET LOCAL TimeZone = '${sessionTimeZone}'`);
    return await queryAsGrafana(client, sql);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/**
 * Runs the SQL over a table where `action` is text, not step 05's enum (step 05 lets a participant choose
 * either): a temporary table of the same name, visible only to this transaction, hides the real one
 * (PostgreSQL looks up pg_temp first). It holds the given events, and the transaction is rolled back.
 */
export async function runOnPostgresWithTextActions(
  pool: pg.Pool,
  sql: string,
  events: readonly ButtonPressEvent[],
): Promise<Omit<QueryResult, 'sql'>> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const table = pg.escapeIdentifier(workshopNames.table);
    await client.query(`CREATE TEMPORARY TABLE ${table} (
      session_id uuid NOT NULL, "timestamp" timestamptz NOT NULL,
      action text NOT NULL CHECK (action IN ('EnterPage', 'PressButton', 'ExitPage')),
      count integer NOT NULL, country_code text NOT NULL, country_name text NOT NULL,
      subdivision_name text, city_name text, cohort integer) ON COMMIT DROP`);
    await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(events)]);
    await client.query(`SET LOCAL TimeZone = '${sessionTimeZone}'`);
    return await queryAsGrafana(client, sql);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

function clickhouseKind(type: string): ColumnKind {
  // LowCardinality(Nullable(String)) → String
  const base = type.replace(/^(?:(?:Nullable|LowCardinality)\()+/, '');
  if (/^(DateTime|Date)/.test(base)) return 'time';
  if (/^(U?Int\d+|Float\d+|Decimal)/.test(base)) return 'number';
  return 'string';
}

export async function runOnClickHouse(clickhouse: ClickHouseClient, sql: string): Promise<Omit<QueryResult, 'sql'>> {
  const result = await clickhouse.query({
    // Grafana sends the statement as it is; a trailing semicolon is fine there, not inside our FORMAT clause.
    query: sql.trim().replace(/;\s*$/, ''),
    format: 'JSONCompact',
    // ISO times in UTC, whatever the server's time zone; 64-bit integers as numbers.
    clickhouse_settings: { date_time_output_format: 'iso', output_format_json_quote_64bit_integers: 0 },
  });
  const json = await result.json<unknown[]>();
  const columns = json.meta!.map((column) => ({ name: column.name, kind: clickhouseKind(column.type) }));
  const rows = json.data.map((row) =>
    row.map((value, i) => {
      const kind = columns[i]!.kind;
      if (value === null || value === undefined) return null;
      if (kind === 'time') return new Date(String(value));
      if (kind === 'number') return Number(value);
      return String(value);
    }),
  );
  return { columns, rows };
}

export interface Databases {
  postgres: pg.Pool;
  clickhouse: ClickHouseClient;
}

/** Expands the macros (throws MacroError for one the datasource lacks) and runs the SQL on that datasource's database. */
export async function runPanelSql(
  databases: Databases,
  dialect: SqlDialect,
  rawSql: string,
  range: GrafanaTimeRange,
): Promise<QueryResult> {
  const sql = expandGrafanaMacros(rawSql, dialect, range);
  const result = dialect === 'postgres' ? await runOnPostgres(databases.postgres, sql) : await runOnClickHouse(databases.clickhouse, sql);
  return { ...result, sql };
}

/** As runPanelSql on PostgreSQL, but over these events in a table whose `action` is text (runOnPostgresWithTextActions). */
export async function runPanelSqlWithTextActions(
  databases: Databases,
  rawSql: string,
  range: GrafanaTimeRange,
  events: readonly ButtonPressEvent[],
): Promise<QueryResult> {
  const sql = expandGrafanaMacros(rawSql, 'postgres', range);
  return { ...(await runOnPostgresWithTextActions(databases.postgres, sql, events)), sql };
}
