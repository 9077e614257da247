import { Partitioners, type Admin, type Kafka, type KafkaMessage, type Producer, type RecordMetadata } from 'kafkajs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { LightMyRequestResponse } from 'fastify';
import {
  createKafka,
  createSchemaRegistry,
  loadConfig,
  readButtonPressSchema,
  workshopNames,
  type ButtonPressEvent,
} from '@workshop/shared';
import { HintError, describeUnreachable, pollUntil, uniqueName, withHint } from '@workshop/shared/testing';
import { avroEventSink, type EventSink } from '../src/produce.js';

/**
 * What both test files share: Kafka (a producer for the app, a reader for what arrived), a sink that lets
 * the tests watch every event the app sends, a log capture, and hints built from what the app logged.
 * Helpers for the tests only — the app's code is in ../src.
 */
export const config = loadConfig();
export const topic = workshopNames.avroTopic;

/** Public addresses with known places in DB-IP's database (checked by the tests through the app's geo lookup). */
export const addresses = {
  finland: '193.166.3.2',
  brazil: '200.160.2.3',
  britain: '81.2.69.142',
  /** A reverse proxy on the same machine. */
  localProxy: '127.0.0.1',
} as const;

export const cookieSecret = 'test-secret-for-the-button-app-0123456789';

export function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

const cleanups: (() => Promise<unknown>)[] = [];
export function cleanUpLater(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Kafka

export interface KafkaSide {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  registry: SchemaRegistry;
  schemaId: number;
}

/** One producer and the registered schema for a whole test file; the app's sink is built on them. */
export const kafkaSide = memo(async (): Promise<KafkaSide> => {
  const kafka = createKafka(config);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const registry = createSchemaRegistry(config);
  await withHint(describeUnreachable('kafka', config.kafka.brokers.join(','), 'could not connect'), async () => {
    await admin.connect();
    await producer.connect();
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
    }
  });
  cleanUpLater(() => admin.disconnect());
  cleanUpLater(() => producer.disconnect());
  const schemaId = await withHint(
    describeUnreachable(
      'schema-registry',
      config.schemaRegistry.url,
      `could not register the event's schema under ${workshopNames.avroSubject}`,
    ),
    async () => {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(readButtonPressSchema()) },
        { subject: workshopNames.avroSubject },
      );
      return id;
    },
  );
  return { kafka, admin, producer, registry, schemaId };
});

/** Every event the app sends, as it was handed to the sink (a copy: later changes do not rewrite history). */
export interface WatchedSink {
  sink: EventSink;
  events: ButtonPressEvent[];
  of(sessionId: string): ButtonPressEvent[];
  /** Resolves with the session's events once one of them is an `action` — when the sink gets it, not on a poll. */
  waitForAction(sessionId: string, action: ButtonPressEvent['action']): Promise<ButtonPressEvent[]>;
}

export async function watchedKafkaSink(): Promise<WatchedSink> {
  const { producer, registry, schemaId } = await kafkaSide();
  const kafkaSink = avroEventSink(producer, registry, schemaId);
  const events: ButtonPressEvent[] = [];
  const waiting = new Set<() => void>();
  const of = (sessionId: string) => events.filter((event) => event.session_id === sessionId);
  return {
    events,
    of,
    waitForAction(sessionId, action) {
      return new Promise((resolve) => {
        const check = () => {
          if (!of(sessionId).some((event) => event.action === action)) return;
          waiting.delete(check);
          resolve(of(sessionId));
        };
        waiting.add(check);
        check();
      });
    },
    sink: {
      async send(event) {
        events.push(structuredClone(event));
        for (const check of [...waiting]) check();
        await kafkaSink.send(event);
      },
    },
  };
}

/**
 * A stand-in for the kafkajs producer whose sends wait for the test: each `send` is held until the test
 * releases it (Kafka acknowledged) or fails it (Kafka refused). Lets a test see what the app does in between.
 */
export interface HeldSend {
  release(): void;
  fail(error: Error): void;
}

export function heldProducer(): { producer: Producer; sends: HeldSend[]; nthSend(n: number): Promise<HeldSend> } {
  const sends: HeldSend[] = [];
  const waiting = new Set<() => void>();
  const send = () => {
    let held!: HeldSend;
    const acknowledged = new Promise<RecordMetadata[]>((resolve, reject) => {
      held = { release: () => resolve([]), fail: reject };
    });
    // Handled here as well: an app that does not await its send must fail a test, not crash the run.
    acknowledged.catch(() => undefined);
    sends.push(held);
    for (const wake of [...waiting]) wake();
    return acknowledged;
  };
  return {
    // sendBatch too: a participant may send one event as a batch of one, and that is as right.
    producer: { send, sendBatch: send } as unknown as Producer,
    sends,
    nthSend: (n) =>
      new Promise((resolve) => {
        const wake = () => {
          const held = sends[n - 1];
          if (!held) return;
          waiting.delete(wake);
          resolve(held);
        };
        waiting.add(wake);
        wake();
      }),
  };
}

export interface ReceivedRecord {
  partition: number;
  offset: number;
  message: KafkaMessage;
  decoded: Record<string, unknown>;
}

