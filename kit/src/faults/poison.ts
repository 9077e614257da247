import { randomUUID } from 'node:crypto';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import { basicAuthHeaders, readButtonPressSchema, workshopNames, type ButtonPressEvent, type WorkshopConfig } from '@workshop/shared';
import type { PoisonRecord } from './accounting.js';

/**
 * Bad records written straight into the topic, around the app: three that no sink can decode (the Confluent wire
 * format's magic byte, an id the registry does not know, Avro cut short) and three that decode but do not fit the
 * table (a session id that is not a UUID, a negative count, a record of another schema registered under the subject).
 * All go to one partition, one after another, so a sink stuck on them is stuck in one place.
 */

export const poisonPartition = 0;

function goodEvent(): ButtonPressEvent {
  return {
    session_id: randomUUID(),
    timestamp: new Date().toISOString(),
    action: 'PressButton',
    count: 1,
    country_code: '--',
    country_name: 'Unknown',
    subdivision_name: null,
    city_name: null,
    cohort: 0,
  };
}

/** The event schema cut down to two fields plus one of its own: BACKWARD-compatible, so the registry takes it under the subject. */
export function anotherSchema(): Record<string, unknown> {
  const schema = readButtonPressSchema();
  const fields = (schema.fields as { name: string }[]).filter((field) => field.name === 'session_id' || field.name === 'timestamp');
  return { ...schema, fields: [...fields, { name: 'note', type: 'string', default: 'another schema' }] };
}

interface PoisonDraft {
  kind: string;
  key: string;
  value: Buffer;
}

/** The six poison records, and the id of the other schema (to take off the subject afterwards). */
export async function draftPoison(registry: SchemaRegistry, schemaId: number): Promise<{ drafts: PoisonDraft[]; otherSchemaId: number }> {
  const encode = async (event: Record<string, unknown>, id = schemaId) =>
    Buffer.from(await registry.encode(id, { ...event, timestamp: new Date(String(event.timestamp)) }));
  const valid = goodEvent();
  const wellFormed = await encode({ ...valid });
  const wrongMagic = Buffer.from(wellFormed);
  wrongMagic[0] = 1;
  const unknownId = Buffer.from(wellFormed);
  unknownId.writeInt32BE(2_000_000_000, 1);
  const otherSchemaId = (
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(anotherSchema()) }, { subject: workshopNames.avroSubject })
  ).id;
  const negative = goodEvent();
  const otherSession = randomUUID();
  return {
    otherSchemaId,
    drafts: [
      { kind: 'wrong magic byte', key: valid.session_id, value: wrongMagic },
      { kind: 'unknown schema id', key: valid.session_id, value: unknownId },
      { kind: 'truncated body', key: valid.session_id, value: wellFormed.subarray(0, 5 + 8) },
      { kind: 'non-UUID session id', key: 'not-a-uuid', value: await encode({ ...goodEvent(), session_id: 'not-a-uuid' }) },
      { kind: 'negative count', key: negative.session_id, value: await encode({ ...negative, count: -3 }) },
      {
        kind: 'another schema under the subject',
        key: otherSession,
        value: await encode({ session_id: otherSession, timestamp: new Date().toISOString(), note: 'another schema' }, otherSchemaId),
      },
    ],
  };
}

/** Writes the drafts one by one (each its own offset), all to one partition. */
export async function injectPoison(producer: Producer, topic: string, drafts: PoisonDraft[]): Promise<PoisonRecord[]> {
  const records: PoisonRecord[] = [];
  for (const draft of drafts) {
    const [meta] = await producer.send({ topic, messages: [{ key: draft.key, value: draft.value, partition: poisonPartition }] });
    if (!meta?.baseOffset) throw new Error(`poison "${draft.kind}": Kafka returned no offset`);
    records.push({ kind: draft.kind, partition: meta.partition, offset: meta.baseOffset });
  }
  return records;
}

/**
 * Takes the other schema's version off the subject again (soft, then for good), so the subject's latest version is the
 * event's schema once more for everyone else on the stack. The poison record then names an id no one knows — a sink that
 * reads it again dead-letters it as such.
 */
export async function removeOtherSchema(config: WorkshopConfig, schemaId: number): Promise<void> {
  const base = `${config.schemaRegistry.url}/subjects/${encodeURIComponent(workshopNames.avroSubject)}/versions`;
  const headers = { ...basicAuthHeaders(config.schemaRegistry.auth), accept: 'application/json' };
  const versions = (await (await fetch(base, { headers })).json()) as number[];
  for (const version of versions) {
    const entry = (await (await fetch(`${base}/${version}`, { headers })).json()) as { id?: number };
    if (entry.id !== schemaId) continue;
    await fetch(`${base}/${version}`, { method: 'DELETE', headers });
    await fetch(`${base}/${version}?permanent=true`, { method: 'DELETE', headers });
  }
}
