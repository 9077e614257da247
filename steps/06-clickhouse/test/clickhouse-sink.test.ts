import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Partitioners, type Admin, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ClickHouseError, type ClickHouseClient } from '@clickhouse/client';
import {
  basicAuthHeaders,
  createClickHouse,
  createKafka,
  createSchemaRegistry,
  loadConfig,
  produceAvroVisits,
  readButtonPressSchema,
  readDeadLetterContext,
  seededSampleVisits,
  type ButtonPressEvent,
  type DeadLetterInfo,
} from '@workshop/shared';
import { assertWithHint, describeUnreachable, pollUntil, uniqueName, uniqueSessionId, withHint } from '@workshop/shared/testing';
import { createEventTable, createPressesPerMinute } from '../src/tables.js';
import { insertButtonPresses, insertIsolatingBadRows, type AvroButtonPress } from '../src/insert.js';
import { createBatcher } from '../src/batcher.js';
import { checkRow } from '../src/check-row.js';
import { retryWhileUnavailable } from '../src/retry.js';
import { decodeOrDeadLetter, runSink, type RunningSink, type SinkOptions } from '../src/sink.js';

/**
 * Step 06: the ClickHouse sink. Everything runs in a database of its own (dropped afterwards), on topics,
 * subjects and consumer groups of its own, with visits of its own — so the tests are re-runnable on a
 * stack that has seen a whole workshop, and never touch button_presses.
 */
const config = loadConfig();
const registry = createSchemaRegistry(config);
/** ClickHouse identifiers: letters, digits and `_`. */
const identifier = (prefix: string) => uniqueName(prefix).replace(/-/g, '_');
const database = identifier('test06');
const repoRoot = resolve(import.meta.dirname, '../../..');
let clickhouse: ClickHouseClient;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const cleanups: (() => Promise<unknown>)[] = [];
const later = (cleanup: () => Promise<unknown>) => void cleanups.push(cleanup);

beforeAll(async () => {
  const server = createClickHouse(config, { database: 'default', quiet: true });
  await withHint(describeUnreachable('clickhouse', config.clickhouse.url, 'could not create a test database'), () =>
    server.command({ query: `CREATE DATABASE ${database}` }),
  );
  later(async () => {
    await server.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
    await server.close();
  });
  clickhouse = createClickHouse(config, { database });
  later(() => clickhouse.close());
  kafka = createKafka(config);
  admin = kafka.admin();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await withHint(describeUnreachable('kafka', config.kafka.brokers.join(','), 'could not connect'), async () => {
    await admin.connect();
    await producer.connect();
  });
  later(() => admin.disconnect());
  later(() => producer.disconnect());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

// ---- test data -----------------------------------------------------------------------------------------------

function visits(count: number, seed: number): ButtonPressEvent[] {
  // Some visits by real web visitors (cohort 0): both branches of cohort's union reach the table.
  return seededSampleVisits({ visits: count, seed, newSessionId: uniqueSessionId, cohorts: [null, 0] });
}

const asAvro = (events: ButtonPressEvent[]): AvroButtonPress[] =>
  events.map((event) => ({ ...event, timestamp: new Date(event.timestamp) }));

const byPosition = (a: ButtonPressEvent, b: ButtonPressEvent) => a.session_id.localeCompare(b.session_id) || a.count - b.count;

/** PressButton events per (minute, country), as the view should show them. */
function expectedPerMinute(events: ButtonPressEvent[]): string[] {
  const presses = new Map<string, number>();
  for (const event of events.filter((e) => e.action === 'PressButton')) {
    const minute = Math.floor(Date.parse(event.timestamp) / 60_000) * 60;
    const key = `${new Date(minute * 1000).toISOString().slice(0, 16)} ${event.country_code} ${event.country_name}`;
    presses.set(key, (presses.get(key) ?? 0) + 1);
  }
  return [...presses].map(([key, n]) => `${key}: ${n}`).sort();
}

// ---- ClickHouse helpers (the test's own queries) ------------------------------------------------------------------

async function rows<T>(query: string): Promise<T[]> {
  const result = await clickhouse.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

/** The stored events, read back with FINAL (what a query sees once redelivered copies collapse). */
async function storedEvents(table: string): Promise<ButtonPressEvent[]> {
  const read = () =>
    rows<Omit<ButtonPressEvent, 'timestamp'> & { ms: string }>(`
    SELECT toString(session_id) AS session_id, toUnixTimestamp64Milli(toDateTime64(timestamp, 3, 'UTC')) AS ms,
           toString(action) AS action, toUInt32(count) AS count, toString(country_code) AS country_code,
           toString(country_name) AS country_name, subdivision_name, city_name, CAST(cohort, 'Nullable(Int32)') AS cohort
    FROM ${table} FINAL`);
  const stored = await withHint(
    `Reading ${table} back with FINAL failed: name the columns after the event's fields, and use ENGINE = ReplacingMergeTree ORDER BY (session_id, count) — FINAL needs a merging engine — README §1`,
    read,
  );
  return stored
    .map(({ ms, ...event }) => ({ ...event, timestamp: new Date(Number(ms)).toISOString() }) as ButtonPressEvent)
    .sort(byPosition);
}

/** Distinct events in the table, however many copies of each. */
async function distinctStored(table: string): Promise<number> {
  const [row] = await rows<{ n: string }>(`SELECT uniqExact(session_id, count) AS n FROM ${table}`);
  return Number(row?.n ?? 0);
}

async function perMinute(view: string): Promise<string[]> {
  const result = await withHint(
    `Query the view ${view} as Grafana will: it needs the columns minute, country_code, country_name and presses (a number) — README §3`,
    () =>
      rows<{ minute: number; country_code: string; country_name: string; presses: string }>(`
        SELECT toUnixTimestamp(minute) AS minute, toString(country_code) AS country_code,
               toString(country_name) AS country_name, sum(presses) AS presses
        FROM ${view} GROUP BY minute, country_code, country_name`),
  );
  return result
    .map((r) => `${new Date(r.minute * 1000).toISOString().slice(0, 16)} ${r.country_code} ${r.country_name}: ${Number(r.presses)}`)
    .sort();
}

/**
 * The participant's client, watched: every INSERT it sends (client.insert, or INSERT text through
 * command/exec/query) is counted — and refused, when the test plays a ClickHouse that cannot store.
 */
function watchInserts(client: ClickHouseClient, options: { refuse?: boolean } = {}) {
  const inserts: { rows?: number }[] = [];
  const watched = new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!['insert', 'command', 'exec', 'query'].includes(String(property))) return value.bind(target);
      return async (params: { query?: string; values?: unknown }) => {
        if (property === 'insert' || /^\s*INSERT\b/i.test(params?.query ?? '')) {
          inserts.push({ rows: Array.isArray(params.values) ? params.values.length : undefined });
          if (options.refuse) throw new Error('ClickHouse refused the INSERT (the test plays a broken ClickHouse)');
        }
        return (value as (p: unknown) => Promise<unknown>).call(target, params);
      };
    },
  });
  return { client: watched, inserts };
}

function tableNames(name: string) {
  return { table: `${name}_events`, view: `${name}_per_minute` };
}

async function newEventTable(name: string): Promise<string> {
  const { table } = tableNames(name);
  await withHint('Write createEventTable(): CREATE TABLE IF NOT EXISTS with a column per event field — README §1', () =>
    createEventTable(clickhouse, table),
  );
  return table;
}

