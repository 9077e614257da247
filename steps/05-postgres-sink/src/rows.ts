import pg from 'pg';
import type { Queryable } from './table.js';

/** Reading the sink's work back, for `npm start`. Ready for you: nothing to write here. */

export interface ButtonPressRow {
  id: string;
  session_id: string;
  timestamp: Date;
  action: string;
  count: number;
  country_code: string;
  city_name: string | null;
}

/** How many of these visits' events have a row in `table`. */
export async function countRowsOfVisits(db: Queryable, table: string, sessionIds: string[]): Promise<number> {
  const { rows } = await db.query<{ rows: number }>(
    `SELECT count(*)::int AS rows FROM ${pg.escapeIdentifier(table)} WHERE session_id = ANY($1::uuid[])`,
    [sessionIds],
  );
  return rows[0]?.rows ?? 0;
}

export async function countRows(db: Queryable, table: string): Promise<number> {
  const { rows } = await db.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM ${pg.escapeIdentifier(table)}`);
  return rows[0]?.rows ?? 0;
}

/** The latest rows by event time. */
export async function latestRows(db: Queryable, table: string, limit: number): Promise<ButtonPressRow[]> {
  const { rows } = await db.query<ButtonPressRow>(
    `SELECT id, session_id, "timestamp", action::text AS action, count, country_code, city_name
       FROM ${pg.escapeIdentifier(table)} ORDER BY "timestamp" DESC, count DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Whether the table exists (before createButtonPressesTable: was it made by an earlier run?). */
export async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [pg.escapeIdentifier(table)]);
  return rows[0]?.exists ?? false;
}

/** The type of the table's `action` column as PostgreSQL names it (`button_action`, `text`, …), if it has one. */
export async function actionColumnType(db: Queryable, table: string): Promise<string | undefined> {
  const { rows } = await db.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = 'action' AND NOT attisdropped`,
    [pg.escapeIdentifier(table)],
  );
  return rows[0]?.type;
}
