import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  defaultNames,
  loadConfig,
  namesFor,
  participantVariable,
} from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { pollUntil } from '@workshop/shared/testing';
import { namespaceObjects, removeNamespace, roomView } from '../../src/room/namespace-objects.js';
import { isGreen, rehearsalTag, rehearse } from '../../src/room/rehearsal.js';

/**
 * Room mode's promise (issue 17): two participants on one stack never touch each other's objects, nor the default
 * names. Alice and Bob run steps 02–06's tests on the reference solutions side by side (their runs interleave), then the
 * steps' own programs on the names a participant works with — step 05's npm start (topic, subject, connector, table) and
 * step 06's sink (consumer group, ClickHouse database) — at the same time. Then each one's objects are found under her
 * names only, hold her records only, and the default names are as they were.
 */
const config = loadConfig();
const room = roomView(config);
const tag = rehearsalTag();
const participants = [`alice-${tag}`, `bob-${tag}`] as const;
const steps = ['02-produce-json', '03-consume', '04-avro', '05-postgres-sink', '06-clickhouse'];

interface DefaultState {
  subjectVersions: string;
  connectorConfig: string;
  postgresRows: number | null;
  clickhouseRows: number | null;
}

/** What the default names hold now: none of it may change while only participants work. */
async function defaultState(): Promise<DefaultState> {
  const subject = await fetch(`${room.schemaRegistry.url}/subjects/${encodeURIComponent(defaultNames.avroSubject)}/versions`);
  const connector = await createConnectRestClient(room).getConnectorConfig(defaultNames.postgresSinkConnector);
  const pool = createPostgresPool(room, { max: 1 });
  const clickhouse = createClickHouse(room, { database: defaultNames.clickhouseDatabase, quiet: true });
  try {
    const postgresRows = await pool
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${pg.escapeIdentifier(defaultNames.table)}`)
      .then((result) => result.rows[0]!.n)
      .catch(() => null);
    const clickhouseRows = await clickhouse
      .query({ query: `SELECT count() AS n FROM ${defaultNames.table}`, format: 'JSONEachRow' })
      .then(async (result) => Number(((await result.json()) as { n: string }[])[0]!.n))
      .catch(() => null);
    return {
      subjectVersions: subject.ok ? await subject.text() : `HTTP ${subject.status}`,
      connectorConfig: JSON.stringify(connector ?? null),
      postgresRows,
      clickhouseRows,
    };
  } finally {
    await pool.end();
    await clickhouse.close();
  }
}

/** The keys (session ids) of every record in `topic` (none when it does not exist), read by the room's own client. */
async function topicKeys(topic: string): Promise<Set<string>> {
  const kafka = createKafka(room);
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.disconnect();
    return new Set();
  }
  const end = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  const groupId = `test-room-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  const keys = new Set<string>();
  let seen = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen += 1;
        if (message.key) keys.add(message.key.toString());
      },
    });
    await pollUntil(() => seen >= end || undefined, { timeoutMs: 30_000, hint: `read only ${seen} of ${end} records of ${topic}` });
    return keys;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Runs a solution's program as `participant`; resolves with its exit code and output. */
function runAs(participant: string, file: string, args: string[] = [], stopWhen?: () => Promise<boolean>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, file), ...args], {
      cwd: repoRoot,
      env: { ...process.env, [participantVariable]: participant, WORKSHOP_BOARD: 'off', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
    if (stopWhen) {
      void pollUntil(async () => (await stopWhen()) || undefined, { timeoutMs: 90_000, intervalMs: 1000, hint: 'never' })
        .catch(() => undefined)
        .finally(() => child.kill('SIGINT'));
    }
  });
}

async function postgresSessions(participant: string): Promise<string[]> {
  const pool = createPostgresPool(room, { max: 1 });
  try {
    const names = namesFor(participant);
    const result = await pool.query<{ session_id: string }>(
      `SELECT DISTINCT session_id::text FROM ${pg.escapeIdentifier(names.postgresSchema)}.${pg.escapeIdentifier(names.table)}`,
    );
    return result.rows.map((row) => row.session_id);
  } finally {
    await pool.end();
  }
}

async function clickhouseSessions(participant: string): Promise<string[]> {
  const names = namesFor(participant);
  const clickhouse = createClickHouse(room, { database: names.clickhouseDatabase, quiet: true });
  try {
    const result = await clickhouse.query({
      query: `SELECT DISTINCT toString(session_id) AS id FROM ${names.table}`,
      format: 'JSONEachRow',
    });
    return ((await result.json()) as { id: string }[]).map((row) => row.id);
  } catch {
    return [];
  } finally {
    await clickhouse.close();
  }
}

let before: DefaultState;
beforeAll(async () => {
  before = await defaultState();
});
afterAll(async () => {
  if (process.env.KEEP_NAMESPACES) return;
  for (const participant of participants) await removeNamespace(config, participant).catch(() => undefined);
});

