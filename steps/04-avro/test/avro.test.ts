import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import avro from 'avsc';
import { Partitioners, type KafkaMessage, type Producer } from 'kafkajs';
import {
  avroLogicalTypes,
  createKafka,
  createSchemaRegistry,
  loadConfig,
  seededSampleVisits,
  workshopNames,
  type ButtonPressEvent,
} from '@workshop/shared';
import { HintError, assertWithHint, pollUntil, uniqueName, uniqueSessionId, withHint } from '@workshop/shared/testing';
import { loadButtonPressSchema, withOptionalField, type AvroField, type AvroRecordSchema } from '../src/schema.js';
import { registerSchema, tryRegisterSchema, valueSubject, type Registration } from '../src/registry.js';
import { produceVisits } from '../src/produce.js';
import { readSchemaFile, schemaProblem, schemaRules } from './schema-rules.js';

/**
 * Step 04: the event's Avro schema, registered under button_presses-value, events in Confluent wire format,
 * and evolution under the registry's BACKWARD rule. Produce and evolution tests use their own topic and
 * subjects (deleted afterwards), so a mistake never leaves a broken version in the workshop's subject.
 */
const config = loadConfig();
const srcDir = process.env.WORKSHOP_EXERCISE_SRC!;
const registry = createSchemaRegistry(config);
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

// ---------------------------------------------------------------------------------------------------------
// Registry REST, plainly (for checks the client library does not offer).