async function newTablesWithView(name: string): Promise<{ table: string; view: string }> {
  const names = tableNames(name);
  await newEventTable(name);
  await withHint('Write createPressesPerMinute(): the aggregate table, the materialized view and the view — README §3', () =>
    createPressesPerMinute(clickhouse, names),
  );
  return names;
}

// ---- Kafka helpers ----------------------------------------------------------------------------------------

async function newTopic(prefix = 'test06_presses'): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  later(async () => {
    await admin.deleteTopics({ topics: [topic] });
    for (const query of ['', '?permanent=true']) {
      const headers = basicAuthHeaders(config.schemaRegistry.auth);
      await fetch(`${config.schemaRegistry.url}/subjects/${encodeURIComponent(`${topic}-value`)}${query}`, { method: 'DELETE', headers });
    }
  });
  return topic;
}

function newGroup(): string {
  const groupId = uniqueName('test06-sink');
  later(() => admin.deleteGroups([groupId]));
  return groupId;
}

/** Records in the topic (its end offsets, summed: the test's topics start at 0). */
async function recordsIn(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((total, { high }) => total + Number(high), 0);
}

/** What the group has committed on `topic`, summed over partitions: the records it promises are done. */
async function committed(groupId: string, topic: string): Promise<number> {
  const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (answer?.partitions ?? []).reduce((total, { offset }) => total + Math.max(0, Number(offset)), 0);
}

interface SinkRun {
  sink: RunningSink;
  groupId: string;
  batches: { rows: number; deadLetters: number }[];
  /** What the sink reported through onOutage / onRecovered, in order. */
  outages: string[];
  /** Settles when the sink stops by itself (or is stopped). */
  settled: () => boolean;
}

/** Runs the participant's sink in this process, in a fresh consumer group. */
async function startSink(
  topic: string,
  options: {
    table: string;
    client: ClickHouseClient;
    maxRows: number;
    maxWaitMs: number;
    deadLetterTopic?: string;
    registry?: SchemaRegistry;
  },
): Promise<SinkRun> {
  const groupId = newGroup();
  const consumer = kafka.consumer({ groupId });
  const dlqProducer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([consumer.connect(), dlqProducer.connect()]);
  later(async () => {
    await consumer.disconnect();
    await dlqProducer.disconnect();
  });
  const batches: SinkRun['batches'] = [];
  const outages: string[] = [];
  const sinkOptions: SinkOptions = {
    topic,
    table: options.table,
    deadLetterTopic: options.deadLetterTopic ?? `${topic}_dlq`,
    maxRows: options.maxRows,
    maxWaitMs: options.maxWaitMs,
    onBatch: ({ rows, deadLetters }) => void batches.push({ rows, deadLetters }),
    onOutage: ({ service }) => void outages.push(`down: ${service}`),
    onRecovered: ({ service }) => void outages.push(`back: ${service}`),
  };
  const sink = await withHint(
    'Write runSink(): subscribe to the topic (fromBeginning: true) and consumer.run({ autoCommit: false, eachMessage }) — README §5',
    () => runSink({ consumer, producer: dlqProducer, registry: options.registry ?? registry, clickhouse: options.client }, sinkOptions),
  );
  let settled = false;
  sink.done.then(
    () => (settled = true),
    () => (settled = true),
  );
  later(() => sink.stop());
  return { sink, groupId, batches, outages, settled: () => settled };
}

/**
 * A service that goes away and comes back, for the sink's outage tests — the real server keeps running (other
 * tests use it): a TCP proxy in front of it that, while "down", cuts every connection at once, and while "up"
 * forwards it. `attempts` counts the connections refused while down.
 */
async function serviceProxy(target: string) {
  const { hostname, port } = new URL(target);
  let up = false;
  const attempts: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (!up) {
      attempts.push(Date.now());
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  // On the service's own address, so that its URL (and its TLS certificate's name) stays as it is — 127.0.0.1 on a local
  // stack, the room's address on a presenter's laptop. (A service on another machine, as on Aiven, cannot be cut this way.)
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, hostname.replace(/^\[|\]$/g, ''), listening);
  });
  const address = server.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;
  later(
    () =>
      new Promise((closed) => {
        for (const socket of sockets) socket.destroy();
        server.close(closed);
      }),
  );
  const url = new URL(target);
  url.port = String(proxyPort);
  return {
    /** The target's URL with the proxy's port (path kept). */
    url: url.toString().replace(/\/$/, ''),
    attempts,
    comeBack: () => {
      up = true;
    },
  };
}

// -----------------------------------------------------------------------------------------------------------
describe('§1 the events table: createEventTable()', () => {
  it("has a column per event field, timestamp DateTime64(3, 'UTC'), and can be created again harmlessly", async () => {
    const table = await newEventTable('s1');
    await withHint(
      'createEventTable() runs at every npm start: make it harmless when the table exists (CREATE TABLE IF NOT EXISTS) — README §1',
      () => createEventTable(clickhouse, table),
    );
    const columns = await rows<{ name: string; type: string }>(
      `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`,
    );
    const fields = [
      'session_id',
      'timestamp',
      'action',
      'count',
      'country_code',
      'country_name',
      'subdivision_name',
      'city_name',
      'cohort',
    ];
    const missing = fields.filter((field) => !columns.some((column) => column.name === field));
    assertWithHint(
      missing.length === 0,
      `Name the columns after the event's fields — missing: ${missing.join(', ')} — README §1`,
      `columns: ${columns.map((c) => c.name).join(', ')}`,
    );
    const timestamp = columns.find((column) => column.name === 'timestamp')?.type;
    assertWithHint(
      timestamp === "DateTime64(3, 'UTC')",
      "Make timestamp DateTime64(3, 'UTC'): milliseconds, like Avro's timestamp-millis, and UTC whatever the server's time zone. DateTime keeps whole seconds — README §1",
      `timestamp is ${timestamp}`,
    );
  });
});

// -----------------------------------------------------------------------------------------------------------
describe('§2 storing a batch: insertButtonPresses()', () => {
  it('stores a batch with ONE insert: every field as sent, the timestamp to the millisecond', async () => {
    const table = await newEventTable('s2a');
    const events = visits(12, 621);
    const { client, inserts } = watchInserts(clickhouse);
    await withHint("Write insertButtonPresses(): clickhouse.insert({ table, values: events, format: 'JSONEachRow' }) — README §2", () =>
      insertButtonPresses(client, table, asAvro(events)),
    );
    assertWithHint(
      inserts.length === 1,
      'Store the whole batch with ONE insert, not one per event: every INSERT becomes a part on disk that ClickHouse must merge — README §2',
      `${inserts.length} INSERTs for ${events.length} events`,
    );
    const stored = await storedEvents(table);
    assertWithHint(
      stored.length === events.length,
      'Every event of the batch must be stored — README §2',
      `${stored.length} of ${events.length} stored`,
    );
    const expected = [...events].sort(byPosition);
    const lostMillis = stored.filter(
      (row, i) => row.timestamp !== expected[i]!.timestamp && row.timestamp.slice(0, 19) === expected[i]!.timestamp.slice(0, 19),
    );
    assertWithHint(
      lostMillis.length === 0,
      "The timestamps lost their milliseconds: the column must be DateTime64(3, 'UTC'), not DateTime — README §1",
      `sent ${expected.find((e) => e.session_id === lostMillis[0]?.session_id && e.count === lostMillis[0]?.count)?.timestamp}, stored ${lostMillis[0]?.timestamp}`,
    );
    await withHint('Each row must hold the event exactly as sent (nulls stay null, times in UTC) — README §1–2', () =>
      expect(stored).toEqual(expected),
    );
  });

  it('a batch stored twice (as after a crash, before the commit) shows each event once with FINAL', async () => {
    const table = await newEventTable('s2b');
    const events = visits(8, 622);
    await withHint('Write insertButtonPresses() — README §2', async () => {
      await insertButtonPresses(clickhouse, table, asAvro(events));
      await insertButtonPresses(clickhouse, table, asAvro(events));
    });
    const stored = await storedEvents(table);
    assertWithHint(
      stored.length === events.length,
      'A redelivered event must collapse with its first copy: ENGINE = ReplacingMergeTree ORDER BY (session_id, count), and queries say FINAL — README §1',
      `the batch of ${events.length} events, inserted twice, shows ${stored.length} rows with FINAL`,
    );
  });
});

