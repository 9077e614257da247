import { randomUUID } from 'node:crypto';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import { createKafka, createSchemaRegistry, roomProgressTopic } from '@workshop/shared';
import type { WorkshopConfig } from '@workshop/shared';
import { type ProgressEvent, readProgressSchema } from './progress-event.js';

/** The board's topic: the room's one shared topic (names.ts), without a participant's prefix. */
export const progressTopic = roomProgressTopic;
export const progressSubject = `${progressTopic}-value`;

/** Creates the topic (one partition: the board reads everything in order; a room sends a few events a second at most). */
export async function ensureProgressTopic(config: WorkshopConfig): Promise<void> {
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(progressTopic)) {
      await admin.createTopics({ topics: [{ topic: progressTopic, numPartitions: 1 }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends one event, keyed by participant, in Avro through the registry (registering the schema is idempotent: the same
 * schema gets the same id). Callers bound the time it may take; this throws whatever the clients throw.
 */
export async function publishProgress(
  config: WorkshopConfig,
  event: ProgressEvent,
  options: { connectTimeoutMs?: number } = {},
): Promise<void> {
  const registry = createSchemaRegistry(config);
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(readProgressSchema()) },
    { subject: progressSubject },
  );
  const value = await registry.encode(id, event);
  const producer = createKafka(config, {
    connectionTimeout: options.connectTimeoutMs ?? 1500,
    retry: { retries: 1 },
  }).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: progressTopic, acks: -1, messages: [{ key: event.participant, value }] });
  } finally {
    await producer.disconnect();
  }
}

export interface ProgressReader {
  stop(): Promise<void>;
}

/**
 * Reads every event from the topic's beginning, then live, handing each to `onEvent`. A group of its own (random
 * name, deleted on stop): each board sees the whole history and commits nothing anyone else reads.
 */
export async function readProgress(config: WorkshopConfig, onEvent: (event: ProgressEvent) => void): Promise<ProgressReader> {
  const registry = createSchemaRegistry(config);
  const kafka = createKafka(config);
  const groupId = `workshop-board-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: progressTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      try {
        onEvent((await registry.decode(message.value)) as ProgressEvent);
      } catch {
        // Not an event of ours (a stray record): the board shows what it can read.
      }
    },
  });
  return {
    async stop() {
      await consumer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    },
  };
}