async function registryRequest(path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const { url, auth } = config.schemaRegistry;
  const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const response = await fetch(`${url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** The ids of every version of `subject` ([] when the subject does not exist). */
async function idsUnder(subject: string): Promise<number[]> {
  const versions = await registryRequest(`/subjects/${encodeURIComponent(subject)}/versions`);
  if (versions.status === 404) return [];
  const ids: number[] = [];
  for (const version of versions.json as number[]) {
    const { json } = await registryRequest(`/subjects/${encodeURIComponent(subject)}/versions/${version}`);
    ids.push((json as { id: number }).id);
  }
  return ids;
}

function deleteSubjectLater(subject: string): void {
  cleanups.push(async () => {
    for (const query of ['', '?permanent=true'])
      await registryRequest(`/subjects/${encodeURIComponent(subject)}${query}`, { method: 'DELETE' });
  });
}

/** Registering (as the tests above require) only a complete schema: a half-written first version would
 * hold every later version to itself under BACKWARD. */
function participantSchema(): AvroRecordSchema {
  const problem = schemaProblem(srcDir);
  assertWithHint(!problem, 'Finish src/button-press.avsc first — the schema tests above say what is missing (README §1)', problem?.hint);
  return loadButtonPressSchema();
}

const memo = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

// ---------------------------------------------------------------------------------------------------------
describe('§1 the schema: src/button-press.avsc', () => {
  for (const rule of schemaRules) {
    it(rule.title, () => {
      const read = readSchemaFile(srcDir);
      if ('problem' in read) assertWithHint(false, read.problem.hint, read.problem.detail);
      const problem = rule.check(read.schema);
      assertWithHint(!problem, problem?.hint ?? '', problem?.detail);
    });
  }

  it('avsc reads it, and an event goes through it and back with its timestamp as a Date', () => {
    const schema = participantSchema();
    const type = withHintSync('avsc cannot read src/button-press.avsc: the detail below names the part it rejects — README §1', () =>
      avro.Type.forSchema(schema as avro.Schema, { logicalTypes: avroLogicalTypes }),
    );
    const event = { ...seededSampleVisits({ visits: 1 })[0]!, subdivision_name: null, cohort: 0 };
    const value = { ...event, timestamp: new Date(event.timestamp) };
    const back = withHintSync('An event does not fit the schema: compare each field with the event table — README §1', () =>
      type.fromBuffer(type.toBuffer(value)),
    );
    expect({ ...back }).toEqual(value);
  });
});

/** The producer with its send/sendBatch counted: how many were made, how many have not settled yet. */
function trackSends(producer: Producer): { producer: Producer; pending: () => number; made: () => number } {
  let pending = 0;
  let made = 0;
  const track = <T>(sending: Promise<T>): Promise<T> => {
    made += 1;
    pending += 1;
    return sending.finally(() => {
      pending -= 1;
    });
  };
  const tracked: Producer = {
    ...producer,
    send: (record) => track(producer.send(record)),
    sendBatch: (batch) => track(producer.sendBatch(batch)),
  };
  return { producer: tracked, pending: () => pending, made: () => made };
}

function withHintSync<T>(hint: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    assertWithHint(false, hint, (error as Error).message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
describe('§2 registering the schema', () => {
  it(`the subject of ${workshopNames.avroTopic}'s values is ${workshopNames.avroSubject}`, async () => {
    const subject = await withHint('Write valueSubject() — README §2', () => valueSubject(workshopNames.avroTopic));
    assertWithHint(
      subject === workshopNames.avroSubject,
      `valueSubject("${workshopNames.avroTopic}") must be "${workshopNames.avroSubject}": the TopicNameStrategy subject is <topic>-value, and that is where Kafka Connect's converter and every other tool look — README §2`,
      `got ${JSON.stringify(subject)}`,
    );
  });

  it(`registers the event's schema under ${workshopNames.avroSubject} and returns its id`, async () => {
    const schema = participantSchema();
    const id = await registerSchema(registry, workshopNames.avroSubject, schema).catch((error: unknown) => {
      const refused = typeof error === 'object' && error !== null && 'status' in error && error.status === 409;
      // The library's own check: the compatibility asked for in register()'s options differs from the subject's.
      const otherCompatibility = error instanceof Error && error.name === 'ConfluentSchemaRegistryCompatibilityError';
      throw new HintError(
        refused
          ? `${workshopNames.avroSubject} already holds an older version that your schema is incompatible with (an unfinished schema, registered by an early npm start?): start the subject over — README §2, "Starting over"`
          : otherCompatibility
            ? "registerSchema() asked for a compatibility other than the subject's BACKWARD: pass only { subject } to registry.register — BACKWARD is what refuses breaking changes — README §2"
            : 'Write registerSchema(): registry.register(…) under the given subject, returning the id — README §2',
        error instanceof Error ? error.message : String(error),
      );
    });
    assertWithHint(
      Number.isInteger(id) && id > 0,
      'registerSchema() must return the schema id the registry answered — README §2',
      `got ${JSON.stringify(id)}`,
    );
    const byId = await registryRequest(`/schemas/ids/${id}`);
    assertWithHint(
      byId.status === 200,
      `The registry does not know schema id ${id}: return the id from registry.register(…) — README §2`,
      `GET /schemas/ids/${id} → ${byId.status}`,
    );
    const registered = JSON.parse((byId.json as { schema: string }).schema) as AvroRecordSchema;
    const timestamp = registered.fields.find((f) => f.name === 'timestamp');
    assertWithHint(
      JSON.stringify(timestamp?.type) === JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' }),
      'The registered schema must be src/button-press.avsc as written: register it as JSON (JSON.stringify), so the logicalType stays inside the timestamp type — README §2',
      `registered timestamp field: ${JSON.stringify(timestamp)}`,
    );
    assertWithHint(
      (await idsUnder(workshopNames.avroSubject)).includes(id),
      `Register under the subject you are given (${workshopNames.avroSubject}): pass { subject } to registry.register — README §2`,
      `subject ${workshopNames.avroSubject} has ids ${JSON.stringify(await idsUnder(workshopNames.avroSubject))}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§3 producing in Confluent wire format', () => {
  interface Received {
    partition: number;
    message: KafkaMessage;
  }

  /** Registers the schema for a topic of its own, produces a few visits there, and reads them back. */
  const delivery = memo(async () => {
    const schema = participantSchema();
    const topic = uniqueName('button_presses_test');
    const kafka = createKafka(config);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    });
    deleteSubjectLater(`${topic}-value`);
    deleteSubjectLater(topic);

    const schemaId = await withHint('Write valueSubject() and registerSchema() — README §2', async () =>
      registerSchema(registry, valueSubject(topic), schema),
    );
    // Visits with fresh session ids; one of them by a "real web visitor", to send both branches of cohort's union.
    const visits = seededSampleVisits({ visits: 6, seed: 404, newSessionId: uniqueSessionId });
    const webVisitor = visits[0]?.session_id;
    const events = visits.map((event) => (event.session_id === webVisitor ? { ...event, cohort: 0 } : event));

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const sends = trackSends(producer);
    await withHint(
      'Write produceVisits(): encode every event with registry.encode(schemaId, toAvroValue(event)), key it by session_id, await producer.send — README §3',
      () => produceVisits(sends.producer, registry, topic, schemaId, events),
    );
    // Right when produceVisits() resolved: were its sends done, or still on their way?
    const sendsInFlight = sends.pending();

    const received: Received[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('step04-test') });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void received.push({ partition, message }) });
    await pollUntil(() => (received.length >= events.length ? true : undefined), {
      timeoutMs: 30_000,
      hint: `Not every event reached the topic: send one message per event and await producer.send(…) — README §3 (expected ${events.length})`,
    });
    await consumer.stop();
    return { topic, schemaId, events, received, sendsInFlight, sendsMade: sends.made() };
  });

  it('produceVisits() resolves only once Kafka has every message: its send is awaited', async () => {
    const { sendsInFlight, sendsMade } = await delivery();
    assertWithHint(
      sendsMade > 0,
      'Send the messages with producer.send({ topic, messages }) (or sendBatch) on the producer you are given — README §3',
    );
    assertWithHint(
      sendsInFlight === 0,
      'produceVisits() returned while a producer.send(…) was still on its way: await it (or await Promise.all of the sends) — a caller that disconnects or exits right after would lose those events — README §3',
      `${sendsInFlight} of ${sendsMade} send(s) still pending when produceVisits() resolved`,
    );
  });

  async function decodeWithHint(client: typeof registry, message: KafkaMessage): Promise<Record<string, unknown> & { session_id: string }> {
    return withHint('Every value must decode through the registry: encode it with registry.encode(schemaId, …) — README §3', () =>
      client.decode(message.value ?? Buffer.alloc(0)),
    );
  }

  it('every value is byte 0, then the 4-byte id of a schema the registry knows, then Avro', async () => {
    const { received, schemaId } = await delivery();
    for (const { message } of received) {
      const value = message.value ?? Buffer.alloc(0);
      assertWithHint(
        value.length > 5 && value[0] === 0,
        'Encode each value with registry.encode(schemaId, …): Confluent wire format is byte 0, the schema id (4 bytes), then the Avro body — not JSON — README §3',
        `value starts with ${JSON.stringify(value.subarray(0, 12).toString('latin1'))}`,
      );
      const id = value.readInt32BE(1);
      assertWithHint(
        id === schemaId,
        `Encode with the id registerSchema() returned (${schemaId}) — README §3`,
        `message carries schema id ${id}`,
      );
    }
    const byId = await registryRequest(`/schemas/ids/${schemaId}`);
    assertWithHint(
      byId.status === 200,
      `The registry does not know schema id ${schemaId} — README §2`,
      `GET /schemas/ids/${schemaId} → ${byId.status}`,
    );
  });

  it('the schema id is registered under <topic>-value, where consumers of the topic look it up', async () => {
    const { topic, schemaId } = await delivery();
    const ids = await idsUnder(`${topic}-value`);
    assertWithHint(
      ids.includes(schemaId),
      `Register the schema under the topic's value subject, "<topic>-value" (TopicNameStrategy): valueSubject() — README §2`,
      `subject ${topic}-value has ids ${JSON.stringify(ids)}; the messages carry ${schemaId}`,
    );
  });

  it("each message is keyed by its event's session_id, so a visit stays in one partition, in order", async () => {
    const { received } = await delivery();
    const partitionOf = new Map<string, number>();
    for (const { partition, message } of received) {
      const decoded = await decodeWithHint(registry, message);
      const key = message.key?.toString('utf8');
      assertWithHint(
        key === decoded.session_id,
        "Give every message a key: the event's session_id — it keeps a visit's events in one partition, in order — README §3",
        `key ${JSON.stringify(key ?? null)} for session ${decoded.session_id}`,
      );
      const seen = partitionOf.get(key) ?? partition;
      assertWithHint(
        seen === partition,
        `Session ${key} is spread over partitions ${seen} and ${partition}: key by session_id — README §3`,
      );
      partitionOf.set(key, partition);
    }
  });

  it('a fresh registry client decodes every message into the produced event, timestamp as a Date', async () => {
    const { received, events } = await delivery();
    const reader = createSchemaRegistry(config); // no cache: it must fetch the schema by id, as any consumer would
    const byKey = new Map(events.map((event) => [`${event.session_id}/${event.count}`, event]));
    for (const { message } of received) {
      const decoded = await decodeWithHint(reader, message);
      assertWithHint(
        decoded.timestamp instanceof Date,
        'The timestamp must come back as a Date: in the registered schema its type is {"type": "long", "logicalType": "timestamp-millis"} and toAvroValue() passes a Date — README §1, §3',
        `decoded timestamp: ${JSON.stringify(decoded.timestamp)}`,
      );
      const sent = byKey.get(`${String(decoded.session_id)}/${String(decoded.count)}`);
      if (sent) {
        const offHours = ((decoded.timestamp as Date).getTime() - Date.parse(sent.timestamp)) / 3_600_000;
        assertWithHint(
          offHours === 0,
          `The timestamp came back ${offHours} h off: toAvroValue() must keep the instant — new Date(event.timestamp) reads the ISO string with its Z as UTC; anything that reads it as local time is off by the machine's time zone — README §3`,
          `produced ${sent.timestamp}, decoded ${(decoded.timestamp as Date).toISOString()} (TZ=${process.env.TZ ?? 'unset'})`,
        );
      }
      await withHint('Each message must decode to exactly the event that was produced (same fields, same values) — README §3', () => {
        expect(sent, `no produced event with session ${String(decoded.session_id)} and count ${String(decoded.count)}`).toBeDefined();
        expect({ ...decoded, timestamp: (decoded.timestamp as Date).toISOString() }).toEqual(sent as ButtonPressEvent);
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§4 evolving the schema: a new optional field', () => {
  const v1: AvroRecordSchema = {
    type: 'record',
    name: 'ButtonPress',
    namespace: 'io.workshop.button',
    fields: [
      { name: 'session_id', type: 'string', doc: 'One visit.' },
      { name: 'count', type: 'int', doc: '0-based sequence in the visit.' },
      { name: 'city_name', type: ['null', 'string'], default: null, doc: 'City.' },
    ],
  };
  const referrer = { name: 'referrer', type: 'string', doc: 'Where the visitor came from, if known.' };

  it('adds the field as ["null", type] with default null and its doc, anywhere, leaving the other fields alone', async () => {
    const v2 = await evolve(v1, referrer);
    const added = v2.fields.filter((f) => f.name === 'referrer');
    assertWithHint(
      added.length === 1,
      'withOptionalField() must add exactly one field, named as it is given — README §4',
      `fields: ${v2.fields.map((f) => f.name).join(', ')}`,
    );
    // Avro matches fields by name, so the new one may go anywhere: first, last or between.
    await withHint('Keep every existing field as it was, in its order, and add exactly one — README §4', () => {
      expect(v2.fields.filter((f) => f.name !== 'referrer')).toEqual(v1.fields);
    });
    const [field] = added as [AvroField];
    assertWithHint(
      Array.isArray(field.type) && field.type[0] === 'null' && field.type[1] === 'string' && field.type.length === 2,
      'Make the new field\'s type ["null", type], null FIRST: Avro takes a union\'s default from its first branch — README §4',
      `got "type": ${JSON.stringify(field.type)}`,
    );
    assertWithHint(
      'default' in field && field.default === null,
      'Give the new field "default": null — JSON null, not the string "null" (the seed repo\'s bug) — so readers can fill it in for old events — README §4',
      `got ${'default' in field ? `"default": ${JSON.stringify(field.default)}` : 'no default'}`,
    );
    assertWithHint(field.doc === referrer.doc, "Keep the new field's doc — README §4", `got "doc": ${JSON.stringify(field.doc)}`);
  });

  it('an event written with the old schema reads with the new one, the new field null', async () => {
    const v2 = await evolve(v1, referrer);
    const [writer, reader] = [v1, v2].map((schema) => avro.Type.forSchema(schema as avro.Schema));
    const old = writer!.toBuffer({ session_id: 'a-visit', count: 3, city_name: 'Espoo' });
    const read = withHintSync(
      'The evolved schema cannot read old events: the new field needs ["null", type] and "default": null — README §4',
      () => reader!.fromBuffer(old, reader!.createResolver(writer!)),
    );
    expect({ ...read }).toEqual({ session_id: 'a-visit', count: 3, city_name: 'Espoo', referrer: null });
  });
});

/**
 * withOptionalField(schema, field), checked: "Write it" only while it is the starter's TODO; a throw from a
 * written one, or a changed argument, is named as what it is.
 */
async function evolve(schema: AvroRecordSchema, field: { name: string; type: string; doc: string }): Promise<AvroRecordSchema> {
  const before = JSON.stringify(schema);
  let evolved: AvroRecordSchema;
  try {
    evolved = withOptionalField(schema, field);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    assertWithHint(!message.startsWith('TODO'), 'Write withOptionalField() — README §4', message);
    throw new HintError(`withOptionalField() threw instead of returning the new schema — README §4`, message);
  }
  assertWithHint(
    JSON.stringify(schema) === before,
    'withOptionalField() changed the schema it was given (the caller still needs the old version): return a new schema — { ...schema, fields: [...schema.fields, newField] } — and leave the argument alone — README §4',
    `the argument's fields are now: ${schema.fields.map((f) => f.name).join(', ')}`,
  );
  assertWithHint(
    typeof evolved === 'object' && evolved !== null && Array.isArray(evolved.fields),
    'withOptionalField() must return the new schema: a record with its fields — README §4',
    `returned ${JSON.stringify(evolved)}`,
  );
  return evolved;
}

// ---------------------------------------------------------------------------------------------------------
describe('§5 the registry keeps versions compatible (BACKWARD)', () => {
  /** A subject of our own, version 1 = the participant's schema. */
  const subjectWithV1 = memo(async () => {
    const schema = participantSchema();
    const subject = `${uniqueName('button_presses_evolution')}-value`;
    deleteSubjectLater(subject);
    const v1Id = await withHint('Write registerSchema() — README §2', () => registerSchema(registry, subject, schema));
    return { subject, schema, v1Id };
  });

  /** What the registry itself says about `schema` (it rejects it, so nothing is stored). */
  async function registryVerdict(subject: string, schema: AvroRecordSchema): Promise<string> {
    const answer = await registryRequest(`/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    assertWithHint(
      answer.status === 409,
      'The schema registry must reject incompatible schemas: its compatibility must be BACKWARD (npm run stack:status)',
      `answered ${answer.status}`,
    );
    return (answer.json as { message: string }).message;
  }

  async function expectRejected(change: string, breaking: AvroRecordSchema): Promise<void> {
    const { subject } = await subjectWithV1();
    const versionsBefore = await idsUnder(subject);
    const reason = await registryVerdict(subject, breaking);
    const registration: Registration = await withHint(
      'tryRegisterSchema() must return { accepted: false, reason } when the registry refuses a schema as incompatible (HTTP 409) — not throw — README §5',
      () => tryRegisterSchema(registry, subject, breaking),
    );
    assertWithHint(
      !registration.accepted,
      `${change} must be rejected: register through the registry's compatibility check, without changing the subject's compatibility — README §5`,
    );
    assertWithHint(
      !registration.accepted && registration.reason.includes(reason),
      "Return the registry's own message as the reason (the error's message): it names the field and the rule, which is what a person needs to fix the schema — README §5",
      `reason: ${JSON.stringify(registration.accepted ? undefined : registration.reason)}; the registry said: ${reason}`,
    );
    expect(await idsUnder(subject), 'a rejected schema must not become a version').toEqual(versionsBefore);
  }

  it('a new optional field with a null default is accepted as a new version', async () => {
    const { subject, schema, v1Id } = await subjectWithV1();
    const v2 = await evolve(schema, { name: 'referrer', type: 'string', doc: 'Where the visitor came from, if known.' });
    const registration = await withHint('Write tryRegisterSchema(): register, and return { accepted: true, id } — README §5', () =>
      tryRegisterSchema(registry, subject, v2),
    );
    assertWithHint(
      registration.accepted,
      'A new field that is optional with "default": null is backward compatible: the registry should accept it — check withOptionalField() (README §4)',
      registration.accepted ? undefined : registration.reason,
    );
    assertWithHint(
      registration.id !== v1Id,
      'The new schema must be registered as a new version, with its own id — README §5',
      `id ${registration.id}`,
    );
    const ids = await idsUnder(subject);
    assertWithHint(
      ids.length === 2 && ids[1] === registration.id,
      'The subject must now have 2 versions, the new one last — README §5',
      `ids ${JSON.stringify(ids)}`,
    );
  });

  it("a new required field (no default) is rejected, and the reason is the registry's", async () => {
    const { schema } = await subjectWithV1();
    await expectRejected('A required field without a default', {
      ...schema,
      fields: [...schema.fields, { name: 'browser', type: 'string', doc: 'User agent family.' }],
    });
  });

  it('a registry that cannot be reached, or refuses the credentials, is an error (thrown), not a rejected schema', async () => {
    const { schema } = await subjectWithV1();
    const unauthorized = await registryAnswering(401, { error_code: 40101, message: 'Unauthorized' });
    try {
      const registries: [string, string][] = [
        ['that cannot be reached', `http://127.0.0.1:${await closedPort()}`],
        ['that answers 401 Unauthorized (bad credentials)', unauthorized.url],
      ];
      for (const [situation, url] of registries) {
        const client = createSchemaRegistry({ ...config, schemaRegistry: { url } });
        const outcome = await tryRegisterSchema(client, `${uniqueName('button_presses_unreachable')}-value`, schema).then(
          (registration) => ({ registration }),
          (error: unknown) => ({ error }),
        );
        if ('error' in outcome) {
          const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
          assertWithHint(!message.startsWith('TODO'), 'Write tryRegisterSchema() — README §5', message);
          continue;
        }
        assertWithHint(
          false,
          `A registry ${situation} is not an answer about compatibility: return { accepted: false } only for the registry's refusal (the error's status is 409) and rethrow every other error, so the caller sees the real problem — README §5`,
          `tryRegisterSchema() returned ${JSON.stringify(outcome.registration)}`,
        );
      }
    } finally {
      await unauthorized.close();
    }
  });

  it('removing a symbol from the enum is rejected: old events could no longer be read', async () => {
    const { schema } = await subjectWithV1();
    await expectRejected('Removing the ExitPage symbol', {
      ...schema,
      fields: schema.fields.map((f) =>
        f.name === 'action' ? { ...f, type: { type: 'enum', name: 'Action', symbols: ['EnterPage', 'PressButton'] } } : f,
      ),
    });
  });
});

/** A local port nothing listens on: a registry there "cannot be reached" (connection refused, at once). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A stand-in registry that answers every request with `status` and `body`, as a registry with other credentials would. */
async function registryAnswering(status: number, body: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
