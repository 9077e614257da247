import type { Admin, Producer } from 'kafkajs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readButtonPressSchema, type ButtonPressEvent } from './event.js';
import { workshopNames } from './names.js';

/**
 * Step 04's producer in a few lines, for the steps after it (05, 06), their tests and `npm start`: visits
 * in Avro on a topic. Step 04's participant writes this themselves (solutions/04-avro/src/produce.ts).
 */

/** Creates the topic if it is missing, with the workshop's partitions. */
export async function ensureAvroTopic(admin: Admin, topic: string): Promise<void> {
  // Asking first: kafkajs logs "already exists" as an ERROR although createTopics() then simply returns false.
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
}

/** Registers the kit's event schema (step 04's, its one copy) for `topic`'s values and returns its id. */
export async function registerButtonPressSchema(registry: SchemaRegistry, topic: string): Promise<number> {
  const schema = JSON.stringify(readButtonPressSchema());
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-value` });
  return id;
}

/**
 * Registers the event's schema under `<topic>-value` (the same schema again keeps its id) and sends one
 * message per event: key = session_id (a visit stays in one partition, in order), value = Avro in Confluent
 * wire format. Returns the schema id.
 */
export async function produceAvroVisits(
  producer: Producer,
  registry: SchemaRegistry,
  topic: string,
  events: ButtonPressEvent[],
): Promise<number> {
  const schemaId = await registerButtonPressSchema(registry, topic);
  const messages = await Promise.all(
    events.map(async (event) => ({
      key: event.session_id,
      // The time goes in as a Date: the schema says timestamp-millis (the kit's logical type in
      // createSchemaRegistry), which is what makes a sink write a real timestamp.
      value: await registry.encode(schemaId, { ...event, timestamp: new Date(event.timestamp) }),
    })),
  );
  await producer.send({ topic, messages });
  return schemaId;
}
