import type { Admin, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { workshopNames, type ButtonPressEvent } from '@workshop/shared';

/** The event as Avro wants it: the same fields, but the time as a `Date` for `timestamp-millis`. */
export type AvroButtonPress = Omit<ButtonPressEvent, 'timestamp'> & { timestamp: Date };

/** Creates the topic if it is missing (as in step 02): several partitions, so the key decides where a visit goes. */
export async function ensureTopic(admin: Admin, topic: string): Promise<void> {
  // Asking first: kafkajs logs "already exists" as an ERROR although createTopics() then simply returns false.
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
}

/**
 * JSON carries the time as an ISO string; the Avro schema says `timestamp-millis`, which the registry
 * client (with the kit's logical type) fills from a `Date` (README §3).
 */
export function toAvroValue(event: ButtonPressEvent): AvroButtonPress {
  // TODO(step 04): the same event with its ISO timestamp turned into a Date.
  throw new Error('TODO: turn the event\'s ISO timestamp into a Date in toAvroValue() (README §3)');
}

/**
 * Sends the events to `topic` in Confluent wire format (README §3): `registry.encode` writes byte 0, the
 * 4-byte schema id, then the Avro body — so any consumer can fetch the schema by id and read the bytes.
 * The key is the session id: one visit, one partition, in order.
 */
export async function produceVisits(
  producer: Producer,
  registry: SchemaRegistry,
  topic: string,
  schemaId: number,
  events: ButtonPressEvent[],
): Promise<void> {
  // TODO(step 04): one message per event — key: the session id; value: registry.encode(schemaId, toAvroValue(event)) —
  // sent with producer.send(…) and awaited.
  throw new Error('TODO: send the events, Avro-encoded with the schema id and keyed by session_id, in produceVisits() (README §3)');
}
