import { createInterface } from 'node:readline/promises';
import pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  defaultNames,
  KitError,
  workshopNames,
  type WorkshopConfig,
} from '@workshop/shared';
import { schemaRegistryHeaders } from '../native/probes.js';

/**
 * `stack:reset`: empties what the workshop made — its topics, schema subjects, connectors, consumer groups and
 * tables, each recognised by the kit's names — while the stack keeps running, so the next session starts clean.
 * Nothing else on the target is touched and no privilege is widened: `.env` may point at a shared cloud
 * service, so on anything but this machine it asks first (or takes --yes). Works on any stack profile: it
 * only talks to the services through the config.
 */

/** Every topic named after the workshop's event (the three workshop topics and any a step's test made). */
export function isWorkshopTopic(topic: string): boolean {
  // Also the dash-spelt names a typo makes (button-presses-json): they are workshop debris too.
  return topic.startsWith(workshopNames.avroTopic) || topic.startsWith(workshopNames.avroTopic.replaceAll('_', '-'));
}

/** Tables, views and connectors the workshop names after its event (button_presses…, presses_per_…). */
export function isWorkshopObject(name: string): boolean {
  return isWorkshopTopic(name) || name.startsWith('presses_per_');
}

/**
 * Tables and views of the workshop, by the names every namespace gives them (a participant's live in her own schema and
 * database under the default names: names.ts).
 */
export function isWorkshopTable(name: string): boolean {
  return name.startsWith(defaultNames.table) || name.startsWith(defaultNames.table.replaceAll('_', '-')) || name.startsWith('presses_per_');
}

/**
 * Consumer groups of the kit: the steps' defaults (press-counter, clickhouse-sink), the tests' (test-…,
 * test06-…, smoke-…, step04-…, button_presses_…) and the Connect sinks' (connect-<connector>). Connect's own worker
 * group (workshop-connect) is not among them: resetting it would orphan Connect.
 */
const workshopGroupPrefixes = ['press-counter', 'clickhouse-sink', 'test-', 'test06-', 'smoke-', 'step04-', 'connect-button'];

export function isWorkshopGroup(groupId: string): boolean {
  return workshopGroupPrefixes.some((prefix) => groupId.startsWith(prefix)) || isWorkshopTopic(groupId);
}

const loopbackHost = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/i;

/** The hosts reset would talk to that are not this machine (empty: a local stack). */
export function remoteHostsOf(config: WorkshopConfig): string[] {
  const hosts = [
    ...config.kafka.brokers.map((broker) => broker.replace(/:\d+$/, '')),
    new URL(config.schemaRegistry.url).hostname,
    new URL(config.connect.url).hostname,
    config.postgres.host,
    new URL(config.clickhouse.url).hostname,
  ];
  return [...new Set(hosts.filter((host) => !loopbackHost.test(host)))];
}

export interface ResetOptions {
  /** --yes: no question on a remote target. */
  yes?: boolean;
  /** Asks a person; default: the terminal (refused when there is none). */
  confirm?: (question: string) => Promise<boolean>;
}

async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

export interface ResetSummary {
  topics: string[];
  subjects: string[];
  connectors: string[];
  postgresTables: string[];
  clickhouseTables: string[];
}

export async function resetWorkshop(
  config: WorkshopConfig,
  report: (line: string) => void,
  options: ResetOptions = {},
): Promise<ResetSummary> {
  const remote = remoteHostsOf(config);
  if (remote.length > 0 && !options.yes) {
    const question = `stack:reset deletes the workshop's topics, subjects, connectors, groups and tables on ${remote.join(', ')}. Go on?`;
    if (!(await (options.confirm ?? askOnTerminal)(question))) {
      throw new KitError(`stack:reset stopped: nothing was deleted on ${remote.join(', ')}`, {
        hint: 'to reset a remote stack without the question: npm run stack:reset -- --yes',
        code: 'usage',
      });
    }
  }
  // Connectors first: a running sink would recreate what we delete.
  const connectRest = createConnectRestClient(config);
  const connectors = (await connectRest.listConnectors()).filter(isWorkshopObject);
  for (const name of connectors) await connectRest.deleteConnector(name);
  report(`  connect: deleted ${connectors.length} connector(s)`);

  const admin = createKafka(config).admin();
  await admin.connect();
  let topics: string[] = [];
  try {
    topics = (await admin.listTopics()).filter(isWorkshopTopic);
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter(isWorkshopGroup);
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  report(`  kafka: deleted ${topics.length} topic(s)`);

  const subjects = await deleteSubjects(config);
  report(`  schema-registry: deleted ${subjects.length} subject(s)`);

  const postgresTables = await resetPostgres(config);
  const schema = config.postgres.schema ?? 'public';
  report(`  postgres: dropped ${postgresTables.length} table(s) in database ${config.postgres.database}, schema ${schema}`);

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

/**
 * Drops the workshop's tables and views in `public` (by name) and nothing else of the database. The dashboards'
 * read-only role keeps exactly what it needs — USAGE on the schema and SELECT on tables made from now on — and
 * nobody gets more: CREATE on `public` is the owner's, as PostgreSQL 15 has it (an older reset granted ALL to
 * PUBLIC, which let the read-only role create objects; that grant is taken back here).
 */
async function resetPostgres(config: WorkshopConfig): Promise<string[]> {
  // A participant's reset (WORKSHOP_PARTICIPANT) empties her schema and leaves `public` and its grants as they are.
  const schema = config.postgres.schema ?? 'public';
  const qualified = (name: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
  const db = createPostgresPool(config, { max: 1 });
  try {
    const found = await db.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`,
      [schema],
    );
    const ours = found.rows.filter((row) => isWorkshopTable(row.name));
    // Views first: a table that a view reads cannot go before it (CASCADE would also drop views not ours).
    for (const row of [...ours].sort((a, b) => Number(b.kind === 'v' || b.kind === 'm') - Number(a.kind === 'v' || a.kind === 'm'))) {
      const what = row.kind === 'v' ? 'VIEW' : row.kind === 'm' ? 'MATERIALIZED VIEW' : 'TABLE';
      await db.query(`DROP ${what} IF EXISTS ${qualified(row.name)}`);
    }
    if (!config.postgres.schema) {
      const role = pg.escapeIdentifier(workshopNames.dashboardReadRole);
      await db.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
      await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`).catch(() => undefined);
      await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`).catch(() => undefined);
    }
    return ours.map((row) => row.name);
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
 * Drops the workshop's tables and views (by name) in its database, views first (a materialized view writes into
 * its target). Table by table rather than DROP DATABASE: on Aiven the database is created through Aiven's API
 * (Terraform), and SQL may not create it again; and a database `.env` names may hold more than the workshop's.
 */
export async function dropClickHouseTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT name, engine LIKE '%View' AS is_view FROM system.tables
            WHERE database = {database:String} AND NOT is_temporary ORDER BY is_view DESC, name`,
    query_params: { database },
    format: 'JSONEachRow',
  });
  const tables = (await result.json<{ name: string; is_view: number | boolean }>()).filter((table) => isWorkshopTable(table.name));
  for (const table of tables) {
    await client.command({
      query: `DROP TABLE IF EXISTS ${quoteClickHouseIdentifier(database)}.${quoteClickHouseIdentifier(table.name)} SYNC`,
    });
  }
  return tables.map((table) => table.name).sort();
}

function quoteClickHouseIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}
