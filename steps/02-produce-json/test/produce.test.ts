import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaJSError, Partitioners, type Admin, type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { createKafka, loadConfig, workshopNames, type ButtonPressEvent } from '@workshop/shared';
import { assertWithHint, describeUnreachable, pollUntil, uniqueName, uniqueSessionId, withHint } from '@workshop/shared/testing';
import { ensureTopic, produceVisits } from '../src/produce.js';
import { sampleVisit, samplePlaces } from '@workshop/shared';

/**
 * Step 02: what arrives in Kafka. The tests send visits of their own (fresh session ids) through your
 * produceVisits(), disconnect the producer as soon as it resolves — as a program that exits would —
 * then read button_presses_json with a fresh consumer group and look only at those sessions.
 */
const config = loadConfig();
const topic = workshopNames.jsonTopic;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = createKafka(config);
  admin = kafka.admin();
  await withHint(describeUnreachable('kafka', config.kafka.brokers.join(','), 'could not connect'), async () => {
    await admin.connect();
    // The delivery tests need the topic whether or not ensureTopic() works yet (it has its own test).
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }] });
    }
  });
});

afterAll(async () => {
  await admin?.disconnect();
});

/** The admin, recording the topics each createTopics() call asked for. */
function recordCreateTopics(target: Admin): { admin: Admin; asked: { topic: string; numPartitions?: number }[] } {
  const asked: { topic: string; numPartitions?: number }[] = [];
  const admin = new Proxy(target, {
    get(object, property, receiver) {
      if (property !== 'createTopics') return Reflect.get(object, property, receiver);
      return (options: Parameters<Admin['createTopics']>[0]) => {
        asked.push(...options.topics.map(({ topic, numPartitions }) => ({ topic, numPartitions })));
        return object.createTopics(options);
      };
    },
  });
  return { admin, asked };
}

async function partitionCount(topicName: string): Promise<number | undefined> {
  if (!(await admin.listTopics()).includes(topicName)) return undefined;
  const { topics } = await admin.fetchTopicMetadata({ topics: [topicName] });
  return topics[0]?.partitions.length;
}

describe('ensureTopic()', () => {
  it('creates the topic with 3 partitions, and calling it again is harmless', async () => {
    // A topic of the test's own, so it starts from nothing (button_presses_json may exist already).
    const scratchTopic = uniqueName('test-02-topic');
    const recording = recordCreateTopics(admin);
    try {
      await withHint('Write ensureTopic(): admin.createTopics() with the topic and its partitions — README §1', () =>
        ensureTopic(recording.admin, scratchTopic),
      );
      await withHint('ensureTopic() must succeed when the topic already exists (it runs at every start) — README §1', () =>
        ensureTopic(recording.admin, scratchTopic),
      );
      const partitions = await partitionCount(scratchTopic);
      assertWithHint(
        partitions !== undefined,
        'ensureTopic(admin, topic) must create the topic it is given — README §1',
        `no topic ${scratchTopic} after ensureTopic(admin, '${scratchTopic}')`,
      );
      assertWithHint(
        partitions === workshopNames.topicPartitions,
        `Create the topic with numPartitions: workshopNames.topicPartitions (${workshopNames.topicPartitions}) — README §1`,
        `${scratchTopic} has ${partitions} partition(s)`,
      );
      // The stack here creates 3 partitions by default; the Docker stack's Kafka creates 1. Only an explicit number works on both.
      const asked = recording.asked.filter((request) => request.topic === scratchTopic);
      assertWithHint(
        asked.length > 0 && asked.every((request) => request.numPartitions === workshopNames.topicPartitions),
        `Create the topic with admin.createTopics() and numPartitions: workshopNames.topicPartitions: the topic got the broker's default partitions (${partitions} here, 1 on the Docker stack) — README §1`,
        asked.length === 0
          ? 'ensureTopic() never called admin.createTopics()'
          : `createTopics() asked for numPartitions: ${asked.map((r) => r.numPartitions ?? '(none given)').join(', ')}`,
      );
    } finally {
      // Only if it is there: deleting a missing topic makes kafkajs retry for seconds.
      if ((await admin.listTopics()).includes(scratchTopic)) await admin.deleteTopics({ topics: [scratchTopic] });
    }
  });
});

