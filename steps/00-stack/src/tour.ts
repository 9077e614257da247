import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createClient } from '@clickhouse/client';
import { readFileSync } from 'node:fs';
import { basicAuthHeaders, loadConfig, kafkaClientConfig } from '@workshop/shared';

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
  // With credentials when the config has them (the cloud's registry wants Basic auth).
  const headers = basicAuthHeaders(config.schemaRegistry.auth);
  const response = await fetch(`${config.schemaRegistry.url}/subjects`, { headers });
  const subjects = (await response.json()) as string[];
  return `${subjects.length} subjects`;
}

async function connect(): Promise<string> {
  const headers = basicAuthHeaders(config.connect.auth);
  const plugins = (await (await fetch(`${config.connect.url}/connector-plugins?connectorsOnly=false`, { headers })).json()) as { class: string }[];
  const connectors = (await (await fetch(`${config.connect.url}/connectors`, { headers })).json()) as string[];
  return `${plugins.length} plugins, ${connectors.length} connectors`;
}

async function postgres(): Promise<string> {
  const { host, port, database, user, password, ssl } = config.postgres;
  // TLS when the config asks for it (the cloud), checking the server against the CA file it names.
  const tls = ssl ? { rejectUnauthorized: ssl.rejectUnauthorized, ca: ssl.caFile ? readFileSync(ssl.caFile, 'utf8') : undefined } : false;
  const client = new pg.Client({ host, port, database, user, password, ssl: tls });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  return `PostgreSQL ${rows[0]?.server_version}`;
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
