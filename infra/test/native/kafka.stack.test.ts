import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, loadConfig } from '@workshop/shared';
import { pollUntil, uniqueName } from '@workshop/shared/testing';

// Native-stack smoke: kafkajs against the real broker, a produce and a consume on a throwaway topic.
const config = loadConfig();
const kafka = createKafka(config);
const topic = uniqueName('smoke_kafka');
const admin = kafka.admin();

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('Kafka (native stack)', () => {
  it('delivers keyed messages to a consumer group, same key → same partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 9 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` }));
    await producer.send({ topic, messages });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    const seen: { key: string; value: string; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        seen.push({ key: String(message.key), value: String(message.value), partition });
      },
    });
    await pollUntil(() => (seen.length >= messages.length ? true : undefined), { hint: 'messages did not arrive', timeoutMs: 30_000 });
    await consumer.disconnect();

    expect(seen.map((m) => m.value).sort()).toEqual(messages.map((m) => m.value).sort());
    for (const key of ['k0', 'k1', 'k2']) {
      expect(new Set(seen.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
  });
});
