import { describe, expect, it } from 'vitest';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  loadConfig,
  workshopNames,
} from '@workshop/shared';
import { uniqueName } from '@workshop/shared/testing';
import { resetWorkshop } from '../../src/reset/reset.js';

/**
 * stack:reset on the real stack: what a workshop session leaves behind — a topic, a subject, a connector,
 * a PostgreSQL table and a ClickHouse table — is gone afterwards, and the stack still works.
 * (It empties the whole workshop state: the kit's test run has it before the steps' tests.)
 */
const config = loadConfig();

describe('stack:reset', () => {
  it("removes the workshop's topics, subjects, connectors and tables, and leaves the stack running", async () => {
    const suffix = uniqueName('reset').replaceAll('-', '_');
    const topic = `${workshopNames.avroTopic}_${suffix}`;
    const subject = `${topic}-value`;
    // Named as the kit names its connectors: reset deletes those, and only those.
    const connectorName = `${workshopNames.postgresSinkConnector}-${suffix.replaceAll('_', '-')}`;

    const admin = createKafka(config).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await createSchemaRegistry(config).register(
      { type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] }) },
      { subject },
    );
    const connect = createConnectRestClient(config);
    await connect.putConnectorConfig(connectorName, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      topics: topic,
      'connection.url': config.connect.postgresJdbcUrl,
      'connection.username': config.postgres.user,
      'connection.password': config.postgres.password ?? '',
    });
    const db = createPostgresPool(config, { max: 1 });
    await db.query(`CREATE TABLE ${workshopNames.table}_${suffix} (id int)`);
    const clickhouse = createClickHouse(config);
    await clickhouse.command({ query: `CREATE TABLE ${workshopNames.table}_${suffix} (id Int32) ENGINE = MergeTree ORDER BY id` });

    const summary = await resetWorkshop(config, () => undefined);
    expect(summary.topics).toContain(topic);
    expect(summary.subjects).toContain(subject);
    expect(summary.connectors).toContain(connectorName);

    expect(await admin.listTopics()).not.toContain(topic);
    const subjects = (await (await fetch(`${config.schemaRegistry.url}/subjects`)).json()) as string[];
    expect(subjects).not.toContain(subject);
    expect(await connect.listConnectors()).not.toContain(connectorName);
    const pgTables = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1`, [
      `${workshopNames.table}_${suffix}`,
    ]);
    expect(pgTables.rowCount).toBe(0);
    const chTables = await clickhouse.query({
      query: 'SELECT name FROM system.tables WHERE database = {db:String} AND startsWith(name, {prefix:String})',
      query_params: { db: config.clickhouse.database, prefix: workshopNames.table },
      format: 'JSONEachRow',
    });
    expect(await chTables.json()).toEqual([]);

    // The read-only role was not widened: it reads, and cannot create.
    const roleRights = await db.query(
      `SELECT has_schema_privilege($1, 'public', 'CREATE') AS can_create, has_schema_privilege($1, 'public', 'USAGE') AS can_use`,
      [workshopNames.dashboardReadRole],
    );
    expect(roleRights.rows[0]).toEqual({ can_create: false, can_use: true });

    // Still running, and the workshop database is usable (the dashboard role keeps its default grants).
    await db.query(`CREATE TABLE ${workshopNames.table}_${suffix}_after (id int)`);
    const grant = await db.query(`SELECT has_table_privilege($1, $2, 'SELECT') AS can_read`, [
      workshopNames.dashboardReadRole,
      `${workshopNames.table}_${suffix}_after`,
    ]);
    expect(grant.rows[0]?.can_read).toBe(true);
    await db.query(`DROP TABLE ${workshopNames.table}_${suffix}_after`);
    await db.end();
    await clickhouse.close();
    await admin.disconnect();
  });
});
