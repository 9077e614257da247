import { format } from 'node:util';
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

/**
 * Writes the events visit by visit — one send, so one record batch, per visit, each visit in a partition of
 * its own (visit i → partition i mod 3) — and then `junk` (values that are not events), if any, one per partition.
 * With the counters' small fetches (startCounter) the data spans several fetches per partition, as a busy topic does.
 */
async function produce(topic: string, events: ButtonPressEvent[]): Promise<void> {
  const sessions = [...new Set(events.map((event) => event.session_id))];
  for (const [i, session] of sessions.entries()) {
    await producer.send({
      topic,
      messages: events
        .filter((event) => event.session_id === session)
        .map((event) => ({ key: event.session_id, value: JSON.stringify(event), partition: i % workshopNames.topicPartitions })),
    });
  }
}

/** A message that is not an event, where it landed (the log must name this position, never the value). */
interface Junk {
  value: string | null;
  partition: number;
  offset: string;
}

async function produceJunk(topic: string, values: (string | null)[]): Promise<Junk[]> {
  const junk: Junk[] = [];
  for (const [i, value] of values.entries()) {
    const partition = i % workshopNames.topicPartitions;
    const [written] = await producer.send({ topic, messages: [{ key: null, value, partition }] });
    if (written?.baseOffset === undefined) throw new Error(`Kafka did not say where message ${i} landed`);
    junk.push({ value, partition, offset: written.baseOffset });
  }
  return junk;
}

/** A consumer in `groupId`, connected, counting with your runPressCounter(). */
async function startCounter(topic: string, groupId: string, presses: PressesByCountry, options: { quiet?: boolean } = {}) {
  // quiet: for the crash test, whose counting fails on purpose (kafkajs would log each failure at ERROR).
  const client = options.quiet ? createKafka(config, { logLevel: logLevel.NOTHING }) : kafka;
  // A short fetch wait: the broker answers at once when there is data, and a test sees "no more" sooner. Small
  // fetches (the broker still hands out at least one record batch, i.e. one visit): a partition's data takes
  // several fetches, so a commit that runs ahead of the counting — say to the end of the fetch — can show.
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 250, maxBytesPerPartition: 1024 });
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

/**
 * Where the group's committed offsets stand against the end of the topic, partition by partition: `behind`
 * counts events not committed yet, `beyond` the partitions whose committed offset is past their end — an
 * offset no message will ever have (e.g. "41" for 4 + 1: message.offset is a string).
 */
async function commitLag(topic: string, groupId: string): Promise<{ behind: number; beyond: number; detail: string }> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let behind = 0;
  let beyond = 0;
  const detail = ends.map(({ partition, high, low }) => {
    const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const start = Number(at) < 0 ? Number(low) : Number(at);
    behind += Math.max(0, Number(high) - start);
    if (start > Number(high)) beyond += 1;
    return `partition ${partition}: committed ${Number(at) < 0 ? 'nothing' : JSON.stringify(at)}, end ${high}`;
  });
  return { behind, beyond, detail: detail.join('; ') };
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

/** The next offset to read, as kafkajs wants it (a string) — one spelling for every hint. */
const nextOffset = '(BigInt(message.offset) + 1n).toString()';

