import type { Admin, Producer } from 'kafkajs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readButtonPressSchema, workshopNames, type ButtonPressEvent } from '@workshop/shared';

/**
 * Step 04 in a few lines, ready for you: the event's schema (the kit's one copy) registered under
 * `<topic>-value`, and visits produced in Confluent wire format, keyed by session_id. Nothing to write here.
 */

/** Registers the kit's event schema for `topic`'s values and returns its id. */
export async function registerButtonPressSchema(registry: SchemaRegistry, topic: string): Promise<number> {
  const schema = JSON.stringify(readButtonPressSchema());
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-value` });
  return id;
}

/** Creates the topic if it is missing, with the workshop's partitions. */
export async function ensureTopic(admin: Admin, topic: string): Promise<void> {
  // Asking first: kafkajs logs "already exists" as an ERROR although createTopics() then simply returns false.
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
}

/**
 * One message per event: key = session_id (a visit stays in one partition, in order), value = Avro in
 * Confluent wire format. The time goes in as a `Date`: the schema says `timestamp-millis`, and that logical
 * type is what makes the JDBC sink write a real timestamp.
 */
export async function produceVisits(
  producer: Producer,
  registry: SchemaRegistry,
  topic: string,
  schemaId: number,
  events: ButtonPressEvent[],
): Promise<void> {
  const messages = await Promise.all(
    events.map(async (event) => ({
      key: event.session_id,
      value: await registry.encode(schemaId, { ...event, timestamp: new Date(event.timestamp) }),
    })),
  );
  await producer.send({ topic, messages });
}
