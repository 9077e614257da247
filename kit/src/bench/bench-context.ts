import { randomBytes, randomUUID } from 'node:crypto';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ClickHouseClient } from '@clickhouse/client';
import { type Admin, type Kafka, Partitioners, type Producer, type ProducerRecord } from 'kafkajs';
import type pg from 'pg';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  seededSampleVisits,
  workshopNames,
  type ButtonPressEvent,
  type ConnectRestClient,
  type WorkshopConfig,
} from '@workshop/shared';
import { registerSchema, valueSubject } from '../../../solutions/04-avro/src/registry.js';
import { loadButtonPressSchema } from '../../../solutions/04-avro/src/schema.js';

/**
 * What every stage of the bench shares: connected clients, the event's schema id, and the objects this run
 * creates. Every topic, table, connector and consumer group is named `bench_<run>_…` and removed at the end:
 * the bench never writes into the workshop's own topic or tables (npm start may be running beside it).
 */
export interface BenchContext {
  config: WorkshopConfig;
  kafka: Kafka;
  admin: Admin;
  /** The Java client's partitioner, as in the steps: the same key lands in the same partition. */
  producer: Producer;
  registry: SchemaRegistry;
  /** The event's schema (step 04's), registered as the workshop registers it. */
  schemaId: number;
  db: pg.Pool;
  clickhouse: ClickHouseClient;
  connect: ConnectRestClient;
  /** The stack's connector config for step 05's Debezium config (translated on Aiven). */
  jdbcSinkConfig: (debeziumConfig: Record<string, string>) => Record<string, string>;
  /** `bench_<run>_<n>_<what>`: a new name of this run only, at every call. */
  name(what: string): string;
  /** A topic of this run with the workshop topics' partitions; deleted at the end. */
  createTopic(what: string): Promise<string>;
  /** Runs at the end, last registered first (a connector goes before its table and topic). */
  onCleanup(step: () => Promise<unknown>): void;
  log(line: string): void;
  close(): Promise<void>;
}

export async function openBenchContext(
  config: WorkshopConfig,
  options: { jdbcSinkConfig: BenchContext['jdbcSinkConfig']; log: (line: string) => void },
): Promise<BenchContext> {
  const run = randomBytes(3).toString('hex');
  const kafka = createKafka(config);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const registry = createSchemaRegistry(config);
  const db = createPostgresPool(config);
  const clickhouse = createClickHouse(config, { quiet: true });
  const connect = createConnectRestClient(config);
  const cleanups: (() => Promise<unknown>)[] = [];
  await Promise.all([admin.connect(), producer.connect()]);
  // The workshop's subject: the same schema as step 04 registers, so the same id (registering again changes nothing).
  const schemaId = await registerSchema(registry, valueSubject(workshopNames.avroTopic), loadButtonPressSchema());
  // Numbered: a stage that runs twice (or two stages asking for the same word) never shares an object.
  let created = 0;
  const name = (what: string) => `bench_${run}_${++created}_${what}`;
  return {
    config,
    kafka,
    admin,
    producer,
    registry,
    schemaId,
    db,
    clickhouse,
    connect,
    jdbcSinkConfig: options.jdbcSinkConfig,
    name,
    async createTopic(what) {
      const topic = name(what);
      await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
      cleanups.push(() => admin.deleteTopics({ topics: [topic] }));
      return topic;
    },
    onCleanup: (step) => cleanups.push(step),
    log: options.log,
    async close() {
      for (const step of cleanups.reverse()) await step().catch((error: unknown) => options.log(`  cleanup: ${String(error)}`));
      await Promise.allSettled([admin.disconnect(), producer.disconnect(), db.end(), clickhouse.close()]);
    },
  };
}

/** `count` events of fresh visits (new session ids: no upsert collapses two of them). */
export function benchEvents(count: number): ButtonPressEvent[] {
  return seededSampleVisits({ visits: Math.ceil(count / 3), seed: 16, newSessionId: randomUUID }).slice(0, count);
}

/**
 * The producer, with every send going to `topic` instead of the one the caller names: step 08's produceEvent
 * writes to the workshop's topic by design, and the bench runs that very code without touching the topic.
 */
export function producerSendingTo(producer: Producer, topic: string): Producer {
  return { ...producer, send: (record: ProducerRecord) => producer.send({ ...record, topic }) };
}

/** The rows a table holds now (PostgreSQL or ClickHouse), polled until `expected` or `timeoutMs`; the time it got there. */
export async function waitForRows(
  countRows: () => Promise<number>,
  expected: number,
  options: { timeoutMs: number; pollMs: number },
): Promise<{ rows: number; at: number }> {
  const deadline = performance.now() + options.timeoutMs;
  let rows = 0;
  for (;;) {
    rows = await countRows();
    const at = performance.now();
    if (rows >= expected || at > deadline) return { rows, at };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
