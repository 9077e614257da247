import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createConnectRestClient, createKafka, createPostgresPool, createSchemaRegistry, loadConfig } from '@workshop/shared';
import { pollUntil, uniqueName } from '@workshop/shared/testing';

/**
 * The foundation's hardest promise: an Avro record with a timestamp-millis field, produced by kafkajs in
 * Confluent wire format, goes through Kafka Connect (Apicurio converter at worker level + Debezium JDBC
 * sink) into a PostgreSQL `timestamptz` column holding exactly the record's instant.
 */
const config = loadConfig();
const name = uniqueName('smoke_jdbc').replaceAll('-', '_');
const topic = name;
const table = name;
const connectorName = name.replaceAll('_', '-');
const connect = createConnectRestClient(config);
const db = createPostgresPool(config);

beforeAll(async () => {
  await db.query(
    `CREATE TABLE ${table} (row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id uuid NOT NULL UNIQUE, at timestamptz NOT NULL, label text)`,
  );
});

afterAll(async () => {
  await connect.deleteConnector(connectorName).catch(() => undefined);
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.end();
  const admin = createKafka(config).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('Kafka Connect JDBC sink (native stack)', () => {
  it('turns an Avro record into a PostgreSQL row whose timestamptz equals the record time', async () => {
    const registry = createSchemaRegistry(config);
    const schema = {
      type: 'record',
      name: 'SmokeRow',
      namespace: 'workshop.smoke',
      fields: [
        { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'label', type: ['null', 'string'], default: null },
      ],
    };
    const { id: schemaId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    const rowId = crypto.randomUUID();
    const at = new Date('2026-11-22T13:14:15.678Z');

    const producer = createKafka(config).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: rowId, value: await registry.encode(schemaId, { id: rowId, at, label: 'smoke' }) }] });
    await producer.disconnect();

    await connect.putConnectorConfig(connectorName, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connection.url': config.connect.postgresJdbcUrl,
      'connection.username': config.postgres.user,
      'connection.password': config.postgres.password ?? '',
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_value',
      'primary.key.fields': 'id',
      'collection.name.format': table,
      'schema.evolution': 'none',
      'use.time.zone': 'UTC',
      'consumer.override.auto.offset.reset': 'earliest',
    });

    const row = await pollUntil(
      async () => {
        const status = await connect.getConnectorStatus(connectorName);
        const failed = status?.tasks.find((task) => task.state === 'FAILED');
        if (failed) throw new Error(`task failed: ${failed.trace?.split('\n').slice(0, 3).join(' ')}`);
        const result = await db.query<{ at: Date; label: string }>(`SELECT at, label FROM ${table} WHERE id = $1`, [rowId]);
        return result.rows[0];
      },
      { hint: 'the JDBC sink did not write the row', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(row.at.toISOString()).toBe(at.toISOString());
    expect(row.label).toBe('smoke');
    const type = await db.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'at'`,
      [table],
    );
    expect(type.rows[0]?.data_type).toBe('timestamp with time zone');

    await fetch(`${config.schemaRegistry.url}/subjects/${topic}-value`, { method: 'DELETE' });
    await fetch(`${config.schemaRegistry.url}/subjects/${topic}-value?permanent=true`, { method: 'DELETE' });
  });
});