// -----------------------------------------------------------------------------------------------------------
describe('§3 presses per country per minute: createPressesPerMinute()', () => {
  const setup = memo(async () => {
    const names = await newTablesWithView('s3');
    const events = visits(40, 63);
    await withHint('Write insertButtonPresses() — README §2', () => insertButtonPresses(clickhouse, names.table, asAvro(events)));
    return { ...names, events };
  });

  it("counts the visits' PressButton events per minute and country", async () => {
    const { view, events } = await setup();
    const shown = await perMinute(view);
    await withHint(
      'The view must count PressButton events (not EnterPage/ExitPage) per minute — toStartOfMinute(timestamp) — and country_code, country_name — README §3',
      () => expect(shown).toEqual(expectedPerMinute(events)),
    );
  });

  it('stays right when the same events are stored again (a redelivered batch)', async () => {
    const { table, view, events } = await setup();
    await insertButtonPresses(clickhouse, table, asAvro(events));
    const shown = await perMinute(view);
    await withHint(
      'A redelivered press was counted twice: a materialized view sees every INSERT, copies included. Keep a uniqExact state over (session_id, count) in an AggregatingMergeTree — README §3',
      () => expect(shown).toEqual(expectedPerMinute(events)),
    );
  });
});

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

// -----------------------------------------------------------------------------------------------------------
describe('§4 batches by size or time: createBatcher()', () => {
  function recordingBatcher(options: { maxRows: number; maxWaitMs: number; flushMs?: number; failing?: boolean }) {
    const flushes: number[][] = [];
    const errors: unknown[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const batcher = createBatcher<number>({
      maxRows: options.maxRows,
      maxWaitMs: options.maxWaitMs,
      flush: async (items) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        flushes.push([...items]);
        if (options.flushMs) await new Promise((done) => setTimeout(done, options.flushMs));
        running -= 1;
        if (options.failing) throw new Error('flush failed (the test made it fail)');
      },
      onError: (error) => void errors.push(error),
    });
    return { batcher, flushes, errors, mostAtOnce: () => mostAtOnce };
  }

  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('flushes as soon as maxRows are waiting, and the rest once the first has waited maxWaitMs', async () => {
    const { batcher, flushes } = await withHint('Write createBatcher() — README §4', () =>
      recordingBatcher({ maxRows: 10, maxWaitMs: 300 }),
    );
    const started = Date.now();
    for (const item of range(0, 25)) await withHint('Write add() in createBatcher() — README §4', () => batcher.add(item));
    await withHint(
      'Flush as soon as maxRows items are waiting: add() of the 10th item flushes the 10, and resolves once they are flushed — README §4',
      () => expect(flushes).toEqual([range(0, 10), range(10, 20)]),
    );
    await pollUntil(() => (flushes.length === 3 ? true : undefined), {
      timeoutMs: 3000,
      intervalMs: 10,
      hint: 'Flush what waits once the first waiting item has waited maxWaitMs: start a timer when a batch begins — README §4',
    });
    assertWithHint(
      Date.now() - started >= 250,
      'Wait maxWaitMs before flushing a batch that is not full — README §4',
      `flushed after ${Date.now() - started} ms`,
    );
    await withHint('Hand over every item once, in order — README §4', () =>
      expect(flushes).toEqual([range(0, 10), range(10, 20), range(20, 25)]),
    );
  });

  it('flushes a lone item after maxWaitMs, and never an empty batch', async () => {
    const { batcher, flushes } = await withHint('Write createBatcher() — README §4', () =>
      recordingBatcher({ maxRows: 100, maxWaitMs: 150 }),
    );
    const started = Date.now();
    await withHint('Write add() in createBatcher() — README §4', () => batcher.add(1));
    assertWithHint(
      flushes.length === 0,
      'Do not flush a batch before it is full or has waited maxWaitMs — README §4',
      `flushed ${JSON.stringify(flushes)} at once`,
    );
    await pollUntil(() => (flushes.length > 0 ? true : undefined), {
      timeoutMs: 3000,
      intervalMs: 10,
      hint: 'A single item must be flushed after maxWaitMs: a quiet stream would otherwise stay unstored (and uncommitted) — README §4',
    });
    assertWithHint(
      Date.now() - started >= 120,
      'Wait maxWaitMs before flushing a batch that is not full — README §4',
      `flushed after ${Date.now() - started} ms`,
    );
    await withHint('Write flush() in createBatcher() — README §4', () => batcher.flush());
    await withHint('flush() with nothing waiting must not call the flush function (no empty INSERTs) — README §4', () =>
      expect(flushes).toEqual([[1]]),
    );
  });

  it('runs one flush at a time, in order, even when the timer and a full batch meet', async () => {
    const { batcher, flushes, mostAtOnce } = await withHint('Write createBatcher() — README §4', () =>
      recordingBatcher({ maxRows: 5, maxWaitMs: 30, flushMs: 150 }),
    );
    for (const item of range(0, 4)) await batcher.add(item);
    await pollUntil(() => (flushes.length === 1 ? true : undefined), {
      timeoutMs: 3000,
      intervalMs: 5,
      hint: 'Flush after maxWaitMs — README §4',
    });
    // The timer's flush of 0–3 is still running; 4–8 fill the next batch.
    for (const item of range(4, 9)) await batcher.add(item);
    assertWithHint(
      mostAtOnce() === 1,
      "One flush at a time: start the next only when the previous has finished (chain them). Two INSERTs at once could commit batch 2's offsets before batch 1 is stored — README §4",
      `${mostAtOnce()} flushes ran at once`,
    );
    await withHint('Flush batches in the order their items came — README §4', () => expect(flushes).toEqual([range(0, 4), range(4, 9)]));
  });

  it('after a failed flush, reports it and flushes nothing more', async () => {
    const { batcher, flushes } = await withHint('Write createBatcher() — README §4', () =>
      recordingBatcher({ maxRows: 3, maxWaitMs: 10_000, failing: true }),
    );
    await batcher.add(0);
    await batcher.add(1);
    const failure = await batcher.add(2).then(
      () => undefined,
      (error: unknown) => error,
    );
    assertWithHint(
      failure !== undefined,
      'add() must reject when the flush of the batch it completed fails: the caller must not go on as if it were stored — README §4',
    );
    await Promise.allSettled([batcher.add(3), batcher.add(4), batcher.add(5), batcher.flush()]);
    assertWithHint(
      flushes.length === 1,
      'After a failed flush, flush nothing more: storing (and committing) a later batch would skip the rows that were lost — README §4',
      `flush was called ${flushes.length} times`,
    );

    const timed = recordingBatcher({ maxRows: 100, maxWaitMs: 20, failing: true });
    await timed.batcher.add(0);
    await pollUntil(() => (timed.errors.length > 0 ? true : undefined), {
      timeoutMs: 3000,
      intervalMs: 10,
      hint: 'A flush the timer started has nobody awaiting it: pass its failure to onError (the sink stops on it) — README §4',
    });
  });
});