describe('participant namespaces on one stack (room mode)', () => {
  it('two participants’ step tests 02–06, interleaved, all pass on the reference solutions', { timeout: 15 * 60_000 }, async () => {
    const results = await rehearse({ participants: [...participants], steps, extraEnv: { WORKSHOP_BOARD: 'off' } });
    const red = results.flatMap((result) =>
      result.runs
        .filter((run) => !isGreen(run))
        .map((run) => `${result.participant} ${run.step}: ${run.outcome.firstFailingTest} — ${run.outcome.firstFailure?.split('\n')[0]}`),
    );
    expect(red).toEqual([]);
    // Step 02's tests send to the participant's JSON topic (workshopNames.jsonTopic): each has her own.
    for (const participant of participants) {
      expect((await namespaceObjects(config, participant)).topics).toContain(namesFor(participant).jsonTopic);
    }
  });

  it('each one’s npm start (step 05) and sink (step 06), at the same time, work on her objects only', { timeout: 5 * 60_000 }, async () => {
    const starts = await Promise.all(
      participants.map((participant) => runAs(participant, 'solutions/05-postgres-sink/src/main.ts', ['10'])),
    );
    for (const start of starts) expect(start.code, start.output).toBe(0);
    const sinks = await Promise.all(
      participants.map((participant) =>
        runAs(participant, 'solutions/06-clickhouse/src/main.ts', [], async () => {
          const [inPostgres, inClickHouse] = await Promise.all([postgresSessions(participant), clickhouseSessions(participant)]);
          return inPostgres.length > 0 && inClickHouse.length >= inPostgres.length;
        }),
      ),
    );
    for (const sink of sinks) expect(sink.output).toMatch(/Sink .* → ClickHouse workshop_/);

    for (const [participant, other] of [participants, [...participants].reverse()] as const) {
      const names = namesFor(participant);
      const objects = await namespaceObjects(config, participant);
      expect(objects.topics).toEqual(expect.arrayContaining([names.avroTopic, names.deadLetterTopic]));
      expect(objects.subjects).toContain(names.avroSubject);
      expect(objects.connectors).toEqual([names.postgresSinkConnector]);
      expect(objects.groups).toContain(`${names.kafkaPrefix}clickhouse-sink`);
      expect(objects.postgresTables).toContain(names.table);
      expect(objects.clickhouseTables).toEqual(expect.arrayContaining([names.table, names.pressesPerMinuteView]));

      // Her connector reads her topic into her schema, and dead-letters to her topic.
      const connector = await createConnectRestClient(room).getConnectorConfig(names.postgresSinkConnector);
      expect(connector?.topics).toBe(names.avroTopic);
      expect(connector?.['connection.url']).toContain(`currentSchema=${names.postgresSchema}`);
      expect(connector?.['errors.deadletterqueue.topic.name']).toBe(names.deadLetterTopic);
      // Qualified by the kit on her behalf: Debezium looks an unqualified table up in every schema (participant-clients.ts).
      expect(connector?.['collection.name.format']).toBe(`${names.postgresSchema}.${names.table}`);

      // Her rows, in PostgreSQL and ClickHouse, are her records — none of the other's, none from the default topic.
      const [mine, theirs, defaults] = await Promise.all([
        topicKeys(names.avroTopic),
        topicKeys(namesFor(other).avroTopic),
        topicKeys(defaultNames.avroTopic),
      ]);
      const inPostgres = await postgresSessions(participant);
      const inClickHouse = await clickhouseSessions(participant);
      expect(inPostgres.length).toBeGreaterThan(0);
      expect(inPostgres.filter((id) => !mine.has(id))).toEqual([]);
      expect(inClickHouse.filter((id) => !mine.has(id))).toEqual([]);
      expect([...mine].filter((id) => theirs.has(id) || defaults.has(id))).toEqual([]);

      // Her sink's group is hers: the default group has no offsets on her topic.
      const admin = createKafka(room).admin();
      await admin.connect();
      try {
        const [defaultGroupOnHerTopic] = await admin.fetchOffsets({ groupId: 'clickhouse-sink', topics: [names.avroTopic] });
        expect(defaultGroupOnHerTopic!.partitions.every((partition) => partition.offset === '-1')).toBe(true);
      } finally {
        await admin.disconnect();
      }
    }

    // The default names: the same subject versions, connector, rows as before the two of them worked.
    expect(await defaultState()).toEqual(before);
  });
  it('npm run stack:reset -- --participant alice empties her namespace and nobody else’s', { timeout: 3 * 60_000 }, async () => {
    const [alice, bob] = participants;
    const bobBefore = await namespaceObjects(config, bob);
    const reset = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'infra/src/commands/stack.ts'), 'reset', '--participant', alice],
        {
          cwd: repoRoot,
          env: { ...process.env, [participantVariable]: '', FORCE_COLOR: '0' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(reset.code, reset.output).toBe(0);
    const aliceAfter = await namespaceObjects(config, alice);
    expect(aliceAfter).toMatchObject({ topics: [], subjects: [], connectors: [], postgresTables: [], clickhouseTables: [] });
    expect(await namespaceObjects(config, bob)).toEqual(bobBefore);
    expect(await defaultState()).toEqual(before);
  });
});
