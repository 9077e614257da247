import pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  KitError,
  workshopNames,
  type WorkshopConfig,
} from '@workshop/shared';
import { schemaRegistryHeaders } from '../native/probes.js';

/**
 * `stack:reset`: empties what the workshop made — its topics, schema subjects, connectors and tables —
 * while the stack keeps running, so the next session starts clean. Works on any stack profile: it only
 * talks to the services through the config.
 */

/** Every topic named after the workshop's event (the three workshop topics and any a step's test made). */
/** The native Connect worker's group (infra/src/native/service-configs.ts); resetting it would orphan Connect. */
const connectWorkerGroup = 'workshop-connect';

export function isWorkshopTopic(topic: string): boolean {
  // Also the dash-spelt names a typo makes (button-presses-json): they are workshop debris too.
  return topic.startsWith(workshopNames.avroTopic) || topic.startsWith(workshopNames.avroTopic.replaceAll('_', '-'));
}

export interface ResetSummary {
  topics: string[];
  subjects: string[];
  connectors: string[];
  postgresTables: string[];
  clickhouseTables: string[];
}

export async function resetWorkshop(config: WorkshopConfig, report: (line: string) => void): Promise<ResetSummary> {
  // Connectors first: a running sink would recreate what we delete.
  const connectRest = createConnectRestClient(config);
  const connectors = await connectRest.listConnectors();
  for (const name of connectors) await connectRest.deleteConnector(name);
  report(`  connect: deleted ${connectors.length} connector(s)`);

  const admin = createKafka(config).admin();
  await admin.connect();
  let topics: string[] = [];
  try {
    topics = (await admin.listTopics()).filter(isWorkshopTopic);
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    // Consumer groups of steps, tests and sink connectors; Connect's own worker group stays.
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id !== connectWorkerGroup);
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  report(`  kafka: deleted ${topics.length} topic(s)`);

  const subjects = await deleteSubjects(config);
  report(`  schema-registry: deleted ${subjects.length} subject(s)`);

  const postgresTables = await resetPostgres(config);
  report(`  postgres: dropped ${postgresTables.length} table(s) in database ${config.postgres.database}`);

  const clickhouseTables = await resetClickHouse(config);
  report(`  clickhouse: dropped ${clickhouseTables.length} table(s) in database ${config.clickhouse.database}`);
  return { topics, subjects, connectors, postgresTables, clickhouseTables };
}

async function deleteSubjects(config: WorkshopConfig): Promise<string[]> {
  const base = config.schemaRegistry.url;
  const headers = schemaRegistryHeaders(config);
  const response = await fetch(`${base}/subjects`, { headers });
  if (!response.ok) {
    throw new KitError(`schema-registry: GET /subjects answered ${response.status}`, {
      hint: 'subjects and tables are not reset yet: once npm run stack:status shows the registry working, run npm run stack:reset again',
    });
  }
  const subjects = ((await response.json()) as string[]).filter((subject) => subject.startsWith(workshopNames.avroTopic));
  for (const subject of subjects) {
    const path = `${base}/subjects/${encodeURIComponent(subject)}`;
    // Confluent's API: a soft delete first, then a permanent one (ids are never reused either way).
    await fetch(path, { method: 'DELETE', headers });
    await fetch(`${path}?permanent=true`, { method: 'DELETE', headers });
  }
  return subjects;
}

/** Drops every table, view and type in `public` of the workshop database (the database is the workshop's own). */
async function resetPostgres(config: WorkshopConfig): Promise<string[]> {
  const db = createPostgresPool(config, { max: 1 });
  try {
    const tables = await db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    const role = pg.escapeIdentifier(workshopNames.dashboardReadRole);
    await db.query('DROP SCHEMA IF EXISTS public CASCADE');
    await db.query('CREATE SCHEMA public');
    await db.query('GRANT ALL ON SCHEMA public TO PUBLIC');
    await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`).catch(() => undefined);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`).catch(() => undefined);
    return tables.rows.map((row) => row.name);
  } finally {
    await db.end();
  }
}

async function resetClickHouse(config: WorkshopConfig): Promise<string[]> {
  const client = createClickHouse(config, { database: 'default' });
  try {
    return await dropClickHouseTables(client, config.clickhouse.database);
  } finally {
    await client.close();
  }
}

/**
 * Drops every table and view of the workshop database, views first (a materialized view writes into its
 * target). Table by table rather than DROP DATABASE: on Aiven the database is created through Aiven's API
 * (Terraform), and SQL may not create it again.
 */
export async function dropClickHouseTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT name, engine LIKE '%View' AS is_view FROM system.tables
            WHERE database = {database:String} AND NOT is_temporary ORDER BY is_view DESC, name`,
    query_params: { database },
    format: 'JSONEachRow',
  });
  const tables = await result.json<{ name: string; is_view: number | boolean }>();
  for (const table of tables) {
    await client.command({ query: `DROP TABLE IF EXISTS ${quoteClickHouseIdentifier(database)}.${quoteClickHouseIdentifier(table.name)} SYNC` });
  }
  return tables.map((table) => table.name).sort();
}

function quoteClickHouseIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}