// -----------------------------------------------------------------------------------------------------------
describe('§5 the sink: runSink()', () => {
  it("streams the topic's visits into the table in batches, committing as it goes", async () => {
    const topic = await newTopic();
    const table = await newEventTable('s5a');
    const events = visits(300, 65);
    await produceAvroVisits(producer, registry, topic, events);
    const { client, inserts } = watchInserts(clickhouse);
    const maxRows = 200;
    const started = Date.now();
    const { groupId, batches } = await startSink(topic, { table, client, maxRows, maxWaitMs: 300 });
    await pollUntil(async () => ((await distinctStored(table)) === events.length ? true : undefined), {
      timeoutMs: 30_000,
      hint: 'Not every event reached the table: in eachMessage decode the value (registry.decode), add it to the batcher, and store batches with insertButtonPresses — README §5',
    });
    const seconds = (Date.now() - started) / 1000;
    console.info(
      `sink: ${events.length} rows in ${seconds.toFixed(1)} s with ${inserts.length} INSERTs (${Math.round(events.length / seconds)} rows/s, consumer group join included)`,
    );
    await withHint('Each row must hold the event exactly as produced — README §2', async () =>
      expect(await storedEvents(table)).toEqual([...events].sort(byPosition)),
    );
    const enough = Math.ceil(events.length / maxRows) * 2 + 2;
    assertWithHint(
      inserts.length <= enough,
      'Insert in batches: add each event to the batcher and let it flush many rows per INSERT — not one INSERT per message — README §5',
      `${inserts.length} INSERTs for ${events.length} events with maxRows ${maxRows}`,
    );
    const oversized = inserts.find((insert) => (insert.rows ?? 0) > maxRows);
    assertWithHint(
      !oversized,
      `Store at most maxRows (${maxRows}) rows per INSERT: create the batcher with the options you were given — README §5`,
      `an INSERT of ${oversized?.rows} rows`,
    );
    const commitOutcome = await pollUntil(
      async () => {
        const done = await committed(groupId, topic);
        if (done > events.length) return { beyondTheEnd: done };
        return done === events.length ? { ok: true } : undefined;
      },
      {
        timeoutMs: 10_000,
        hint: 'Commit each stored batch: consumer.commitOffsets([{ topic, partition, offset: <last offset + 1> }]) for every partition in the batch — the NEXT offset to read, not the last one read — README §5',
      },
    );
    assertWithHint(
      !('beyondTheEnd' in commitOutcome),
      "The committed offsets point beyond the topic's end: message.offset is a string, and '41' + 1 is '411'. Add 1 to the number: String(BigInt(offset) + 1n), or String(Number(offset) + 1) — README §5",
      `the group committed ${'beyondTheEnd' in commitOutcome ? commitOutcome.beyondTheEnd : ''} for a topic of ${events.length} records`,
    );
    const reported = batches.reduce((total, batch) => total + batch.rows, 0);
    assertWithHint(
      reported === events.length,
      'Call onBatch({ rows, deadLetters, ms }) after each stored batch (npm start prints it) — README §5',
      `onBatch reported ${reported} rows`,
    );
  }, 60_000);

  it('commits nothing while ClickHouse refuses the INSERT', async () => {
    const topic = await newTopic();
    const table = await newEventTable('s5b');
    const events = visits(10, 652);
    await produceAvroVisits(producer, registry, topic, events);
    const { client, inserts } = watchInserts(clickhouse, { refuse: true });
    const { sink, groupId } = await startSink(topic, { table, client, maxRows: 20, maxWaitMs: 200 });
    let stopped = false;
    sink.done.then(
      () => (stopped = true),
      () => (stopped = true),
    );
    await pollUntil(() => (inserts.length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 50,
      hint: "The sink should store the events it reads: insertButtonPresses() in the batcher's flush — README §5",
    });
    // Give the sink its reaction to the failure — stopping, or trying again — before looking at its commits.
    await pollUntil(() => (stopped || inserts.length > 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 50, hint: '' }).catch(
      () => undefined,
    );
    const watchUntil = Date.now() + 1500;
    while (Date.now() < watchUntil) {
      const done = await committed(groupId, topic);
      assertWithHint(
        done === 0,
        'Offsets were committed although the INSERT failed: commit by hand (autoCommit: false), and only AFTER insertButtonPresses succeeded — after a crash those records would never be read again — README §5',
        `the group committed ${done} of ${events.length} records; ClickHouse stored none`,
      );
      await new Promise((done) => setTimeout(done, 100));
    }
  }, 45_000);
});

// -----------------------------------------------------------------------------------------------------------
describe('§6 records that cannot be decoded go to the dead-letter topic', () => {
  it('sends them there with the reason in a header, and goes on storing the rest', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const table = await newEventTable('s6');
    const before = visits(5, 661);
    const after = visits(5, 662);
    const schemaId = await produceAvroVisits(producer, registry, topic, before);
    const wellFormed = await registry.encode(schemaId, asAvro(after)[0]);
    const poison = [
      { key: 'json', value: Buffer.from(JSON.stringify(after[0])) }, // JSON on the Avro topic (a step-02 producer)
      { key: 'truncated', value: wellFormed.subarray(0, 9) }, // the right header, a broken body
      { key: 'unknown-schema', value: Buffer.concat([Buffer.from([0, 0x7f, 0x00, 0x7f, 0x01]), wellFormed.subarray(5)]) },
    ];
    const origins = await sendOneByOne(topic, poison);
    await produceAvroVisits(producer, registry, topic, after);
    const { groupId } = await startSink(topic, { table, client: clickhouse, maxRows: 50, maxWaitMs: 200, deadLetterTopic });

    await pollUntil(async () => ((await distinctStored(table)) === before.length + after.length ? true : undefined), {
      timeoutMs: 30_000,
      hint: 'A record that cannot be decoded must not stop the sink: catch the decode error, send the record to the dead-letter topic, and go on — README §6',
    });
    const dead = await readTopic(deadLetterTopic, poison.length);
    for (const [i, { key, value }] of poison.entries()) {
      const found = dead.find((record) => record.value?.equals(value));
      assertWithHint(
        found !== undefined && found.key?.toString() === key,
        'Send each record you cannot decode to the dead-letter topic as it was: the same key and value — README §6',
        `no dead letter with the key ${key} and its original bytes`,
      );
      expectConnectHeaders(found.headers, { ...origins[i]!, topic, stage: 'VALUE_CONVERTER' });
    }
    const stored = await storedEvents(table);
    await withHint('Store every decodable event, before and after the bad records — README §6', () =>
      expect(stored).toEqual([...before, ...after].sort(byPosition)),
    );
    const total = await recordsIn(topic);
    await pollUntil(async () => ((await committed(groupId, topic)) === total ? true : undefined), {
      timeoutMs: 10_000,
      hint: 'Commit past the dead-lettered records too (they are handled), or every restart sends them to the dead-letter topic again — README §6',
    });
  }, 60_000);
});

