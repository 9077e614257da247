import type { Admin, Producer, RecordMetadata } from 'kafkajs';
import { workshopNames, type ButtonPressEvent } from '@workshop/shared';

/**
 * Step 02 — events into Kafka as JSON. The caller connects and disconnects the clients (see start.ts);
 * these functions use them.
 */

/** README §1: the topic, with 3 partitions, unless it is already there. Safe to call at every start. */
export async function ensureTopic(admin: Admin, topic: string = workshopNames.jsonTopic): Promise<void> {
  // TODO(step 02): create `topic` with workshopNames.topicPartitions partitions unless it exists (admin.createTopics).
  throw new Error('TODO: create the topic with 3 partitions (README §1)');
}

/**
 * README §2: every event to button_presses_json, keyed by its session_id, the event as JSON.
 * Resolves only when Kafka has acknowledged every event: a program that exits right after would
 * otherwise lose what was still on its way.
 */
export async function produceVisits(producer: Producer, events: ButtonPressEvent[]): Promise<RecordMetadata[]> {
  // TODO(step 02): producer.send() the events to workshopNames.jsonTopic — key: session_id, value: the event as JSON —
  // and resolve with what send() resolves with, once Kafka has acknowledged.
  throw new Error('TODO: send the events to button_presses_json, keyed by session_id (README §2)');
}