export interface TopicReader {
  records: ReceivedRecord[];
  /** The records of these sessions, once at least `atLeast` of them have arrived. */
  waitFor(sessionIds: string[], atLeast: number, hint: string): Promise<ReceivedRecord[]>;
}

/**
 * Reads button_presses from where it ended when the reader started (the topic may hold a whole workshop's
 * events), with a fresh consumer group, decoding every record through the registry.
 */
export const topicReader = memo(async (): Promise<TopicReader> => {
  const { kafka, admin, registry } = await kafkaSide();
  const startOffsets = await admin.fetchTopicOffsets(topic);
  const groupId = uniqueName('test-08-reader');
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  const records: ReceivedRecord[] = [];
  await consumer.connect();
  cleanUpLater(async () => {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]);
  });
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const decoded = message.value ? ((await registry.decode(message.value).catch(() => ({}))) as Record<string, unknown>) : {};
      records.push({ partition, offset: Number(message.offset), message, decoded });
    },
  });
  for (const { partition, high } of startOffsets) consumer.seek({ topic, partition, offset: high });
  return {
    records,
    async waitFor(sessionIds, atLeast, hint) {
      const ours = () => records.filter((record) => sessionIds.includes(String(record.decoded.session_id)));
      await pollUntil(() => (ours().length >= atLeast ? true : undefined), { timeoutMs: 20_000, hint });
      return ours().sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    },
  };
});

// ---------------------------------------------------------------------------------------------------------
// Logs

/** The app's log lines (fastify's logger writes JSON lines to the stream it is given). */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = { write: (line: string) => void this.lines.push(line) };

  text(): string {
    return this.lines.join('');
  }

  /** The last error the app logged, for a hint's detail. */
  lastError(): string | undefined {
    for (const line of [...this.lines].reverse()) {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) >= 50) return entry.err?.message ?? entry.msg;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Requests

/**
 * Asserts a response's status. A 500 caused by an unfinished TODO says which; another 500 quotes the
 * app's log, since a participant would look there first.
 */
export function expectStatus(
  response: Pick<LightMyRequestResponse, 'statusCode' | 'body'>,
  expected: number[],
  logs: LogCapture,
  what: string,
): void {
  if (expected.includes(response.statusCode)) return;
  const logged = logs.lastError();
  const todo = logged?.match(/TODO: .*\(README §\d+\)/)?.[0];
  if (response.statusCode >= 500 && todo) throw new HintError(`Finish the step: ${todo}`, `${what} answered ${response.statusCode}`);
  // avsc's words when a timestamp-millis field gets a string: the ISO text has no getTime().
  if (response.statusCode >= 500 && logged && /invalid "long"/.test(logged)) {
    throw new HintError(
      `${what} failed inside the app: registry.encode() cannot write the timestamp — timestamp-millis wants a Date: encode { ...event, timestamp: new Date(event.timestamp) } — README §2`,
      `its log says: ${logged}`,
    );
  }
  throw new HintError(
    response.statusCode >= 500
      ? `${what} failed inside the app — its log says: ${logged ?? '(nothing)'} — README §1–2`
      : `${what} answered ${response.statusCode}, expected ${expected.join(' or ')}`,
    response.body.slice(0, 300),
  );
}

/** The visit cookie the app set (name=value, ready to send back), and the session id it carries. */
export function visitCookie(response: LightMyRequestResponse): { name: string; header: string; sessionId: string } | undefined {
  // A signed cookie is "<value>.<signature>"; the value is the visit's session id.
  const cookie = response.cookies.find((c) => /^[0-9a-f-]{36}\./i.test(decodeURIComponent(c.value)));
  if (!cookie) return undefined;
  const value = decodeURIComponent(cookie.value);
  return { name: cookie.name, header: `${cookie.name}=${cookie.value}`, sessionId: value.slice(0, value.lastIndexOf('.')) };
}

// ---------------------------------------------------------------------------------------------------------
// Events

export function describeEvents(events: ButtonPressEvent[]): string {
  return events.map((event) => `${event.action}#${event.count}`).join(', ') || 'none';
}

export function countHint(counts: number[]): string {
  if (counts.length > 1 && counts.every((count, i) => count === i + 1)) {
    return "The visit's counts start at 1, so its EnterPage is not 0: take visit.nextCount for the event first, then add 1 to it (not the other way round) — README §1";
  }
  if (counts.length > 1 && counts.every((count) => count === counts[0])) {
    return "Every event of the visit has the same count: use the visit's next count for the event, then move it on (visit.nextCount += 1) — README §1";
  }
  const increasing = counts.every((count, i) => i === 0 || count > counts[i - 1]!);
  const gaps = counts.some((count, i) => i > 0 && count - counts[i - 1]! > 1);
  if (counts[0] !== 0 || (increasing && gaps)) {
    return "Each visit counts 0, 1, 2, … from its EnterPage, whatever other visits do at the same time: count with the visit's own counter (visit.nextCount), not one shared by the whole server — README §1";
  }
  return "count is the event's place in its visit: 0, 1, 2, … — take visit.nextCount, then add 1 to it — README §1";
}

export const htmx = { 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' } as const;