describe('§6 a registry that does not answer is not a bad record', () => {
  it('decodeOrDeadLetter() rejects (the sink retries the record) and sends nothing to the dead-letter topic', async () => {
    const topic = await newTopic();
    const oneVisit = visits(1, 663);
    const schemaId = await produceAvroVisits(producer, registry, topic, oneVisit);
    const [event] = asAvro(oneVisit);
    assertWithHint(event, 'the test needs a visit to encode');
    const value = await registry.encode(schemaId, event);
    // A client whose registry is down: nothing listens on port 1. It has never seen the schema, so it must ask.
    const registryDown = createSchemaRegistry({ ...config, schemaRegistry: { url: 'http://127.0.0.1:1' } });
    const deadLetters: unknown[] = [];
    const recordingProducer = {
      send: async (record: unknown) => void deadLetters.push(record),
      sendBatch: async (batch: unknown) => void deadLetters.push(batch),
    } as unknown as Producer;
    const message = {
      key: Buffer.from(event.session_id),
      value,
      offset: '7',
      timestamp: String(Date.now()),
      attributes: 0,
      headers: {},
    } as KafkaMessage;
    const outcome = await decodeOrDeadLetter(registryDown, recordingProducer, {
      topic,
      partition: 0,
      message,
      deadLetterTopic: `${topic}_dlq`,
    }).then(
      () => 'resolved',
      (error: unknown) => (String(error).includes('TODO') ? 'todo' : 'rejected'),
    );
    assertWithHint(outcome !== 'todo', 'Write decodeOrDeadLetter(): registry.decode(message.value), or the dead-letter topic — README §6');
    assertWithHint(
      deadLetters.length === 0,
      'A good record went to the dead-letter topic because the registry did not answer: when registryUnavailable(error) is true, throw the error instead — the sink retries the record, and it is stored once the registry is back — README §6',
      `${deadLetters.length} dead letter(s) sent for a well-formed record`,
    );
    assertWithHint(
      outcome === 'rejected',
      'With the registry down, decodeOrDeadLetter() must reject (throw), so that the sink retries the record; resolving skips it — README §6',
      `decodeOrDeadLetter() ${outcome}`,
    );
  });
});

