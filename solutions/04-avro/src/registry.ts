import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from './schema.js';

/**
 * The subject under which a topic's value schemas live (README §2). This is the TopicNameStrategy every
 * Confluent-compatible tool defaults to — Kafka Connect's Avro converter, ClickHouse, other producers —
 * so `<topic>-value` is where they all look.
 */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/**
 * Registers `schema` under `subject` and returns its id, the number every message will carry (README §2).
 * Registering the same schema again returns the same id; a changed one becomes the subject's next
 * version, if the subject's compatibility rule (BACKWARD here) allows it.
 */
export async function registerSchema(registry: SchemaRegistry, subject: string, schema: AvroRecordSchema): Promise<number> {
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
  return id;
}

export type Registration = { accepted: true; id: number } | { accepted: false; reason: string };

/**
 * Tries a new version of a subject's schema (README §5). A change the compatibility rule forbids comes
 * back as `{ accepted: false, reason }` with the registry's own explanation — which field, what rule —
 * because "409" alone tells a person nothing. Any other failure (registry down, bad credentials) is not an
 * answer about compatibility and is thrown.
 */
export async function tryRegisterSchema(registry: SchemaRegistry, subject: string, schema: AvroRecordSchema): Promise<Registration> {
  try {
    return { accepted: true, id: await registerSchema(registry, subject, schema) };
  } catch (error) {
    if (isIncompatibleSchema(error)) return { accepted: false, reason: error.message };
    throw error;
  }
}

/** The Confluent API answers 409 Conflict when a schema is incompatible with the subject's latest version. */
function isIncompatibleSchema(error: unknown): error is Error & { status: number } {
  return error instanceof Error && 'status' in error && error.status === 409;
}
