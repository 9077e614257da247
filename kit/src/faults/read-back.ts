import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { workshopNames } from '@workshop/shared';
import { deadLetterOrigin, type DeadLetter, type StoredKey } from './accounting.js';

/** Reading back what the sinks stored and what went to the dead-letter topic, for the suite's comparison. */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The rows of these visits in PostgreSQL, every copy (a duplicate shows twice). */
export async function postgresKeys(db: pg.Pool, sessionIds: string[]): Promise<StoredKey[]> {
  const ids = sessionIds.filter((id) => uuidPattern.test(id));
  if (ids.length === 0) return [];
  const result = await db.query<{ session_id: string; count: number }>(
    `SELECT session_id::text AS session_id, count FROM ${workshopNames.table} WHERE session_id = ANY($1::uuid[])`,
    [ids],
  );
  return result.rows.map((row) => ({ sessionId: row.session_id, count: Number(row.count) }));
}

/** The rows of these visits in ClickHouse as a reader sees them: with FINAL (copies not merged yet collapse). */
export async function clickhouseKeys(clickhouse: ClickHouseClient, sessionIds: string[]): Promise<StoredKey[]> {
  const ids = sessionIds.filter((id) => uuidPattern.test(id));
  const keys: StoredKey[] = [];
  // In slices: the server takes a query of a few hundred kB at most.
  for (let start = 0; start < ids.length; start += 2000) {
    // The ids inline, not as a query parameter: parameters travel in the URL, which the native stack's ClickHouse
    // server cuts off (the connection reset at 2000 ids), and its Array(UUID) parameter matched nothing. Safe to
    // inline: uuidPattern admits hex digits and dashes only.
    const list = ids
      .slice(start, start + 2000)
      .map((id) => `'${id}'`)
      .join(',');
    const result = await clickhouse.query({
      query: `SELECT toString(session_id) AS session_id, count FROM ${workshopNames.table} FINAL WHERE toString(session_id) IN (${list})`,
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ session_id: string; count: number }>())
      keys.push({ sessionId: row.session_id, count: Number(row.count) });
  }
  return keys;
}

/** Per partition, the end offset of a topic now: where records written from now on start. */
export async function topicEnds(admin: Admin, topic: string): Promise<Map<number, string>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
}

export interface DeadLetterWatch {
  /** What has been read so far. */
  letters(): DeadLetter[];
  /** Once every dead letter written until now is read (or after `timeoutMs`): what has been read. */
  readToEnd(timeoutMs: number): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

/**
 * Reads the dead letters written from `from` on (per partition), as they come, with where each original record was —
 * with a consumer of a throw-away group, deleted when it stops.
 */
export async function watchDeadLetters(kafka: Kafka, admin: Admin, from: Map<number, string>): Promise<DeadLetterWatch> {
  const topic = workshopNames.deadLetterTopic;
  const letters: DeadLetter[] = [];
  const position = new Map(from);
  const groupId = `faults-dead-letters-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (BigInt(message.offset) < BigInt(from.get(partition) ?? '0')) return;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()]));
      const origin = deadLetterOrigin(headers, workshopNames.postgresSinkConnector);
      if (origin) letters.push({ ...origin, at: Number(message.timestamp) });
      position.set(partition, (BigInt(message.offset) + 1n).toString());
    },
  });
  for (const [partition, offset] of from) consumer.seek({ topic, partition, offset });
  return {
    letters: () => [...letters],
    async readToEnd(timeoutMs) {
      const ends = await topicEnds(admin, topic);
      const deadline = Date.now() + timeoutMs;
      const behind = () => [...ends].some(([partition, end]) => BigInt(position.get(partition) ?? '0') < BigInt(end));
      while (behind() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      return [...letters];
    },
    async stop() {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    },
  };
}
