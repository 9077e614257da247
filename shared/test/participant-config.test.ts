import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { createKafka } from '../src/clients.js';
import { parseConfig } from '../src/config.js';
import {
  clickHouseEnsuringDatabase,
  connectorConfigInSchema,
  connectorConfigOutOfSchema,
  createOnce,
  NamespacedKafka,
} from '../src/participant-clients.js';

/**
 * What WORKSHOP_PARTICIPANT changes in the config and the client factories (room mode): the names come from names.ts
 * (tested there); here, that the clients go where those names say — without a stack.
 */
describe('a participant’s config', () => {
  it('without a participant: the default schema, database and JDBC URL, and plain kafkajs', () => {
    const config = parseConfig({});
    expect(config.participant).toBeUndefined();
    expect(config.postgres.schema).toBeUndefined();
    expect(config.clickhouse.database).toBe('workshop');
    expect(config.connect.postgresJdbcUrl).toBe('jdbc:postgresql://127.0.0.1:5432/workshop');
    expect(createKafka(config)).not.toBeInstanceOf(NamespacedKafka);
  });

  it('gives her PostgreSQL schema to her connections and to Connect’s JDBC URL, and her own ClickHouse database', () => {
    const config = parseConfig({ WORKSHOP_PARTICIPANT: 'alice-2' });
    expect(config.participant).toBe('alice-2');
    expect(config.postgres.schema).toBe('workshop_alice_2');
    expect(config.postgres.database).toBe('workshop');
    expect(config.connect.postgresJdbcUrl).toBe('jdbc:postgresql://127.0.0.1:5432/workshop?currentSchema=workshop_alice_2');
    expect(config.clickhouse.database).toBe('workshop_alice_2');
    expect(createKafka(config)).toBeInstanceOf(NamespacedKafka);
  });

  it('keeps a cloud JDBC URL’s own parameters and an explicit CLICKHOUSE_DATABASE', () => {
    const config = parseConfig({
      WORKSHOP_PARTICIPANT: 'bob',
      CONNECT_JDBC_URL: 'jdbc:postgresql://pg.example:1234/defaultdb?sslmode=require',
      CLICKHOUSE_DATABASE: 'room_bob',
    });
    expect(config.connect.postgresJdbcUrl).toBe('jdbc:postgresql://pg.example:1234/defaultdb?sslmode=require&currentSchema=workshop_bob');
    expect(config.clickhouse.database).toBe('room_bob');
  });

  it('refuses a participant name that is not a namespace', () => {
    expect(() => parseConfig({ WORKSHOP_PARTICIPANT: 'Alice Smith' })).toThrow(/not a participant name/);
  });
});

describe('a participant’s Kafka client', () => {
  const admin = () => new NamespacedKafka({ brokers: ['127.0.0.1:1'] }, 'alice.').admin();

  it('puts her prefix on every consumer group it joins, once', () => {
    const kafka = new NamespacedKafka({ brokers: ['127.0.0.1:1'] }, 'alice.');
    const superConsumer = vi.spyOn(Object.getPrototypeOf(NamespacedKafka.prototype), 'consumer');
    try {
      kafka.consumer({ groupId: 'press-counter' });
      kafka.consumer({ groupId: 'alice.press-counter' });
      expect(superConsumer.mock.calls.map(([config]) => (config as { groupId: string }).groupId)).toEqual([
        'alice.press-counter',
        'alice.press-counter',
      ]);
    } finally {
      superConsumer.mockRestore();
    }
  });

  it('its admin reads and deletes her groups by the names her code uses, and lists only hers', async () => {
    const inner = {
      fetchOffsets: vi.fn(async () => []),
      deleteGroups: vi.fn(async (ids: string[]) => ids.map((groupId) => ({ groupId, errorCode: 0 }))),
      listGroups: vi.fn(async () => ({
        groups: [
          { groupId: 'alice.press-counter', protocolType: 'consumer' },
          { groupId: 'bob.press-counter', protocolType: 'consumer' },
          { groupId: 'press-counter', protocolType: 'consumer' },
        ],
      })),
    };
    const kafkaAdmin = vi.spyOn(Object.getPrototypeOf(NamespacedKafka.prototype), 'admin').mockReturnValue(inner as unknown as Admin);
    try {
      const namespaced = admin();
      await namespaced.fetchOffsets({ groupId: 'press-counter', topics: ['t'] });
      expect(inner.fetchOffsets).toHaveBeenCalledWith({ groupId: 'alice.press-counter', topics: ['t'] });
      expect(await namespaced.deleteGroups(['press-counter'])).toEqual([{ groupId: 'press-counter', errorCode: 0 }]);
      expect(inner.deleteGroups).toHaveBeenCalledWith(['alice.press-counter']);
      expect((await namespaced.listGroups()).groups.map((group) => group.groupId)).toEqual(['press-counter']);
    } finally {
      kafkaAdmin.mockRestore();
    }
  });
});

describe('a participant’s ClickHouse client', () => {
  it('makes her database once, before the first request', async () => {
    const order: string[] = [];
    const fake = {
      query: async () => order.push('query'),
      close: async () => order.push('close'),
      url: 'x',
    } as unknown as ClickHouseClient;
    let creates = 0;
    const key = `test ${Math.random()}`;
    const client = clickHouseEnsuringDatabase(fake, () =>
      createOnce(key, async () => {
        creates += 1;
        order.push('create');
      }),
    );
    await client.query({ query: 'SELECT 1' });
    await client.query({ query: 'SELECT 2' });
    await client.close();
    expect(order).toEqual(['create', 'query', 'query', 'close']);
    expect(creates).toBe(1);
  });
});

describe('a participant’s connector config', () => {
  it('puts her plain table name in her schema on the way to Connect, and takes it off on the way back', () => {
    const mine = {
      topics: 'alice.button_presses',
      'collection.name.format': 'button_presses',
      'connection.url': 'jdbc:postgresql://x/workshop',
    };
    const sent = connectorConfigInSchema(mine, 'workshop_alice');
    expect(sent['collection.name.format']).toBe('workshop_alice.button_presses');
    expect(sent.topics).toBe('alice.button_presses');
    expect(connectorConfigOutOfSchema(sent, 'workshop_alice')).toEqual(mine);
  });

  it('leaves a pattern or an already qualified name as written (a mistake stays a mistake)', () => {
    for (const table of ['${topic}', 'other.button_presses']) {
      expect(connectorConfigInSchema({ 'collection.name.format': table }, 'workshop_alice')['collection.name.format']).toBe(table);
    }
  });
});