/** Waits until the group has committed exactly up to the end of the topic — not short of it, not past it. */
async function expectGroupCaughtUp(topic: string, groupId: string, situation: string) {
  await eventually(async () => {
    const lag = await commitLag(topic, groupId);
    return lag.behind === 0 && lag.beyond === 0;
  });
  const { behind, beyond, detail } = await commitLag(topic, groupId);
  assertWithHint(
    beyond === 0,
    `The group committed an offset past the end of the topic, one no message has: message.offset is a string, so message.offset + 1 glues a "1" onto it ("4" + 1 = "41"). Commit ${nextOffset} — README §3`,
    `${situation}: ${detail}`,
  );
  assertWithHint(
    behind === 0,
    `The group's committed offsets stop short of the end of the topic: after counting an event (or skipping a bad one), commit the offset of the NEXT message to read, ${nextOffset} — README §3`,
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

  it('skips a message that is not an event, logs its partition and offset (never its value), and keeps counting', async () => {
    failFastUnlessCountingWorks();
    const topic = await newTopic();
    const early = visits([brazil, 2], [finland, 1], [germany, 3]);
    const late = visits([unknown, 1], [finland, 2], [brazil, 1]);
    // Values a log must never show: a bad message may hold anything — here a card number and a private note.
    const card = 'not an event: card 4111 1111 1111 1111';
    const note = `{"note":"private-${uniqueSessionId()}"}`;
    await produce(topic, early);
    const junk = await produceJunk(topic, [card, note, card]);
    await produce(topic, late);
    // The last message of every partition is junk too: skipping it without committing past it leaves the group behind.
    junk.push(...(await produceJunk(topic, [note, null, card])));

    const logs = captureLogs();
    try {
      const groupId = newGroup();
      const presses: PressesByCountry = new Map();
      await startCounter(topic, groupId, presses, { quiet: true });
      await expectCountsToReach(
        presses,
        expectedPresses([...early, ...late]),
        'a topic with messages that are not JSON, empty or JSON that is not an event — skip those (readEvent() returns undefined)',
      );
      await expectGroupCaughtUp(
        topic,
        groupId,
        'a skipped message counts as processed: commit past it too (here the last message of each partition is one)',
      );
    } finally {
      logs.restore();
    }

    const leaked = logs.lines.filter((line) => junk.some(({ value }) => value !== null && showsValue(line, value)));
    assertWithHint(
      leaked.length === 0,
      "Never log a skipped message's value — it may hold anything (here a card number): log its partition and offset only — README §2",
      `logged: ${leaked
        .slice(0, 2)
        .map((line) => JSON.stringify(line))
        .join(' ')}`,
    );
    const positions = junk.map(({ partition, offset }) => `partition ${partition} offset ${offset}`).join(', ');
    assertWithHint(
      logs.lines.some((line) => junk.some(({ partition, offset }) => hasWord(line, String(partition)) && hasWord(line, offset))),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint quotes the code a participant would type
      "Log a skipped message's partition and offset with console.warn (or console.error), so someone can find it: e.g. `skipped ${topic}/${partition} at offset ${message.offset}` — README §2",
      `skipped: ${positions}; logged: ${
        logs.lines.length
          ? logs.lines
              .slice(0, 3)
              .map((line) => JSON.stringify(line))
              .join(' ')
          : 'nothing'
      }`,
    );
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
      `After the restart the new consumer counted again events that the group had already committed: let it continue from the group's committed offsets (fromBeginning only applies to a group that has none; don't seek back) — README §2–3`,
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
    const earlier = await startCounter(topic, groupId, presses);
    await expectCountsToReach(presses, expectedPresses(first), 'before the crash');
    await expectGroupCaughtUp(topic, groupId, 'before the crash');
    await stopCounter(earlier);

    // A backlog of several fetches per partition; halfway through it the counts can no longer be stored:
    // counting throws, as a database that went away would. Then the process dies.
    const second = visits(
      [germany, 3],
      [finland, 2],
      [brazil, 4],
      [unknown, 2],
      [germany, 1],
      [finland, 3],
      [brazil, 2],
      [germany, 2],
      [unknown, 3],
    );
    await produce(topic, second);
    presses.failAfter(Math.floor(Object.values(expectedPresses(second)).reduce((a, b) => a + b, 0) / 2));
    const counter = await startCounter(topic, groupId, presses, { quiet: true });
    const failed = await eventually(() => presses.refused > 0);
    assertWithHint(
      failed,
      'Count every event of the topic with countPress() (which updates the Map you are given) — README §2',
      'the counter never tried to count the events produced after it started',
    );
    await stopCounter(counter);
    // A new process takes over the group (same group id, same stored counts, which work again).
    presses.recover();
    await startCounter(topic, groupId, presses);
    const expected = sum(expectedPresses(first), expectedPresses(second));
    await eventually(() => covers(presses, expected));
    assertWithHint(
      covers(presses, expected),
      "Events were lost in the crash: the group had committed offsets of events that were never counted. Commit an event's offset only AFTER it is counted (per message, not to the end of a fetch), and let an error from counting propagate so its offset stays uncommitted — README §3",
      `expected at least ${JSON.stringify(expected)}, counted ${JSON.stringify(asRecord(presses))}`,
    );
    await expectGroupCaughtUp(topic, groupId, 'after the restart');
  });
});

/** Everything logged while a test runs: console.* and direct writes to stdout/stderr (still shown as usual). */
function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const restores: (() => void)[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      lines.push(format(...args));
      original.apply(console, args);
    };
    restores.push(() => {
      console[method] = original;
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    restores.push(() => {
      stream.write = original;
    });
  }
  return {
    lines,
    restore: () => {
      for (const restore of restores) restore();
    },
  };
}

function hasWord(line: string, word: string): boolean {
  return new RegExp(`(^|[^0-9])${word}($|[^0-9])`).test(line);
}

/** The value as text, or the start of its bytes as Node prints a Buffer (<Buffer 6e 6f …>). */
function showsValue(line: string, value: string): boolean {
  const bytes = Buffer.from(value)
    .subarray(0, 8)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  return line.includes(value) || line.includes(value.slice(-20)) || line.includes(bytes);
}

/** Counts kept outside the consumer, like a database: they survive the crash, and can be "down". */
class CountsStore extends Map<string, number> {
  /** Stores still accepted before the store goes down; Infinity = up. */
  private storesLeft = Number.POSITIVE_INFINITY;
  refused = 0;
  failAfter(stores: number): void {
    this.storesLeft = stores;
  }
  recover(): void {
    this.storesLeft = Number.POSITIVE_INFINITY;
  }
  override set(code: string, count: number): this {
    if (this.storesLeft <= 0) {
      this.refused += 1;
      throw new Error('the counts store is down');
    }
    this.storesLeft -= 1;
    return super.set(code, count);
  }
}