/** What the test finds in the topic for one of its own messages. */
interface Received {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

interface Delivery {
  sent: ButtonPressEvent[];
  sessionIds: string[];
  acks: { partition: number }[];
  /** send() calls still waiting for Kafka when produceVisits() resolved. */
  sendsStillWaiting: number;
  received: Received[];
}

/** Four visits of different lengths, overlapping in time, from one run of the test. */
function ourVisits(): ButtonPressEvent[] {
  const start = Date.now();
  const presses = [3, 0, 5, 2];
  const visits = presses.map((count, i) =>
    sampleVisit({ presses: count, place: samplePlaces[i]!, sessionId: uniqueSessionId(), start: new Date(start + i * 400) }),
  );
  return visits.flat().sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}

/**
 * The producer, with a count of its send() / sendBatch() calls still waiting for Kafka's answer: when
 * produceVisits() resolves, that count must be 0 — or a program that exits then loses those events.
 *
 * Kafka usually answers one connection's requests in the order they were sent, so code that awaits only
 * its last send() gets away with it most runs. Here the answers come back last-sent first: a send settles
 * only after every send issued after it has settled, and one turn of the event loop later. Code that does
 * not await every send is then caught on every run, not on most.
 */
function watchSends(producer: Producer): { producer: Producer; waiting: () => number } {
  let waiting = 0;
  const issued: Promise<RecordMetadata[]>[] = [];
  const watched = new Proxy(producer, {
    get(target, property, receiver) {
      if (property !== 'send' && property !== 'sendBatch') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => {
        waiting += 1;
        const index = issued.length;
        const answer = (async () => {
          try {
            const metadata = await (target[property] as (...a: unknown[]) => Promise<RecordMetadata[]>)(...args);
            // Only sends already issued: a send made after this one settles cannot be waited for (no deadlock).
            for (let next = index + 1; next < issued.length; ) {
              const later = issued.slice(next);
              next = issued.length;
              await Promise.allSettled(later);
            }
            await new Promise((resolve) => setImmediate(resolve));
            return metadata;
          } finally {
            waiting -= 1;
          }
        })();
        issued.push(answer);
        return answer;
      };
    },
  });
  return { producer: watched, waiting: () => waiting };
}

async function produceOurVisits(sent: ButtonPressEvent[]): Promise<{ acks: { partition: number }[]; sendsStillWaiting: number }> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const watch = watchSends(producer);
  await producer.connect();
  try {
    let sendsStillWaiting = 0;
    const acks = await withHint('Write produceVisits(): producer.send() to button_presses_json — README §2', () =>
      // Counted the moment produceVisits() resolves, before anything else can run.
      Promise.resolve(produceVisits(watch.producer, sent)).then((result) => {
        sendsStillWaiting = watch.waiting();
        return result;
      }),
    );
    return { acks: Array.isArray(acks) ? acks : [], sendsStillWaiting };
  } finally {
    // At once, as a program that exits after produceVisits() would.
    await producer.disconnect();
  }
}

/** Reads the whole topic with a fresh group and keeps the messages of our sessions (by key or by value). */
async function readOurMessages(sessionIds: string[]): Promise<Received[]> {
  const endOffsets = await admin.fetchTopicOffsets(topic);
  const groupId = uniqueName('test-02-reader');
  // A short fetch wait: the broker answers at once when there is data, and the test learns sooner that there is none.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  const ours: Received[] = [];
  const nextOffset = new Map<number, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        nextOffset.set(partition, Number(message.offset) + 1);
        const key = message.key?.toString() ?? null;
        const value = message.value?.toString() ?? null;
        if (sessionIds.some((id) => key === id || value?.includes(id))) {
          ours.push({ partition, offset: Number(message.offset), key, value });
        }
      },
    });
    // Done when the group has read up to where the topic ended after our send.
    await pollUntil(
      () =>
        endOffsets.every(({ partition, high, low }) => high === low || (nextOffset.get(partition) ?? 0) >= Number(high)) ? true : undefined,
      { timeoutMs: 30_000, hint: `Could not read ${topic} to its end — is Kafka up? (npm run stack:status)` },
    );
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return ours;
}

let delivery: Promise<Delivery> | undefined;
/** Sends our visits once and reads them back; every test below looks at the same delivery. */
function delivered(): Promise<Delivery> {
  delivery ??= (async () => {
    const sent = ourVisits();
    const sessionIds = [...new Set(sent.map((event) => event.session_id))];
    const { acks, sendsStillWaiting } = await produceOurVisits(sent);
    const received = await readOurMessages(sessionIds);
    return { sent, sessionIds, acks, sendsStillWaiting, received };
  })();
  return delivery;
}

function parseEvent(value: string | null): ButtonPressEvent | undefined {
  try {
    return value === null ? undefined : (JSON.parse(value) as ButtonPressEvent);
  } catch {
    return undefined;
  }
}

