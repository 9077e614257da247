import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLevel, Partitioners, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { createKafka, loadConfig, workshopNames, type ButtonPressEvent } from '@workshop/shared';
import { assertWithHint, describeUnreachable, pollUntil, uniqueName, uniqueSessionId, withHint } from '@workshop/shared/testing';
import { countPress, runPressCounter, type PressesByCountry } from '../src/press-counter.js';
import { sampleVisit, samplePlaces, type Place } from '@workshop/shared';

/**
 * Step 03: the counts a consumer group keeps, and what its committed offsets promise. Each test writes
 * visits of its own to a topic of its own (3 partitions, like button_presses_json), counts them with your
 * runPressCounter() in a fresh consumer group, and checks the counts and the group's committed offsets.
 */
const config = loadConfig();
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const topicsToDelete: string[] = [];
const groupsToDelete: string[] = [];
const consumersToStop: Consumer[] = [];

const [finland, germany, brazil, , , unknown] = samplePlaces as [Place, Place, Place, Place, Place, Place];

beforeAll(async () => {
  kafka = createKafka(config);
  admin = kafka.admin();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await withHint(describeUnreachable('kafka', config.kafka.brokers.join(','), 'could not connect'), async () => {
    await admin.connect();
    await producer.connect();
  });
});

afterAll(async () => {
  await Promise.allSettled(consumersToStop.map((consumer) => consumer.disconnect()));
  await producer?.disconnect();
  if (groupsToDelete.length) await admin?.deleteGroups(groupsToDelete).catch(() => undefined);
  if (topicsToDelete.length) await admin?.deleteTopics({ topics: topicsToDelete }).catch(() => undefined);
  await admin?.disconnect();
});

// ---- test data ---------------------------------------------------------------------------------------------

/** Visits as [place, presses]; each visit has a fresh session id and EnterPage/ExitPage around its presses. */
function visits(...plans: [Place, number][]): ButtonPressEvent[] {
  const start = Date.now();
  return plans.flatMap(([place, presses], i) =>
    sampleVisit({ place, presses, sessionId: uniqueSessionId(), start: new Date(start + i * 300) }),
  );
}

/** What a correct counter shows for these events: PressButton per country_code. */
function expectedPresses(events: ButtonPressEvent[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const event of events) {
    if (event.action === 'PressButton') expected[event.country_code] = (expected[event.country_code] ?? 0) + 1;
  }
  return expected;
}

function sum(...counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts) for (const [code, n] of Object.entries(count)) total[code] = (total[code] ?? 0) + n;
  return total;
}

function asRecord(presses: PressesByCountry): Record<string, number> {
  return Object.fromEntries([...presses].filter(([, n]) => n !== 0).sort(([a], [b]) => a.localeCompare(b)));
}

// ---- Kafka helpers (the test's own, not the exercise) --------------------------------------------------------

async function newTopic(): Promise<string> {
  const topic = uniqueName('test-03-presses');
  topicsToDelete.push(topic);
  await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }] });
  return topic;
}

function newGroup(): string {
  const groupId = uniqueName('test-03-counter');
  groupsToDelete.push(groupId);
  return groupId;
}

async function produce(topic: string, messages: (ButtonPressEvent | string | null)[]): Promise<void> {
  await producer.send({
    topic,
    messages: messages.map((m) =>
      m !== null && typeof m === 'object' ? { key: m.session_id, value: JSON.stringify(m) } : { key: null, value: m },
    ),
  });
}

/** A consumer in `groupId`, connected, counting with your runPressCounter(). */
async function startCounter(topic: string, groupId: string, presses: PressesByCountry, options: { quiet?: boolean } = {}) {
  // quiet: for the crash test, whose counting fails on purpose (kafkajs would log each failure at ERROR).
  const client = options.quiet ? createKafka(config, { logLevel: logLevel.NOTHING }) : kafka;
  // A short fetch wait: the broker answers at once when there is data, and a test sees "no more" sooner.
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 250 });
  consumersToStop.push(consumer);
  await consumer.connect();
  await withHint('Write runPressCounter(): consumer.subscribe() to the topic, then consumer.run() — README §2', () =>
    runPressCounter(consumer, topic, presses),
  );
  return consumer;
}

