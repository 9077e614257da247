import type { Admin, Producer, RecordMetadata } from 'kafkajs';
import { workshopNames, type ButtonPressEvent } from '@workshop/shared';

/**
 * Step 02 — events into Kafka as JSON. The caller connects and disconnects the clients (see start.ts);
 * these functions use them.
 */

/** README §1: the topic, with 3 partitions, unless it is already there. Safe to call at every start. */
export async function ensureTopic(admin: Admin, topic: string = workshopNames.jsonTopic): Promise<void> {
  // Asking first keeps the log quiet; createTopics itself would also just answer false for an existing topic.
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({
    topics: [{ topic, numPartitions: workshopNames.topicPartitions }],
  });
}

/**
 * README §2: every event to button_presses_json, keyed by its session_id, the event as JSON.
 * Resolves only when Kafka has acknowledged every event: a program that exits right after would
 * otherwise lose what was still on its way.
 */
export async function produceVisits(producer: Producer, events: ButtonPressEvent[]): Promise<RecordMetadata[]> {
  // One send() for all events: kafkajs groups them per partition into one request per broker.
  // The key decides the partition, so a visit's events share one partition and keep their order.
  return await producer.send({
    topic: workshopNames.jsonTopic,
    messages: events.map((event) => ({ key: event.session_id, value: JSON.stringify(event) })),
  });
}