describe('produceVisits()', () => {
  it('delivers every event of the visits to button_presses_json before it resolves', async () => {
    const { sent, received, acks, sendsStillWaiting } = await delivered();
    assertWithHint(
      sendsStillWaiting === 0,
      'produceVisits() resolved before Kafka acknowledged the events — a program that exits then loses them: await producer.send() — README §2',
      `${sendsStillWaiting} send() call(s) were still waiting for Kafka when produceVisits() resolved`,
    );
    assertWithHint(
      received.length > 0,
      `None of the events reached ${topic}: send them to workshopNames.jsonTopic — README §2`,
      `sent ${sent.length} events of ${new Set(sent.map((e) => e.session_id)).size} visits, found none in ${topic}`,
    );
    assertWithHint(
      received.length >= sent.length,
      'produceVisits() resolved before Kafka had every event: await producer.send() (every call) before returning — README §2',
      `${received.length} of ${sent.length} events arrived; the producer was disconnected right after produceVisits() resolved`,
    );
    assertWithHint(
      received.length === sent.length,
      'Send each event once — README §2',
      `${sent.length} events sent, ${received.length} messages arrived`,
    );
    const acknowledged = new Set(acks.map((ack) => ack.partition));
    const used = [...new Set(received.map((message) => message.partition))];
    assertWithHint(
      used.every((partition) => acknowledged.has(partition)),
      "Resolve with what producer.send() resolves with (Kafka's acknowledgements: topic, partition, offset) — README §2",
      `events landed in partitions ${used.join(', ')}; produceVisits() reported ${[...acknowledged].join(', ') || 'none'}`,
    );
  });

  it('keys every message with its session_id', async () => {
    const { received, sessionIds } = await delivered();
    await withHint("Give every message a key: the event's session_id — README §2", () => {
      expect(received.length).toBeGreaterThan(0);
      const keys = received.map((message) => message.key);
      expect(keys.filter((key) => key === null).length, 'messages without a key').toBe(0);
      expect(
        keys.every((key) => key !== null && sessionIds.includes(key)),
        `keys: ${keys.slice(0, 3).join(', ')}…`,
      ).toBe(true);
      for (const message of received) {
        // The key must be the session_id of the event the message carries.
        const event = parseEvent(message.value);
        if (event?.session_id !== undefined) expect(message.key).toBe(event.session_id);
      }
    });
  });

  it('sends the event itself, as JSON, as the message value', async () => {
    const { received, sent } = await delivered();
    await withHint('The message value must be the event as JSON: JSON.stringify(event) — README §2', () => {
      expect(received.length).toBeGreaterThan(0);
      for (const message of received) {
        const event = parseEvent(message.value);
        expect(event, `not JSON: ${message.value?.slice(0, 60)}`).toBeTypeOf('object');
        const original = sent.find((e) => e.session_id === event?.session_id && e.count === event?.count);
        expect(event).toEqual(original);
      }
    });
  });

  it('rejects when Kafka refuses the send (a missing topic, a broker down) instead of resolving', async () => {
    // The failure is staged: the real topic must stay, and a real refusal takes kafkajs' retries (seconds) to surface.
    const refusal = new KafkaJSError('This server does not host this topic-partition', { retriable: false });
    const refusingProducer = new Proxy(kafka.producer(), {
      get(target, property, receiver) {
        if (property === 'send' || property === 'sendBatch') return () => Promise.reject(refusal);
        return Reflect.get(target, property, receiver);
      },
    });
    const events = ourVisits();
    let resolvedWith: unknown;
    const rejected = await Promise.resolve()
      .then(() => produceVisits(refusingProducer, events))
      .then(
        (result) => {
          resolvedWith = result;
          return false;
        },
        () => true,
      );
    assertWithHint(
      rejected,
      "produceVisits() resolved although Kafka refused the events: let send()'s error reach the caller (no catch that logs and carries on) — the caller must know the events are not stored — README §2",
      `send() rejected with "${refusal.message}"; produceVisits() resolved with ${JSON.stringify(resolvedWith)?.slice(0, 120)}`,
    );
  });

  it('keeps each visit in one partition, in count order', async () => {
    const { received, sessionIds } = await delivered();
    assertWithHint(received.length > 0, `None of the events reached ${topic} — README §2`);
    for (const sessionId of sessionIds) {
      const messages = received.filter((message) => message.key === sessionId || message.value?.includes(sessionId));
      const partitions = [...new Set(messages.map((message) => message.partition))];
      assertWithHint(
        partitions.length === 1,
        'Keep a visit in one partition: key each message with its session_id, so Kafka hashes it to one partition — README §2',
        `visit ${sessionId.slice(0, 8)}… is spread over partitions ${partitions.join(', ')}`,
      );
      const counts = messages.sort((a, b) => a.offset - b.offset).map((message) => parseEvent(message.value)?.count);
      assertWithHint(
        counts.every((count) => count !== undefined),
        'The message value must be the event as JSON: JSON.stringify(event) — README §2',
        `visit ${sessionId.slice(0, 8)}…: a value without a count`,
      );
      assertWithHint(
        counts.every((count, i) => count === i),
        'Send the events of a visit in count order, and await the sends — README §2',
        `visit ${sessionId.slice(0, 8)}…: counts in partition order ${counts.join(', ')}`,
      );
    }
  });
});