// -----------------------------------------------------------------------------------------------------------
describe('§7 rows that decode but do not fit the table', () => {
  it('checkRow() passes a good event, and names what is wrong with a row that does not fit the table', async () => {
    const good = asAvro(visits(3, 671));
    for (const event of good) {
      const verdict = await withHint(
        'Write checkRow() in src/check-row.ts: each column, and what a value must be to fit it — README §7',
        () => checkRow(event),
      );
      assertWithHint(
        verdict === undefined,
        'checkRow() refused a good event: return undefined when every column fits (nulls are fine where the column is Nullable) — README §7',
        `${verdict} — for ${JSON.stringify(event)}`,
      );
    }
    const [base] = good;
    assertWithHint(base, 'the test needs an event');
    const { country_name: _dropped, ...withoutCountryName } = base;
    const bad: [string, object][] = [
      ['a session_id that is not a UUID', { ...base, session_id: 'visitor-42' }],
      ['a negative count', { ...base, count: -1 }],
      ['a count over UInt32 (2^32)', { ...base, count: 2 ** 32 }],
      ['a count that is not a whole number', { ...base, count: 1.5 }],
      ['an action the Enum8 does not know', { ...base, action: 'DoubleClick' }],
      ['a timestamp that is not a time', { ...base, timestamp: new Date(Number.NaN) }],
      ['a null country_code (the column is not Nullable)', { ...base, country_code: null }],
      ['a cohort beyond Int32', { ...base, cohort: 2 ** 31 }],
      ['a missing field (written with another schema)', withoutCountryName],
      ['a field the table has no column for (another schema)', { ...base, browser: 'Firefox' }],
    ];
    const missed = bad.filter(([, row]) => checkRow(row) === undefined).map(([what]) => what);
    assertWithHint(
      missed.length === 0,
      'checkRow() let through a row that does not fit the table: ClickHouse would store it silently wrong (a default for a missing field, a count wrapped round 2^32, an unknown field dropped) or refuse the whole INSERT — check every column, and that there is no field without a column — README §7',
      `let through: ${missed.join('; ')}`,
    );
  });

  it('insertIsolatingBadRows() splits a refused INSERT in halves until each bad row stands alone, and stores the rest', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const bad = new Set([17, 18, 64]);
    const stored: number[] = [];
    let inserts = 0;
    const refusal = new ClickHouseError({
      message: 'Constraint `no_test_country` for table test.events is violated at row 18.',
      code: '469',
      type: 'VIOLATED_CONSTRAINT',
    });
    const insert = async (batch: number[]) => {
      inserts += 1;
      if (batch.some((row) => bad.has(row))) throw refusal;
      stored.push(...batch);
    };
    const refused = await withHint('Write insertIsolatingBadRows() in src/insert.ts — README §7', () =>
      insertIsolatingBadRows(rows, insert),
    );
    await withHint(
      'Return each row ClickHouse refused, alone, with its error — { row, error } — and only those: split a refused INSERT in two halves and insert each the same way (recursion), down to single rows — README §7',
      () => expect(refused.map(({ row, error }) => ({ row, error }))).toEqual([...bad].map((row) => ({ row, error: refusal }))),
    );
    await withHint('Every good row must be stored, once: one bad row must not cost the rest of the batch — README §7', () =>
      expect([...stored].sort((a, b) => a - b)).toEqual(rows.filter((row) => !bad.has(row))),
    );
    const enough = bad.size * 2 * Math.ceil(Math.log2(rows.length)) + 1;
    assertWithHint(
      inserts <= enough,
      'Split in halves: a batch of 5000 with one bad row then takes about 25 INSERTs; row by row would take 5000 (thousands of parts on disk) — README §7',
      `${inserts} INSERTs for ${rows.length} rows with ${bad.size} bad ones`,
    );

    let calls = 0;
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const outcome = await insertIsolatingBadRows(rows, async () => {
      calls += 1;
      throw outage;
    }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    assertWithHint(
      outcome === outage && calls === 1,
      'Split only when ClickHouse refused the rows themselves (refusedForItsData(error)); throw any other error as it is — ClickHouse not answering says nothing about the rows, and they must not become dead letters — README §7, §8',
      `with ClickHouse not answering: ${calls} INSERTs, then ${outcome === outage ? 'the error thrown' : String(outcome)}`,
    );
  });

  it('poison that decodes, among good rows in one batch: each to the dead-letter topic (stage TASK_PUT), every good row stored, all committed', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const table = await newEventTable('s7a');
    const good = visits(30, 672);
    const half = Math.floor(good.length / 2);
    const schemaId = await produceAvroVisits(producer, registry, topic, good.slice(0, half));
    const otherSchemaId = await registerOtherSchema(`${topic}-value`);
    const [template] = asAvro(visits(1, 673));
    assertWithHint(template, 'the test needs an event');
    const { country_name: _dropped, ...otherShape } = template;
    const poison = [
      { key: 'not-a-uuid', value: await registry.encode(schemaId, { ...template, session_id: 'visitor-42' }) },
      { key: 'negative-count', value: await registry.encode(schemaId, { ...template, count: -3 }) },
      { key: 'other-schema', value: await registry.encode(otherSchemaId, { ...otherShape, browser: 'Firefox' }) },
      { key: 'count-over-uint32', value: await registry.encode(otherSchemaId, { ...otherShape, count: 2 ** 32 + 5, browser: null }) },
    ];
    const origins = await sendOneByOne(topic, poison);
    await produceAvroVisits(producer, registry, topic, good.slice(half));
    const total = await recordsIn(topic);
    const run = await startSink(topic, { table, client: clickhouse, maxRows: 1000, maxWaitMs: 1500, deadLetterTopic });

    const outcome = await pollUntil(
      async () => (run.settled() ? 'stopped' : (await committed(run.groupId, topic)) === total ? 'committed' : undefined),
      {
        timeoutMs: 30_000,
        hint: 'A row that cannot be stored must not hold back its batch: send it to the dead-letter topic, store the rest, and commit the whole batch — README §7',
      },
    );
    assertWithHint(
      outcome !== 'stopped',
      'The sink stopped on a row that decodes but cannot be stored: check each row before the INSERT (checkRow), dead-letter those that do not fit, and go on — README §7',
    );
    const dead = await readTopic(deadLetterTopic, poison.length);
    for (const [i, { key, value }] of poison.entries()) {
      const found = dead.find((record) => record.value?.equals(value));
      assertWithHint(
        found !== undefined && found.key?.toString() === key,
        'Send each row that cannot be stored to the dead-letter topic as it was read — the same key and value (keep the message in what you batch) — README §7',
        `no dead letter for the record "${key}"`,
      );
      expectConnectHeaders(found.headers, { ...origins[i]!, topic, stage: 'TASK_PUT' });
    }
    await withHint(
      'Store every good row of the batch, and nothing of a row that does not fit: a row of another schema stored with defaults, or a count wrapped round 2^32, is wrong data in the table — README §7',
      async () => expect(await storedEvents(table)).toEqual([...good].sort(byPosition)),
    );
    const deadLetters = await recordsIn(deadLetterTopic);
    assertWithHint(
      deadLetters === poison.length,
      'Dead-letter only the rows that cannot be stored, each once — not the whole batch — README §7',
      `${deadLetters} dead letters for ${poison.length} bad records`,
    );
  }, 60_000);

  it('an INSERT ClickHouse refuses for one row: that row to the dead-letter topic, the rest of the batch stored', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const table = await newEventTable('s7b');
    // A row checkRow() cannot know is bad: this table refuses the country ZZ (a rule of the table, checked by ClickHouse).
    await clickhouse.command({ query: `ALTER TABLE ${table} ADD CONSTRAINT no_test_country CHECK country_code != 'ZZ'` });
    const good = visits(40, 674);
    const half = Math.floor(good.length / 2);
    const schemaId = await produceAvroVisits(producer, registry, topic, good.slice(0, half));
    const [template] = asAvro(visits(1, 675));
    assertWithHint(template, 'the test needs an event');
    const refusedRow = {
      key: 'refused-by-the-table',
      value: await registry.encode(schemaId, { ...template, country_code: 'ZZ', country_name: 'Nowhere' }),
    };
    const [origin] = await sendOneByOne(topic, [refusedRow]);
    await produceAvroVisits(producer, registry, topic, good.slice(half));
    const total = await recordsIn(topic);
    const { client, inserts } = watchInserts(clickhouse);
    const run = await startSink(topic, { table, client, maxRows: 1000, maxWaitMs: 1500, deadLetterTopic });

    const outcome = await pollUntil(
      async () => (run.settled() ? 'stopped' : (await committed(run.groupId, topic)) === total ? 'committed' : undefined),
      {
        timeoutMs: 30_000,
        hint: 'ClickHouse refused an INSERT for one of its rows: split the batch (insertIsolatingBadRows), dead-letter the refused row, store the rest and commit — README §7',
      },
    );
    assertWithHint(
      outcome !== 'stopped',
      'The sink stopped because ClickHouse refused one row of a batch: split it (insertIsolatingBadRows) until the row stands alone, dead-letter that row, store the rest — README §7',
    );
    const [dead] = await readTopic(deadLetterTopic, 1);
    assertWithHint(
      dead?.value?.equals(refusedRow.value) === true,
      'Send the row ClickHouse refused to the dead-letter topic, as it was read (same key and value) — README §7',
    );
    const info = expectConnectHeaders(dead.headers, { ...origin!, topic, stage: 'TASK_PUT' });
    assertWithHint(
      info.exceptionMessage?.includes('no_test_country') === true,
      "Put ClickHouse's answer in '__connect.errors.exception.message': it names what the row broke — README §7",
      `the message: ${info.exceptionMessage}`,
    );
    await withHint('Every other row of that batch must be stored — README §7', async () =>
      expect(await storedEvents(table)).toEqual([...good].sort(byPosition)),
    );
    const enough = run.batches.length + 2 * Math.ceil(Math.log2(total)) + 1;
    assertWithHint(
      inserts.length <= enough,
      'Isolate the refused row by splitting the batch in halves, not by inserting row by row — README §7',
      `${inserts.length} INSERTs for ${total} records in ${run.batches.length} batch(es)`,
    );
    const deadLetters = await recordsIn(deadLetterTopic);
    assertWithHint(deadLetters === 1, 'Dead-letter only the row ClickHouse refused — README §7', `${deadLetters} dead letters`);
  }, 60_000);
});

/** Another schema under the subject, as a producer might register it: BACKWARD-compatible, so the registry takes it. */
async function registerOtherSchema(subject: string): Promise<number> {
  const schema = readButtonPressSchema() as { fields: { name: string; type: unknown }[] };
  const fields = schema.fields
    .filter((field) => field.name !== 'country_name')
    .map((field) => (field.name === 'count' ? { ...field, type: 'long' } : field));
  fields.push({ name: 'browser', type: ['null', 'string'], default: null } as { name: string; type: unknown });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ ...schema, fields }) }, { subject });
  return id;
}

