import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from './schema.js';

/**
 * The subject under which a topic's value schemas live (README §2). This is the TopicNameStrategy every
 * Confluent-compatible tool defaults to — Kafka Connect's Avro converter, ClickHouse, other producers —
 * so `<topic>-value` is where they all look.
 */
export function valueSubject(topic: string): string {
  // TODO(step 04): the TopicNameStrategy subject for the values of `topic`.
  throw new Error('TODO: return the subject of the topic\'s value schemas in valueSubject() (README §2)');
}

/**
 * Registers `schema` under `subject` and returns its id, the number every message will carry (README §2).
 * Registering the same schema again returns the same id; a changed one becomes the subject's next
 * version, if the subject's compatibility rule (BACKWARD here) allows it.
 */
export async function registerSchema(registry: SchemaRegistry, subject: string, schema: AvroRecordSchema): Promise<number> {
  // TODO(step 04): registry.register(…) as an Avro schema (SchemaType.AVRO) under `subject`; return its id.
  throw new Error('TODO: register the schema under the subject in registerSchema() (README §2)');
}

export type Registration = { accepted: true; id: number } | { accepted: false; reason: string };

/**
 * Tries a new version of a subject's schema (README §5). A change the compatibility rule forbids comes
 * back as `{ accepted: false, reason }` with the registry's own explanation — which field, what rule —
 * because "409" alone tells a person nothing. Any other failure (registry down, bad credentials) is not an
 * answer about compatibility and is thrown.
 */
export async function tryRegisterSchema(registry: SchemaRegistry, subject: string, schema: AvroRecordSchema): Promise<Registration> {
  // TODO(step 04): register; when the registry refuses the schema as incompatible (the error's HTTP status
  // is 409), return { accepted: false, reason } with the registry's message; rethrow any other error.
  throw new Error('TODO: register a new version and report a rejection with its reason in tryRegisterSchema() (README §5)');
}