/** Stops a counter as a restart would: the consumer leaves the group; the next one takes over its offsets. */
async function stopCounter(consumer: Consumer): Promise<void> {
  await consumer.disconnect();
  consumersToStop.splice(consumersToStop.indexOf(consumer), 1);
}

/** Polls until `done` holds; false (not an error) when the deadline passes, so the test can say why. */
async function eventually(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  return pollUntil(async () => ((await done()) ? true : undefined), { timeoutMs, intervalMs: 200, hint: '' }).then(
    () => true,
    () => false,
  );
}

/** Where the group's committed offsets stand against the end of the topic, partition by partition. */
async function commitLag(topic: string, groupId: string): Promise<{ behind: number; detail: string }> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let behind = 0;
  const detail = ends.map(({ partition, high, low }) => {
    const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const start = Number(at) < 0 ? Number(low) : Number(at);
    behind += Math.max(0, Number(high) - start);
    return `partition ${partition}: committed ${Number(at) < 0 ? 'nothing' : at}, end ${high}`;
  });
  return { behind, detail: detail.join('; ') };
}

function covers(presses: PressesByCountry, expected: Record<string, number>): boolean {
  return Object.entries(expected).every(([code, n]) => (presses.get(code) ?? 0) >= n);
}

/** Waits until the counts reach `expected`, then says what is wrong if they did not. */
async function expectCountsToReach(presses: PressesByCountry, expected: Record<string, number>, situation: string) {
  await eventually(() => covers(presses, expected));
  const counted = asRecord(presses);
  const total = Object.values(counted).reduce((a, b) => a + b, 0);
  assertWithHint(
    total > 0,
    'Nothing was counted. A new consumer group starts at the END of the topic unless told otherwise: subscribe with fromBeginning: true — README §2',
    `${situation}: expected ${JSON.stringify(expected)}, counted nothing in 10 s`,
  );
  assertWithHint(
    covers(presses, expected),
    'Some presses were never counted: count every PressButton event of the topic, in every partition — README §2',
    `${situation}: expected ${JSON.stringify(expected)}, counted ${JSON.stringify(counted)}`,
  );
}

/** Waits until the group has committed up to the end of the topic. */
async function expectGroupCaughtUp(topic: string, groupId: string, situation: string) {
  await eventually(async () => (await commitLag(topic, groupId)).behind === 0);
  const { behind, detail } = await commitLag(topic, groupId);
  assertWithHint(
    behind === 0,
    "The group's committed offsets do not reach the end of the topic: after counting an event, commit the offset of the NEXT one to read (Number(message.offset) + 1) — README §3",
    `${situation}: ${behind} event(s) not committed — ${detail}`,
  );
}

/** Set by the first runPressCounter() test: when plain counting fails, the tests after it say so at once. */
let countingWorks: boolean | undefined;

function failFastUnlessCountingWorks(): void {
  assertWithHint(
    countingWorks !== false,
    'First make the test above pass ("counts the presses already in the topic…"): this one builds on it — README §2',
  );
}

// ---- the tests ---------------------------------------------------------------------------------------------

describe('countPress()', () => {
  it('adds 1 per PressButton to its country_code, and nothing for other actions', async () => {
    const events = visits([finland, 3], [germany, 0], [unknown, 2], [finland, 1]);
    const presses: PressesByCountry = new Map([[brazil.country_code, 10]]);
    await withHint('Write countPress(): for a PressButton event, presses.set(country_code, count + 1) — README §1', () => {
      for (const event of events) countPress(presses, event);
    });
    await withHint("Count only PressButton events (not EnterPage or ExitPage), +1 for the event's country_code — README §1", () => {
      expect(asRecord(presses)).toEqual({ [brazil.country_code]: 10, [finland.country_code]: 4, [unknown.country_code]: 2 });
    });
  });
});

