import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createClient } from '@clickhouse/client';
import { loadConfig, kafkaClientConfig } from '@workshop/shared';

/**
 * Step 00 — the tour. Asks every service of the stack one real question and prints where it lives.
 * Read it top to bottom: each block is the smallest program that talks to that service.
 */
const config = loadConfig();

async function kafka(): Promise<string> {
  const admin = new Kafka(kafkaClientConfig(config, { logLevel: logLevel.NOTHING })).admin();
  await admin.connect();
  const topics = await admin.listTopics();
  await admin.disconnect();
  return `${topics.filter((t) => !t.startsWith('_')).length} topics`;
}

async function schemaRegistry(): Promise<string> {
  const subjects = (await (await fetch(`${config.schemaRegistry.url}/subjects`)).json()) as string[];
  return `${subjects.length} subjects`;
}

async function connect(): Promise<string> {
  const plugins = (await (await fetch(`${config.connect.url}/connector-plugins?connectorsOnly=false`)).json()) as { class: string }[];
  const connectors = (await (await fetch(`${config.connect.url}/connectors`)).json()) as string[];
  return `${plugins.length} plugins, ${connectors.length} connectors`;
}

async function postgres(): Promise<string> {
  const client = new pg.Client({ host: config.postgres.host, port: config.postgres.port, database: config.postgres.database, user: config.postgres.user, password: config.postgres.password });
  await client.connect();
  const { rows } = await client.query<{ version: string }>('SHOW server_version');
  await client.end();
  return `PostgreSQL ${rows[0]?.version}`;
}

async function clickhouse(): Promise<string> {
  const client = createClient({ url: config.clickhouse.url, database: config.clickhouse.database, username: config.clickhouse.username, password: config.clickhouse.password });
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const [row] = await result.json<{ version: string }>();
  await client.close();
  return `ClickHouse ${row?.version}`;
}

const services: [string, string, () => Promise<string>][] = [
  ['Kafka', config.kafka.brokers.join(','), kafka],
  ['Schema registry', config.schemaRegistry.url, schemaRegistry],
  ['Kafka Connect', config.connect.url, connect],
  ['PostgreSQL', `${config.postgres.host}:${config.postgres.port}/${config.postgres.database}`, postgres],
  ['ClickHouse', `${config.clickhouse.url} (database ${config.clickhouse.database})`, clickhouse],
];

let down = 0;
for (const [name, where, ask] of services) {
  try {
    console.log(`✓ ${name.padEnd(16)} ${where.padEnd(52)} ${await ask()}`);
  } catch (error) {
    down += 1;
    console.log(`✗ ${name.padEnd(16)} ${where.padEnd(52)} not answering: ${(error as Error).message}`);
  }
}
console.log(down === 0 ? 'Every service answers — on to steps/01-fake-data.' : `${down} service(s) down — start the stack: npm run stack:up`);
process.exitCode = down === 0 ? 0 : 1;
