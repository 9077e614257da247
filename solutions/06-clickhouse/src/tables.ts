import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Step 06 — the ClickHouse side: one row per event, and presses per country per minute.
 * Names come in as parameters (npm start passes workshopNames; the tests pass names of their own).
 * Every statement is IF NOT EXISTS: `npm start` runs them each time it starts.
 */

/**
 * README §1: the events table. Column names and meanings are the event's (step 04's schema), with two
 * choices that matter:
 * - `timestamp` is DateTime64(3, 'UTC'): milliseconds, like the Avro timestamp-millis it comes from.
 *   Plain DateTime has whole seconds — presses a few hundred ms apart would share a timestamp.
 * - ReplacingMergeTree ordered by (session_id, count): a Kafka consumer delivers at least once, so after a
 *   crash the sink inserts some rows again. Rows with the same sorting key collapse into one — in the
 *   background, and at once for a query that says FINAL.
 */
export async function createEventTable(clickhouse: ClickHouseClient, table: string): Promise<void> {
  await clickhouse.command({
    query: `
      CREATE TABLE IF NOT EXISTS ${table} (
        session_id       UUID,
        timestamp        DateTime64(3, 'UTC'),
        action           Enum8('EnterPage' = 1, 'PressButton' = 2, 'ExitPage' = 3),
        count            UInt32,
        country_code     LowCardinality(String),
        country_name     LowCardinality(String),
        subdivision_name Nullable(String),
        city_name        Nullable(String),
        cohort           Nullable(Int32)
      )
      ENGINE = ReplacingMergeTree
      ORDER BY (session_id, count)`,
  });
}

/**
 * README §3: presses per country per minute, kept up to date as rows arrive, in three parts:
 * - `<view>_state`, an AggregatingMergeTree table holding, per minute and country, a uniqExact *state*
 *   over (session_id, count) — the set of presses seen, not a running count. The same press inserted
 *   twice lands in the set once: a redelivered row cannot be counted twice. (count() would.)
 * - `<view>_mv`, the materialized view: on every INSERT into the events table it aggregates the new rows'
 *   PressButtons into states and appends them to `<view>_state`.
 * - `<view>`, a plain view that merges the states into numbers: what Grafana (step 07) queries —
 *   minute DateTime('UTC'), country_code, country_name, presses UInt64.
 * Create the materialized view after the table it reads, before rows arrive: it sees only new inserts.
 */
export async function createPressesPerMinute(
  clickhouse: ClickHouseClient,
  names: { table: string; view: string },
): Promise<void> {
  const { table, view } = names;
  // #region presses-state-mv
  await clickhouse.command({
    query: `
      CREATE TABLE IF NOT EXISTS ${view}_state (
        minute       DateTime('UTC'),
        country_code LowCardinality(String),
        country_name LowCardinality(String),
        presses      AggregateFunction(uniqExact, UUID, UInt32)
      )
      ENGINE = AggregatingMergeTree
      ORDER BY (minute, country_code, country_name)`,
  });
  await clickhouse.command({
    query: `
      CREATE MATERIALIZED VIEW IF NOT EXISTS ${view}_mv TO ${view}_state AS
      SELECT toStartOfMinute(timestamp) AS minute, country_code, country_name,
             uniqExactState(session_id, count) AS presses
      FROM ${table}
      WHERE action = 'PressButton'
      GROUP BY minute, country_code, country_name`,
  });
  // #endregion presses-state-mv
  await clickhouse.command({
    query: `
      CREATE VIEW IF NOT EXISTS ${view} AS
      SELECT minute, country_code, country_name, uniqExactMerge(presses) AS presses
      FROM ${view}_state
      GROUP BY minute, country_code, country_name`,
  });
}