// -----------------------------------------------------------------------------------------------------------
describe('§8 outages: the sink waits, retries and resumes', () => {
  it('retryWhileUnavailable() waits longer after each failed attempt (up to a cap), reports the outage once and the recovery once', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const attempts: number[] = [];
    const reports: string[] = [];
    const result = await withHint('Write retryWhileUnavailable() in src/retry.ts — README §8', () =>
      retryWhileUnavailable(
        async () => {
          attempts.push(performance.now());
          if (attempts.length < 8) throw down;
          return 'stored';
        },
        {
          unavailable: (error) => error === down,
          firstDelayMs: 30,
          maxDelayMs: 60,
          onOutage: () => void reports.push('outage'),
          onRecovered: () => void reports.push('recovered'),
        },
      ),
    );
    assertWithHint(
      result === 'stored' && attempts.length === 8,
      'Try again while unavailable(error) is true, and return what the attempt returns once it succeeds — README §8',
      `${attempts.length} attempts, returned ${String(result)}`,
    );
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    assertWithHint(
      gaps[0]! >= 25 && gaps[1]! >= 50,
      'Wait between attempts, and twice as long each time (firstDelayMs, then doubling): hammering a server that is down only slows its return — README §8',
      `waits: ${gaps.map((gap) => Math.round(gap)).join(', ')} ms`,
    );
    assertWithHint(
      gaps.at(-1)! < 400,
      'Cap the wait at maxDelayMs: doubling for ever would leave the sink idle for minutes once the server is back — README §8',
      `waits: ${gaps.map((gap) => Math.round(gap)).join(', ')} ms with maxDelayMs 60`,
    );
    await withHint(
      'Report an outage once when it begins (onOutage) and once when it ends (onRecovered) — not at every attempt — README §8',
      () => expect(reports).toEqual(['outage', 'recovered']),
    );

    let calls = 0;
    const refusal = new Error('Cannot parse UUID');
    const outcome = await retryWhileUnavailable(
      async () => {
        calls += 1;
        throw refusal;
      },
      { unavailable: (error) => error === down, firstDelayMs: 10, maxDelayMs: 10 },
    ).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    assertWithHint(
      outcome === refusal && calls === 1,
      'An error that is an answer (unavailable(error) is false) is not an outage: throw it at once, without retrying — README §8',
      `${calls} attempts`,
    );
  });

  it('ClickHouse away: the sink retries, commits and dead-letters nothing; back: every event stored, and it goes on', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const table = await newEventTable('s8a');
    const events = visits(20, 681);
    await produceAvroVisits(producer, registry, topic, events);
    // The real ClickHouse keeps running; the sink reaches it through a proxy that cuts every connection for now.
    const proxy = await serviceProxy(config.clickhouse.url);
    const throughProxy = createClickHouse({ ...config, clickhouse: { ...config.clickhouse, url: proxy.url } }, { database, quiet: true });
    later(() => throughProxy.close());
    const run = await startSink(topic, { table, client: throughProxy, maxRows: 1000, maxWaitMs: 300, deadLetterTopic });

    const whileDown = await pollUntil(
      async () => {
        if (run.settled()) return 'stopped';
        if ((await committed(run.groupId, topic)) > 0) return 'committed';
        return proxy.attempts.length >= 3 ? 'retrying' : undefined;
      },
      {
        timeoutMs: 30_000,
        hint: 'The sink did not try to store the events (the test counts its attempts to reach ClickHouse) — README §5, §8',
      },
    );
    assertWithHint(
      whileDown !== 'stopped',
      'ClickHouse did not answer and the sink stopped: an outage is no reason to stop — wait and try the same batch again (retryWhileUnavailable around the INSERT) — README §8',
    );
    assertWithHint(
      whileDown !== 'committed',
      'Offsets were committed while ClickHouse was away: commit a batch only once it is stored — keep retrying it, never give up and move on — README §8',
    );
    const deadWhileDown = await recordsIn(deadLetterTopic);
    assertWithHint(
      deadWhileDown === 0,
      'Rows went to the dead-letter topic because ClickHouse did not answer: those rows are fine — retry, never dead-letter; only a refusal of the rows themselves (refusedForItsData) is a dead letter — README §8',
      `${deadWhileDown} dead letters`,
    );
    const [first, second, third] = proxy.attempts;
    assertWithHint(
      third! - first! >= 600 && third! - second! >= second! - first!,
      'Wait between attempts, longer each time (0.5 s, 1 s, 2 s … up to 10 s) — README §8',
      `attempts at +0, +${second! - first!}, +${third! - first!} ms`,
    );
    await withHint(
      'Report the outage once, when it begins: onOutage({ service: "ClickHouse", error }) — npm start prints it — README §8',
      () => expect(run.outages).toEqual(['down: ClickHouse']),
    );

    proxy.comeBack();
    const afterwards = await pollUntil(
      async () => (run.settled() ? 'stopped' : (await committed(run.groupId, topic)) === events.length ? 'caught up' : undefined),
      {
        timeoutMs: 40_000,
        hint: 'ClickHouse is back, but the sink did not store and commit the waiting batch: keep retrying it until it is stored — README §8',
      },
    );
    assertWithHint(afterwards !== 'stopped', 'The sink stopped after ClickHouse came back — README §8');
    await withHint('Every event must be stored once ClickHouse is back — README §8', async () =>
      expect(await storedEvents(table)).toEqual([...events].sort(byPosition)),
    );
    await withHint(
      'Report the recovery once, when ClickHouse answers again: onRecovered({ service: "ClickHouse", downMs }) — README §8',
      () => expect(run.outages).toEqual(['down: ClickHouse', 'back: ClickHouse']),
    );
    assertWithHint((await recordsIn(deadLetterTopic)) === 0, 'Nothing may reach the dead-letter topic during an outage — README §8');
  }, 90_000);

  it('the registry away: the records wait, none dead-lettered, and are stored once it is back', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const table = await newEventTable('s8b');
    const events = visits(10, 682);
    await produceAvroVisits(producer, registry, topic, events);
    const proxy = await serviceProxy(config.schemaRegistry.url);
    // A registry client of its own: it has not seen the schema yet, so it must ask the registry (through the proxy).
    const registryThroughProxy = createSchemaRegistry({ ...config, schemaRegistry: { ...config.schemaRegistry, url: proxy.url } });
    const run = await startSink(topic, {
      table,
      client: clickhouse,
      maxRows: 1000,
      maxWaitMs: 300,
      deadLetterTopic,
      registry: registryThroughProxy,
    });

    // The registry client retries a few times on its own (for about a second): the outage lasts until the sink has given
    // up on those and reported it (or stopped), so only a sink that retries by itself gets past this point.
    const whileDown = await pollUntil(
      () => (run.settled() ? 'stopped' : run.outages.length > 0 && proxy.attempts.length >= 2 ? 'retrying' : undefined),
      {
        timeoutMs: 30_000,
        hint: 'The registry did not answer and the sink neither stopped nor reported it: onOutage({ service: "schema registry", error }) once it does not answer — README §8',
      },
    );
    assertWithHint(
      whileDown !== 'stopped',
      'The registry did not answer and the sink stopped: wait and try the record again (retryWhileUnavailable around decodeOrDeadLetter) — README §8',
    );
    await withHint('Report the registry\'s outage once, when it begins: onOutage({ service: "schema registry", error }) — README §8', () =>
      expect(run.outages).toEqual(['down: schema registry']),
    );
    const deadWhileDown = await recordsIn(deadLetterTopic);
    assertWithHint(
      deadWhileDown === 0,
      'Records went to the dead-letter topic because the registry did not answer: they are fine — throw when registryUnavailable(error), and retry — README §6, §8',
      `${deadWhileDown} dead letters`,
    );
    proxy.comeBack();
    const afterwards = await pollUntil(
      async () => (run.settled() ? 'stopped' : (await committed(run.groupId, topic)) === events.length ? 'caught up' : undefined),
      {
        timeoutMs: 60_000,
        hint: 'The registry is back, but the sink did not store and commit the records: keep retrying them — README §8',
      },
    );
    assertWithHint(afterwards !== 'stopped', 'The sink stopped after the registry came back — README §8');
    await withHint('Every event must be stored once the registry is back — README §8', async () =>
      expect(await storedEvents(table)).toEqual([...events].sort(byPosition)),
    );
    await withHint(
      'Report the recovery once, when the registry answers again: onRecovered({ service: "schema registry", downMs }) — README §8',
      () => expect(run.outages).toEqual(['down: schema registry', 'back: schema registry']),
    );
    assertWithHint(
      (await recordsIn(deadLetterTopic)) === 0,
      'Nothing may reach the dead-letter topic while the registry is away — README §8',
    );
  }, 90_000);
});

