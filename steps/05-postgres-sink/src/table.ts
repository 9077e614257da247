import pg from 'pg';

/** Anything that runs SQL: a `pg.Pool` or a `pg.Client`. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Creates the table the JDBC sink writes into, if it does not exist yet (README §1) — so running it twice is fine.
 * One column per field of the event, named as in the schema, plus an identity primary key of the table's own,
 * and UNIQUE (session_id, count): the key the sink upserts on.
 */
export async function createButtonPressesTable(db: Queryable, table: string): Promise<void> {
  // TODO(step 05): CREATE TABLE IF NOT EXISTS ${pg.escapeIdentifier(table)} (…) with await db.query(…):
  // id (identity primary key), session_id uuid, "timestamp" timestamptz, action (enum or text), count,
  // country_code, country_name, subdivision_name, city_name, cohort — and UNIQUE (session_id, count).
  throw new Error('TODO: create the button_presses table in createButtonPressesTable() (README §1)');
}
