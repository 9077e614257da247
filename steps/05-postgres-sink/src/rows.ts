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
