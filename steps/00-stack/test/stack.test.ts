import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { basicAuthHeaders, createClickHouse, createKafka, createPostgresPool, loadConfig } from '@workshop/shared';
import { describeUnreachable, withHint } from '@workshop/shared/testing';

/**
 * Step 00: every service of the stack answers a real question. When one does not, the message says
 * which, where, and what to do: start the stack (npm run stack:up).
 */
const config = loadConfig();

describe('the stack', () => {
  it('Kafka lists its topics', async () => {
    const where = config.kafka.brokers.join(',');
    const admin = createKafka(config, { connectionTimeout: 3000, retry: { retries: 1 }, logLevel: logLevel.NOTHING }).admin();
    await withHint(describeUnreachable('kafka', where, 'could not list topics'), async () => {
      await admin.connect();
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    }).finally(() => admin.disconnect());
  });

  it('the schema registry lists its subjects (Confluent API)', async () => {
    await withHint(describeUnreachable('schema-registry', config.schemaRegistry.url, 'GET /subjects failed'), async () => {
      const response = await fetch(`${config.schemaRegistry.url}/subjects`, { headers: basicAuthHeaders(config.schemaRegistry.auth) });
      expect(response.status).toBe(200);
      expect(Array.isArray(await response.json())).toBe(true);
    });
  });

  // A JDBC sink and an Avro converter, whichever the stack has: the local stacks run Debezium's sink and Apicurio's
  // converter, Aiven its own sink and Confluent's converter (step 05's config is translated for it by the kit).
  it('Kafka Connect has a JDBC sink and an Avro converter', async () => {
    const plugins = await withHint(describeUnreachable('connect', config.connect.url, 'GET /connector-plugins failed'), async () => {
      const response = await fetch(`${config.connect.url}/connector-plugins?connectorsOnly=false`, {
        headers: basicAuthHeaders(config.connect.auth),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { class: string }[]).map((plugin) => plugin.class);
    });
    await withHint('Kafka Connect is up but a plugin is missing from its plugin.path — see the Connect log (npm run stack:status)', () => {
      expect(plugins.some((plugin) => plugin.endsWith('.JdbcSinkConnector'))).toBe(true);
      expect(plugins.some((plugin) => plugin.endsWith('AvroConverter'))).toBe(true);
    });
  });

  it(`PostgreSQL answers in database "${config.postgres.database}"`, async () => {
    const pool = createPostgresPool(config, { max: 1 });
    await withHint(
      describeUnreachable('postgres', `${config.postgres.host}:${config.postgres.port}`, `database ${config.postgres.database}`),
      async () => {
        const { rows } = await pool.query<{ db: string }>('SELECT current_database() AS db');
        expect(rows[0]?.db).toBe(config.postgres.database);
      },
    ).finally(() => pool.end());
  });

  it(`ClickHouse answers in database "${config.clickhouse.database}" with a modern engine`, async () => {
    const client = createClickHouse(config, { quiet: true });
    const version = await withHint(describeUnreachable('clickhouse', config.clickhouse.url, 'SELECT version() failed'), async () => {
      const result = await client.query({ query: 'SELECT version() AS version, currentDatabase() AS db', format: 'JSONEachRow' });
      const [row] = await result.json<{ version: string; db: string }>();
      expect(row?.db).toBe(config.clickhouse.database);
      return row?.version ?? '';
    }).finally(() => client.close());
    // DateTime64 and query parameters, which the later steps use, need ClickHouse 20+; the kit targets 24.8+.
    expect(Number(version.split('.')[0]), `ClickHouse ${version} is too old for this workshop`).toBeGreaterThanOrEqual(24);
  });
});
