import pg from 'pg';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  namesFor,
  type WorkshopConfig,
} from '@workshop/shared';

/**
 * What a participant namespace holds on the stack, found by its names (names.ts) — and its removal, for the rehearsal's
 * simulated participants, who leave nothing behind. Reads through the room's own view of the stack: no participant in
 * the config, so the Kafka admin sees every group (a participant's admin sees only her own).
 */

export interface NamespaceObjects {
  participant: string;
  topics: string[];
  subjects: string[];
  connectors: string[];
  groups: string[];
  /** Tables (and views) in her PostgreSQL schema; undefined when the schema does not exist. */
  postgresTables: string[] | undefined;
  /** Tables (and views) in her ClickHouse database; undefined when the database does not exist. */
  clickhouseTables: string[] | undefined;
}

/** The config without a participant: the stack as a whole. */
export function roomView(config: WorkshopConfig): WorkshopConfig {
  const { participant: _participant, ...rest } = config;
  const { schema: _schema, ...postgres } = config.postgres;
  return { ...rest, postgres };
}

function registryHeaders(config: WorkshopConfig): Record<string, string> {
  const { auth } = config.schemaRegistry;
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}

async function listSubjects(config: WorkshopConfig): Promise<string[]> {
  const response = await fetch(`${config.schemaRegistry.url}/subjects`, {
    headers: registryHeaders(config),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`schema registry: GET /subjects answered ${response.status}`);
  return (await response.json()) as string[];
}

/** Everything on the stack that carries `participant`'s names. */
export async function namespaceObjects(config: WorkshopConfig, participant: string): Promise<NamespaceObjects> {
  const room = roomView(config);
  const names = namesFor(participant);
  const mine = (name: string) => name.startsWith(names.kafkaPrefix);
  const admin = createKafka(room).admin();
  await admin.connect();
  let topics: string[];
  let groups: string[];
  try {
    topics = (await admin.listTopics()).filter(mine);
    // Her groups, and Kafka Connect's for her connectors (connect-<connector>: the worker names them, not her client).
    groups = (await admin.listGroups()).groups
      .map((group) => group.groupId)
      .filter((groupId) => mine(groupId) || groupId.startsWith(`connect-${names.kafkaPrefix}`));
  } finally {
    await admin.disconnect();
  }
  const subjects = (await listSubjects(room)).filter(mine);
  const connectors = (await createConnectRestClient(room).listConnectors()).filter(mine);

  const pool = createPostgresPool(room, { max: 1 });
  let postgresTables: string[] | undefined;
  try {
    const schema = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.postgresSchema]);
    if (schema.rowCount) {
      const tables = await pool.query<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [names.postgresSchema],
      );
      postgresTables = tables.rows.map((row) => row.name);
    }
  } finally {
    await pool.end();
  }

  const clickhouse = createClickHouse(room, { database: 'default', quiet: true });
  let clickhouseTables: string[] | undefined;
  try {
    const exists = await clickhouse.query({
      query: 'SELECT count() AS n FROM system.databases WHERE name = {db:String}',
      query_params: { db: names.clickhouseDatabase },
      format: 'JSONEachRow',
    });
    if (Number(((await exists.json()) as { n: string }[])[0]?.n) > 0) {
      const tables = await clickhouse.query({
        query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
        query_params: { db: names.clickhouseDatabase },
        format: 'JSONEachRow',
      });
      clickhouseTables = ((await tables.json()) as { name: string }[]).map((row) => row.name);
    }
  } finally {
    await clickhouse.close();
  }
  return { participant, topics, subjects, connectors, groups, postgresTables, clickhouseTables };
}

/**
 * Removes `participant`'s namespace: her connectors first (a running sink would recreate what follows), her groups,
 * topics and subjects, her PostgreSQL schema and her ClickHouse database. Nothing without her prefix is touched.
 */
export async function removeNamespace(config: WorkshopConfig, participant: string): Promise<NamespaceObjects> {
  const room = roomView(config);
  const names = namesFor(participant);
  const found = await namespaceObjects(config, participant);
  const connect = createConnectRestClient(room);
  for (const connector of found.connectors) await connect.deleteConnector(connector);
  const admin = createKafka(room).admin();
  await admin.connect();
  try {
    if (found.groups.length) await admin.deleteGroups(found.groups).catch(() => undefined);
    if (found.topics.length) await admin.deleteTopics({ topics: found.topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  for (const subject of found.subjects) {
    const path = `${room.schemaRegistry.url}/subjects/${encodeURIComponent(subject)}`;
    // Confluent's API: a soft delete first, then the permanent one.
    await fetch(path, { method: 'DELETE', headers: registryHeaders(room) });
    await fetch(`${path}?permanent=true`, { method: 'DELETE', headers: registryHeaders(room) });
  }
  if (found.postgresTables !== undefined) {
    const pool = createPostgresPool(room, { max: 1 });
    try {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(names.postgresSchema)} CASCADE`);
    } finally {
      await pool.end();
    }
  }
  if (found.clickhouseTables !== undefined) {
    const clickhouse = createClickHouse(room, { database: 'default', quiet: true });
    try {
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${names.clickhouseDatabase}` });
    } finally {
      await clickhouse.close();
    }
  }
  return found;
}