async function readTopic(topic: string, count: number) {
  const consumer = kafka.consumer({ groupId: newGroup() });
  await consumer.connect();
  const received: { key: Buffer | null; value: Buffer | null; headers?: Record<string, Buffer | string | undefined> }[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void received.push({
          key: message.key,
          value: message.value,
          headers: message.headers as Record<string, Buffer | string | undefined>,
        }),
    });
    await pollUntil(() => (received.length >= count ? true : undefined), {
      timeoutMs: 20_000,
      hint: `Send each record you cannot decode to the dead-letter topic you are given (options.deadLetterTopic) — README §6 (expected ${count} there)`,
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Sends each record on its own and returns where each landed (partition, offset): its dead letter must say so. */
async function sendOneByOne(topic: string, records: { key: string; value: Buffer }[]): Promise<{ partition: number; offset: string }[]> {
  const origins: { partition: number; offset: string }[] = [];
  for (const record of records) {
    const [landed] = await producer.send({ topic, messages: [record] });
    origins.push({ partition: landed!.partition, offset: landed!.baseOffset! });
  }
  return origins;
}

/**
 * The dead letter's headers: Kafka Connect's context headers (__connect.errors.*), the one scheme both sinks
 * write (the JDBC sink of step 05 writes them itself) — so one reader understands every dead letter.
 */
function expectConnectHeaders(
  headers: Record<string, Buffer | string | undefined> | undefined,
  expected: { topic: string; partition: number; offset: string; stage: 'VALUE_CONVERTER' | 'TASK_PUT' },
): DeadLetterInfo {
  const info = readDeadLetterContext(headers);
  const got = `headers: ${Object.keys(headers ?? {}).join(', ') || 'none'}`;
  assertWithHint(
    (info.exceptionMessage ?? '').trim().length > 0,
    "Say why in Kafka Connect's header '__connect.errors.exception.message' (the error's message): build the headers with deadLetterHeaders() from @workshop/shared — README §6",
    got,
  );
  assertWithHint(
    info.topic === expected.topic && info.partition === expected.partition && info.offset === expected.offset,
    "Say where the record was: '__connect.errors.topic', '.partition' and '.offset' of the record read — deadLetterHeaders({ topic, partition, offset: message.offset, … }) — README §6",
    `expected ${expected.topic}/${expected.partition}@${expected.offset}, the headers say ${info.topic}/${info.partition}@${info.offset}`,
  );
  assertWithHint(
    info.stage === expected.stage && (info.connectorName ?? '').length > 0 && (info.exceptionClassName ?? '').length > 0,
    `Say at which stage it failed — '__connect.errors.stage' = ${expected.stage} (VALUE_CONVERTER: it could not be decoded; TASK_PUT: it decoded but cannot be stored) — and which sink: '__connect.errors.connector.name' — README §6`,
    `stage ${info.stage}, connector ${info.connectorName}, exception class ${info.exceptionClassName}`,
  );
  return info;
}

// -----------------------------------------------------------------------------------------------------------
describe('§5 a crash in the middle of the stream (npm start)', () => {
  interface Child {
    process: ChildProcess;
    output: string[];
    exited: Promise<number | string>;
  }

  /** npm start, as a separate process: the sink of the exercise (src/main.ts) on the test's names. */
  function startSinkProcess(args: Record<string, string | number>): Child {
    const argv = Object.entries(args).flatMap(([name, value]) => [`--${name}`, String(value)]);
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(process.env.WORKSHOP_EXERCISE_SRC!, 'main.ts'), ...argv], {
      cwd: repoRoot,
      env: { ...process.env, CLICKHOUSE_DATABASE: database, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => void output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? '?')));
    later(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    return { process: child, output, exited };
  }

  const lastLines = (child: Child) => child.output.slice(-6).join(' | ');
  const isRunning = (child: Child) => child.process.exitCode === null && child.process.signalCode === null;

  it('killed (SIGKILL) and started again: nothing lost, and no event twice with FINAL', async () => {
    const topic = await newTopic();
    const deadLetterTopic = await newTopic('test06_dlq');
    const name = 's7';
    const { table, view } = await newTablesWithView(name);
    const groupId = newGroup();
    const events = visits(110, 67);
    const [firstPart, secondPart] = [events.slice(0, 250), events.slice(250)];
    await produceAvroVisits(producer, registry, topic, firstPart);
    const sinkArgs = { topic, table, view, group: groupId, 'dead-letter-topic': deadLetterTopic, 'max-rows': 100 };

    // Run 1: two full batches of 100 are stored; the last 50 wait for a timer that never fires in time.
    const first = startSinkProcess({ ...sinkArgs, 'max-wait-ms': 120_000 });
    let seen = { committed: 0, stored: 0 };
    let overCommitted: typeof seen | undefined;
    const firstRun = await pollUntil(
      async () => {
        if (!isRunning(first)) return 'exited';
        // Committed first, stored second: whatever was committed by then must be stored by now.
        const done = await committed(groupId, topic);
        seen = { committed: done, stored: await distinctStored(table) };
        if (seen.committed > seen.stored) overCommitted ??= seen;
        return overCommitted || (seen.stored >= 200 && seen.committed >= 200) ? 'stored' : undefined;
      },
      {
        timeoutMs: 45_000,
        intervalMs: 100,
        hint: `The sink did not store and commit two full batches of 100 of ${firstPart.length} events — README §5`,
      },
    );
    assertWithHint(firstRun !== 'exited', 'The sink (src/main.ts) stopped by itself — its last lines below — README §5', lastLines(first));
    assertWithHint(
      !overCommitted,
      'Offsets were committed for records not yet stored: commit by hand (autoCommit: false) after each INSERT — a crash now loses them — README §5',
      `the group had committed ${overCommitted?.committed} records while the table held ${overCommitted?.stored}`,
    );
    first.process.kill('SIGKILL');
    await first.exited;

    // The stream goes on while the sink is down; run 2 picks up from the last commit.
    await produceAvroVisits(producer, registry, topic, secondPart);
    const second = startSinkProcess({ ...sinkArgs, 'max-wait-ms': 300 });
    const secondRun = await pollUntil(
      async () => {
        if (!isRunning(second)) return 'exited';
        return (await committed(groupId, topic)) === events.length ? 'caught up' : undefined;
      },
      { timeoutMs: 60_000, hint: 'After the restart the sink did not catch up with the topic — README §5' },
    );
    assertWithHint(secondRun !== 'exited', 'The restarted sink stopped by itself — its last lines below — README §5', lastLines(second));
    const distinct = await distinctStored(table);
    assertWithHint(
      distinct === events.length,
      'Events were lost in the crash: their offsets had been committed before they were stored. Commit only after the INSERT — README §5',
      `${events.length - distinct} of ${events.length} events missing`,
    );
    const stored = await storedEvents(table);
    await withHint('With FINAL every event shows exactly once — ReplacingMergeTree ORDER BY (session_id, count) — README §1', () =>
      expect(stored).toEqual([...events].sort(byPosition)),
    );
    await withHint('The per-minute view must match the events after the crash too — README §3', async () =>
      expect(await perMinute(view)).toEqual(expectedPerMinute(events)),
    );
    second.process.kill('SIGTERM');
    await pollUntil(() => (isRunning(second) ? undefined : true), {
      timeoutMs: 15_000,
      hint: 'npm start must stop on Ctrl-C: runSink().stop() stores what waits, commits, and stops the consumer — README §5',
    });
  }, 120_000);
});