describe('runPressCounter()', () => {
  it('counts the presses already in the topic, then the new ones as they arrive', async () => {
    countingWorks = false;
    const topic = await newTopic();
    const before = visits([finland, 4], [brazil, 2], [germany, 0], [finland, 1], [unknown, 3]);
    await produce(topic, before);
    const groupId = newGroup();
    const presses: PressesByCountry = new Map();
    await startCounter(topic, groupId, presses);
    await expectCountsToReach(presses, expectedPresses(before), 'events produced before the group started');

    const after = visits([germany, 2], [brazil, 1]);
    await produce(topic, after);
    const expected = sum(expectedPresses(before), expectedPresses(after));
    await expectCountsToReach(presses, expected, 'events produced while the counter runs');
    await expectGroupCaughtUp(topic, groupId, 'after counting every event');
    await withHint('Count only PressButton events (not EnterPage or ExitPage), once each — README §1', () => {
      expect(asRecord(presses)).toEqual(expected);
    });
    countingWorks = true;
  });

  it('skips a message that is not an event, and keeps counting', async () => {
    failFastUnlessCountingWorks();
    const topic = await newTopic();
    const events = visits([brazil, 2], [finland, 1]);
    await produce(topic, ['not json at all', ...events.slice(0, 3), null, '{"hello":"world"}', ...events.slice(3)]);
    const groupId = newGroup();
    const presses: PressesByCountry = new Map();
    await startCounter(topic, groupId, presses);
    await expectCountsToReach(
      presses,
      expectedPresses(events),
      'a topic with a message that is not JSON, an empty one and JSON that is not an event — skip those (readEvent() returns undefined)',
    );
    await expectGroupCaughtUp(topic, groupId, 'a skipped message counts as processed: commit past it too');
  });

  it('a restart of the group does not count committed events again', async () => {
    failFastUnlessCountingWorks();
    const topic = await newTopic();
    const groupId = newGroup();
    const presses: PressesByCountry = new Map();
    const first = visits([finland, 3], [germany, 2], [brazil, 1]);
    await produce(topic, first);
    const counter = await startCounter(topic, groupId, presses);
    await expectCountsToReach(presses, expectedPresses(first), 'before the restart');
    await expectGroupCaughtUp(topic, groupId, 'before the restart');
    await stopCounter(counter);

    // A new consumer in the same group, the same counts: it must continue where the group committed.
    const second = visits([finland, 1], [unknown, 2]);
    await produce(topic, second);
    await startCounter(topic, groupId, presses);
    const expected = sum(expectedPresses(first), expectedPresses(second));
    await expectCountsToReach(presses, expected, 'after the restart');
    await expectGroupCaughtUp(topic, groupId, 'after the restart');
    await withHint(
      'After a restart the group counted events it had already committed: commit each event (offset + 1) once it is counted, and let the group continue from its committed offsets — README §3',
      () => expect(asRecord(presses)).toEqual(expected),
    );
  });

  it('a crash between counting and committing loses no event (at-least-once)', async () => {
    failFastUnlessCountingWorks();
    const topic = await newTopic();
    const groupId = newGroup();
    const presses = new CountsStore();
    const first = visits([brazil, 2], [finland, 1]);
    await produce(topic, first);
    const counter = await startCounter(topic, groupId, presses, { quiet: true });
    await expectCountsToReach(presses, expectedPresses(first), 'before the crash');
    await expectGroupCaughtUp(topic, groupId, 'before the crash');

    // The counts can no longer be stored: counting throws, as a database that went away would.
    presses.down = true;
    const second = visits([germany, 3], [finland, 2]);
    await produce(topic, second);
    const failed = await eventually(() => presses.refused > 0);
    assertWithHint(
      failed,
      'Count every event of the topic with countPress() (which updates the Map you are given) — README §2',
      'the counter never tried to count the events produced after it started',
    );
    // The process dies here; a new one takes over the group (same group id, same stored counts).
    await stopCounter(counter);
    presses.down = false;
    await startCounter(topic, groupId, presses);
    const expected = sum(expectedPresses(first), expectedPresses(second));
    await eventually(() => covers(presses, expected));
    assertWithHint(
      covers(presses, expected),
      'Events were lost in the crash: commit an offset only AFTER its event is counted — if counting throws, the offset must stay uncommitted so the event is read again — README §3',
      `expected at least ${JSON.stringify(expected)}, counted ${JSON.stringify(asRecord(presses))}`,
    );
    await expectGroupCaughtUp(topic, groupId, 'after the restart');
  });
});

/** Counts kept outside the consumer, like a database: they survive the crash, and can be "down". */
class CountsStore extends Map<string, number> {
  down = false;
  refused = 0;
  override set(code: string, count: number): this {
    if (this.down) {
      this.refused += 1;
      throw new Error('the counts store is down');
    }
    return super.set(code, count);
  }
}
