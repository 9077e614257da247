import { Partitioners } from 'kafkajs';
import {
  KitError,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  ensureAvroTopic,
  loadConfig,
  produceAvroVisits,
  seededSampleVisits,
  workshopNames,
} from '@workshop/shared';
import { createButtonPressesTable } from './table.js';
import { postgresSinkConfig } from './sink-config.js';
import { connectorFailure, deployPostgresSink, waitForConnectorRunning } from './connector.js';
import { actionColumnType, countRows, countRowsOfVisits, latestRows, tableExists, type ButtonPressRow } from './rows.js';

/**
 * Step 05 — `npm start [visits]`: creates the table, deploys the JDBC sink connector, produces sample
 * visits to `button_presses`, and shows the rows arriving in PostgreSQL. Exits by itself.
 */
const config = loadConfig();
const visits = Number(process.argv[2] ?? 20);
if (!Number.isInteger(visits) || visits < 1) throw new Error(`Usage: npm start [visits] — a whole number of visits, got ${process.argv[2]}`);
const { avroTopic: topic, table, deadLetterTopic, postgresSinkConnector: connectorName } = workshopNames;

const db = createPostgresPool(config);
const connect = createConnectRestClient(config);
const registry = createSchemaRegistry(config);
const kafka = createKafka(config);
const admin = kafka.admin();
// The Java client's partitioner: the same key lands in the same partition whoever produces it.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

const { host, port, user, database } = config.postgres;
const dropTheTable = `psql -h ${host} -p ${port} -U ${user} ${database} -c 'DROP TABLE ${table}'`;
let tableKept = false;

try {
  tableKept = await tableExists(db, table);
  await createButtonPressesTable(db, table);
  console.log(`Table ${table} is ready in PostgreSQL database ${database} (action: ${(await actionColumnType(db, table)) ?? 'no such column'}).`);
  if (tableKept) {
    // CREATE TABLE IF NOT EXISTS leaves an existing table as it is: an edit to createButtonPressesTable()
    // (action enum ↔ text, a column's type) reaches PostgreSQL only through a new table.
    console.log(`  It existed already and was kept as it is. Changed its columns since? Drop it, then npm start again: ${dropTheTable}`);
  }

  await Promise.all([admin.connect(), producer.connect()]);
  // The topic first: a sink subscribing to a missing topic would have the broker create it with one partition.
  await ensureAvroTopic(admin, topic);

  // #region deploy-and-wait
  await deployPostgresSink(connect, connectorName, postgresSinkConfig({ topic, table, deadLetterTopic, config }));
  const status = await waitForConnectorRunning(connect, connectorName);
  // #endregion deploy-and-wait
  console.log(`Connector ${connectorName}: ${status.connector.state}, ${status.tasks.length} task(s) — ${topic} → ${table}, dead letters to ${deadLetterTopic}.`);

  // Fresh visits each run, starting a few minutes back so that they end about now.
  const events = seededSampleVisits({ visits, seed: Date.now(), start: new Date(Date.now() - visits * 10_000) });
  const sessionIds = [...new Set(events.map((event) => event.session_id))];
  const startedAt = Date.now();
  await produceAvroVisits(producer, registry, topic, events);
  console.log(`Produced ${events.length} events of ${visits} visits to ${topic}. Rows arriving in ${table}:`);

  const arrived = await watchRows(sessionIds, events.length);
  const seconds = (Date.now() - startedAt) / 1000;
  showRows(await latestRows(db, table, 5));
  const verdict = arrived === events.length ? '✓' : '✗';
  console.log(
    `${verdict} ${arrived}/${events.length} events of this run became rows in ${seconds.toFixed(1)} s; ${table} holds ${await countRows(db, table)} rows in all (the sink reads ${topic} from its start).`,
  );
  if (arrived !== events.length) process.exitCode = 1;
} catch (error) {
  // A person should read what to fix, not a stack trace.
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof KitError && error.hint) console.error(`  ${error.hint}`);
  if (tableKept && error instanceof KitError) {
    console.error(`  ${table} was created by an earlier run and kept as it was (CREATE TABLE IF NOT EXISTS). If you changed createButtonPressesTable() since, drop it: ${dropTheTable}`);
  }
  process.exitCode = 1;
} finally {
  await Promise.all([admin.disconnect(), producer.disconnect(), db.end()]);
}

/**
 * Prints the count as it grows until every event has its row, or 60 s pass. Stops at once when the
 * connector's task FAILED (PostgreSQL refused a write): no row will come until it is fixed and restarted.
 */
async function watchRows(sessionIds: string[], expected: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  let shown = -1;
  for (;;) {
    const failed = connectorFailure(connect, connectorName, await connect.getConnectorStatus(connectorName));
    if (failed) throw failed;
    const arrived = await countRowsOfVisits(db, table, sessionIds);
    if (arrived !== shown) console.log(`  ${arrived}/${expected} rows`);
    shown = arrived;
    if (arrived >= expected || Date.now() > deadline) return arrived;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function showRows(rows: ButtonPressRow[]): void {
  console.log(`\nLatest ${rows.length} rows (SELECT … FROM ${table} ORDER BY "timestamp" DESC):`);
  for (const row of rows) {
    const place = [row.country_code, row.city_name].filter(Boolean).join(' ');
    console.log(`  ${row.timestamp.toISOString()}  ${row.action.padEnd(11)}  count ${String(row.count).padEnd(2)}  ${place.padEnd(16)}  ${row.session_id}`);
  }
}
