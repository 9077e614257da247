import { Partitioners } from 'kafkajs';
import { createKafka, createSchemaRegistry, loadConfig, seededSampleVisits, workshopNames, type WorkshopConfig } from '@workshop/shared';
import { loadButtonPressSchema, withOptionalField } from './schema.js';
import { registerSchema, tryRegisterSchema, valueSubject, type Registration } from './registry.js';
import { ensureTopic, produceVisits, toAvroValue } from './produce.js';

/**
 * Step 04 — `npm start [visits]`: registers the event's schema, produces sample visits to `button_presses`
 * in Confluent wire format, then shows schema evolution on a scratch subject (deleted afterwards, so the
 * real subject only ever holds the event's schema).
 */
const config = loadConfig();
const visits = Number(process.argv[2] ?? 20);
if (!Number.isInteger(visits) || visits < 1) throw new Error(`Usage: npm start [visits] — a whole number of visits, got ${process.argv[2]}`);
const registry = createSchemaRegistry(config);

await produceSampleVisits();
await showEvolution();

async function produceSampleVisits(): Promise<void> {
  const topic = workshopNames.avroTopic;
  const subject = valueSubject(topic);
  const schemaId = await registerSchema(registry, subject, loadButtonPressSchema());
  console.log(`Schema registered: subject ${subject}, id ${schemaId} (${config.schemaRegistry.url}/schemas/ids/${schemaId})`);

  // Fresh visits each run, starting a few minutes back so that they end about now.
  const events = seededSampleVisits({ visits, seed: Date.now(), start: new Date(Date.now() - visits * 10_000) });
  const kafka = createKafka(config);
  const admin = kafka.admin();
  // The Java client's partitioner: the same key lands in the same partition whoever produces it.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await ensureTopic(admin, topic);
    await produceVisits(producer, registry, topic, schemaId, events);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
  console.log(`Produced ${events.length} events of ${visits} visits to ${topic}, keyed by session_id.`);
  console.log(`Wire format of the first one: ${describeWireFormat(await registry.encode(schemaId, toAvroValue(events[0]!)))}`);
}

async function showEvolution(): Promise<void> {
  const subject = valueSubject(`${workshopNames.avroTopic}_evolution_demo`);
  await deleteSubject(config, subject);
  const v1 = loadButtonPressSchema();
  await registerSchema(registry, subject, v1);
  console.log(`\nEvolution, on the scratch subject ${subject} (version 1 = the event's schema):`);

  // #region evolution-attempts
  const addOptional = withOptionalField(v1, { name: 'referrer', type: 'string', doc: 'Where the visitor came from, if known.' });
  report('+ optional field "referrer" (["null","string"], default null)', await tryRegisterSchema(registry, subject, addOptional));

  const addRequired = { ...v1, fields: [...v1.fields, { name: 'browser', type: 'string', doc: 'User agent family.' }] };
  report('+ required field "browser" without a default', await tryRegisterSchema(registry, subject, addRequired));
  // #endregion evolution-attempts

  await deleteSubject(config, subject);
  console.log(`(scratch subject ${subject} deleted)`);
}

function report(change: string, registration: Registration): void {
  if (registration.accepted) console.log(`  ✓ ${change}: accepted as a new version, id ${registration.id}`);
  else console.log(`  ✗ ${change}: rejected — ${registration.reason}`);
}

function describeWireFormat(value: Buffer): string {
  const hex = (bytes: Buffer) => bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return `${hex(value.subarray(0, 1))} (magic byte) | ${hex(value.subarray(1, 5))} (schema id ${value.readInt32BE(1)}) | ${value.length - 5} bytes of Avro`;
}

/** Soft-delete, then permanently: the Confluent API keeps soft-deleted versions around otherwise. */
async function deleteSubject({ schemaRegistry }: WorkshopConfig, subject: string): Promise<void> {
  const headers: Record<string, string> = schemaRegistry.auth
    ? { authorization: `Basic ${Buffer.from(`${schemaRegistry.auth.username}:${schemaRegistry.auth.password}`).toString('base64')}` }
    : {};
  for (const query of ['', '?permanent=true']) {
    await fetch(`${schemaRegistry.url}/subjects/${encodeURIComponent(subject)}${query}`, { method: 'DELETE', headers });
  }
}
