import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import { samplePlaces, sampleVisit, workshopNames, type ButtonPressEvent, type Place } from '@workshop/shared';
import { uniqueSessionId } from '@workshop/shared/testing';
// The tables' DDL is the earlier steps' reference solutions' own: the dashboard reads what they create.
import { createButtonPressesTable } from '../../../../solutions/05-postgres-sink/src/table.js';
import { createEventTable, createPressesPerMinute } from '../../../../solutions/06-clickhouse/src/tables.js';
import type { Databases } from './panel-queries.js';

/**
 * The visits the panels are tested with. The panels' SQL names the real tables (`button_presses` in
 * PostgreSQL and ClickHouse, step 06's view), so the visits go into those — created if missing, with
 * the earlier steps' DDL — inside a ten-minute window of their own: a random minute in the past two
 * months, taken only once the databases show no event near it. A panel's query over that window sees
 * exactly these visits; two decoy visits just outside it catch a query that ignores the time range.
 */

export const windowMinutes = 10;
/** Decoys this far before the window's start and after its end; the free margin checked around the window. */
const decoyGapMinutes = 20;
const marginMinutes = 30;

const place = (code: string): Place => {
  const found = samplePlaces.find((p) => p.country_code === code);
  if (!found) throw new Error(`no sample place ${code}`);
  return found;
};

export interface TestVisits {
  from: Date;
  to: Date;
  /** Every event inside the window (each stored once in each database). */
  events: ButtonPressEvent[];
  /** Events outside the window: a query without a time filter counts them too. */
  decoys: ButtonPressEvent[];
}

/**
 * Eight visits, ten seconds between events, all inside [from, from + 10 min), their presses in nine different
 * minutes (0–8): Helsinki twice (4 and 3 presses), Berlin 2, São Paulo 1, Tokyo 0 (entered and left), an unknown
 * place 1 and the United States 2 — both closed the tab (no ExitPage) — and Nairobi 1.
 * So the funnel is 8 visits entered, 7 pressed, 6 exited: three different numbers, so a funnel in another order
 * (the alphabet's: EnterPage, ExitPage, PressButton) or with two labels swapped shows; and 14 presses, so
 * counting events instead of visits shows too. Nine minutes with presses: a series that is not sorted by time shows.
 */
function visitsInWindow(from: Date): ButtonPressEvent[] {
  const at = (minutes: number, seconds = 0) => new Date(from.getTime() + minutes * 60_000 + seconds * 1000);
  const visit = (presses: number, code: string, start: Date) =>
    sampleVisit({ presses, place: place(code), sessionId: uniqueSessionId(), start, secondsBetweenEvents: 10 });
  const closedTheTab = (events: ButtonPressEvent[]) => events.filter((event) => event.action !== 'ExitPage');
  return [
    ...visit(4, 'FI', at(0, 30)),
    ...visit(3, 'FI', at(2, 30)),
    ...visit(2, 'DE', at(3, 50)),
    ...visit(1, 'BR', at(5)),
    ...closedTheTab(visit(1, '--', at(6, 20))),
    ...closedTheTab(visit(2, 'US', at(7, 30))),
    ...visit(1, 'KE', at(8, 45)),
    ...visit(0, 'JP', at(9)),
  ];
}

function decoyVisits(from: Date, to: Date): ButtonPressEvent[] {
  const visit = (presses: number, code: string, start: Date) =>
    sampleVisit({ presses, place: place(code), sessionId: uniqueSessionId(), start, secondsBetweenEvents: 10 });
  return [
    ...visit(6, 'DE', new Date(from.getTime() - decoyGapMinutes * 60_000)),
    ...visit(5, 'FI', new Date(to.getTime() + decoyGapMinutes * 60_000)),
  ];
}

async function createTables({ postgres, clickhouse }: Databases): Promise<void> {
  await createButtonPressesTable(postgres, workshopNames.table);
  await createEventTable(clickhouse, workshopNames.table);
  await createPressesPerMinute(clickhouse, { table: workshopNames.table, view: workshopNames.pressesPerMinuteView });
}

const clickhouseTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

async function eventsBetween({ postgres, clickhouse }: Databases, from: Date, to: Date): Promise<number> {
  const inPostgres = await postgres.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(workshopNames.table)} WHERE "timestamp" BETWEEN $1 AND $2`,
    [from, to],
  );
  const inClickHouse = await clickhouse.query({
    query: `SELECT (SELECT count() FROM ${workshopNames.table} WHERE timestamp BETWEEN {from:DateTime64(3, 'UTC')} AND {to:DateTime64(3, 'UTC')})
                 + (SELECT count() FROM ${workshopNames.pressesPerMinuteView} WHERE minute BETWEEN {from:DateTime64(3, 'UTC')} AND {to:DateTime64(3, 'UTC')}) AS n`,
    // 'YYYY-MM-DD hh:mm:ss.sss', read in the parameter's zone (UTC).
    query_params: { from: clickhouseTime(from), to: clickhouseTime(to) },
    format: 'JSONEachRow',
  });
  const [row] = await inClickHouse.json<{ n: string | number }>();
  return (inPostgres.rows[0]?.n ?? 0) + Number(row?.n ?? 0);
}

/** A minute-aligned window 1–60 days ago with no event within half an hour of it, in either database. */
async function chooseFreeWindow(databases: Databases): Promise<{ from: Date; to: Date }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const minutesAgo = randomInt(24 * 60, 60 * 24 * 60);
    const from = new Date((Math.floor(Date.now() / 60_000) - minutesAgo) * 60_000);
    const to = new Date(from.getTime() + windowMinutes * 60_000);
    const margin = marginMinutes * 60_000;
    if ((await eventsBetween(databases, new Date(from.getTime() - margin), new Date(to.getTime() + margin))) === 0) return { from, to };
  }
  throw new Error(
    'found no free ten-minute window in the past two months (the tables are full of test data: npm run stack:reset empties them)',
  );
}

async function insertIntoPostgres(postgres: pg.Pool, events: ButtonPressEvent[]): Promise<void> {
  const columns = [
    'session_id',
    'timestamp',
    'action',
    'count',
    'country_code',
    'country_name',
    'subdivision_name',
    'city_name',
    'cohort',
  ] as const;
  const values = events.map((_, row) => `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
  await postgres.query(
    `INSERT INTO ${pg.escapeIdentifier(workshopNames.table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) VALUES ${values.join(', ')}`,
    events.flatMap((event) => columns.map((column) => event[column])),
  );
}

async function insertIntoClickHouse(clickhouse: ClickHouseClient, events: ButtonPressEvent[]): Promise<void> {
  await clickhouse.insert({
    table: workshopNames.table,
    values: events,
    format: 'JSONEachRow',
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
}

/**
 * Loads the visits into both databases. ClickHouse gets the first visit a second time, in a separate
 * insert — a redelivery, as an at-least-once sink produces after a crash — which the dashboard must count once.
 */
export async function loadTestVisits(databases: Databases): Promise<TestVisits> {
  await createTables(databases);
  const { from, to } = await chooseFreeWindow(databases);
  const events = visitsInWindow(from);
  const decoys = decoyVisits(from, to);
  await insertIntoPostgres(databases.postgres, [...events, ...decoys]);
  await insertIntoClickHouse(databases.clickhouse, [...events, ...decoys]);
  const firstVisit = events.filter((event) => event.session_id === events[0]!.session_id);
  await insertIntoClickHouse(databases.clickhouse, firstVisit);
  return { from, to, events, decoys };
}
