import pg from 'pg';

/** Anything that runs SQL: a `pg.Pool` or a `pg.Client`. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Creates the table the JDBC sink writes into, if it does not exist yet (README §1) — so running it twice is fine.
 *
 * - `id`: an identity primary key of the table's own. The sink inserts only the record's fields, so the
 *   database fills it in.
 * - `"timestamp" timestamptz`: a point in time, not text and not a number. The Avro schema's
 *   `timestamp-millis` arrives in Connect as a Timestamp, which the sink binds as a timestamp — the column
 *   keeps the instant, to the millisecond, and every client can compare, truncate and group by it.
 * - `action button_action`: an enum — 4 bytes, only the three known values, ordered as in the schema.
 *   (text would be simpler; README §1 weighs the two.)
 * - `UNIQUE (session_id, count)`: an event's identity. The sink upserts on it (`ON CONFLICT … DO UPDATE`),
 *   so a record Kafka delivers twice updates its row instead of adding a second one. Without it, PostgreSQL
 *   refuses the upsert.
 */
export async function createButtonPressesTable(db: Queryable, table: string): Promise<void> {
  // CREATE TYPE has no IF NOT EXISTS; catching duplicate_object makes it idempotent. The type is shared by
  // every table of button presses in the database.
  await db.query(`
    DO $$ BEGIN
      CREATE TYPE button_action AS ENUM ('EnterPage', 'PressButton', 'ExitPage');
    EXCEPTION WHEN duplicate_object THEN NULL;
    END $$`);
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${pg.escapeIdentifier(table)} (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      session_id       uuid          NOT NULL,
      "timestamp"      timestamptz   NOT NULL,
      action           button_action NOT NULL,
      count            integer       NOT NULL,
      country_code     text          NOT NULL,
      country_name     text          NOT NULL,
      subdivision_name text,
      city_name        text,
      cohort           integer,
      UNIQUE (session_id, count)
    )`);
}
