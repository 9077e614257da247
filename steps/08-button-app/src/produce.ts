import type { Admin, Producer } from 'kafkajs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readButtonPressSchema, workshopNames, type ButtonPressEvent } from '@workshop/shared';

/** Where the app's events go. Kafka in real life (`avroEventSink`); tests wrap it to watch events pass by. */
export interface EventSink {
  /** Resolves once the event is safely stored. */
  send(event: ButtonPressEvent): Promise<void>;
}

/**
 * README §2 — one event, one Avro message on `button_presses`, in Confluent wire format (step 04), keyed
 * by its session id so a visit's events stay in one partition, in order. Resolves when Kafka has it: the
 * page answers the press only after that.
 */
export async function produceEvent(producer: Producer, registry: SchemaRegistry, schemaId: number, event: ButtonPressEvent): Promise<void> {
  // TODO(step 08): encode the event with registry.encode(schemaId, …) — its timestamp as a Date, for
  //   timestamp-millis — and send it to workshopNames.avroTopic with producer.send, keyed by its
  //   session_id. Await the send: the press is answered once Kafka has the event.
  throw new Error('TODO: produce the event as Avro to button_presses, keyed by session_id, in produceEvent() (README §2)');
}

export function avroEventSink(producer: Producer, registry: SchemaRegistry, schemaId: number): EventSink {
  return { send: (event) => produceEvent(producer, registry, schemaId, event) };
}

/**
 * The event's schema (step 04's, read from its single source) under `button_presses-value`; the id every
 * message carries. Registering the same schema again returns the same id.
 */
export async function registerButtonPressSchema(registry: SchemaRegistry): Promise<number> {
  const schema = JSON.stringify(readButtonPressSchema());
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: workshopNames.avroSubject });
  return id;
}

/** The topic with the workshop's partitions, if nobody has created it yet (step 04 usually has). */
export async function ensureEventTopic(admin: Admin): Promise<void> {
  if ((await admin.listTopics()).includes(workshopNames.avroTopic)) return;
  await admin.createTopics({
    topics: [{ topic: workshopNames.avroTopic, numPartitions: workshopNames.topicPartitions }],
    waitForLeaders: true,
  });
}
