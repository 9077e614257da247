import type { StoredKey } from './accounting.js';
import type { Acknowledgement } from './press-driver.js';

/**
 * Whether both sinks hold every event the app acknowledged until a moment: the "recovered" of a fault. Only the events
 * not yet seen in both are asked for again, so a check under load stays small.
 */
export interface CatchUp {
  /** Waits until PostgreSQL and ClickHouse both hold every event acknowledged at or before `cutoff` (ms); false on timeout. */
  waitFor(cutoff: number, timeoutMs: number, shouldStop?: () => boolean): Promise<boolean>;
}

const keyOf = (sessionId: string, count: number) => `${sessionId.toLowerCase()}/${count}`;

export function catchUp(
  acknowledged: readonly Acknowledgement[],
  read: { postgres: (sessionIds: string[]) => Promise<StoredKey[]>; clickhouse: (sessionIds: string[]) => Promise<StoredKey[]> },
  pollMs = 1000,
): CatchUp {
  const seen = { postgres: new Set<string>(), clickhouse: new Set<string>() };
  return {
    async waitFor(cutoff, timeoutMs, shouldStop = () => false) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const missing = acknowledged.filter(
          (ack) =>
            ack.at <= cutoff &&
            !(seen.postgres.has(keyOf(ack.sessionId, ack.count)) && seen.clickhouse.has(keyOf(ack.sessionId, ack.count))),
        );
        if (missing.length === 0) return true;
        if (Date.now() > deadline || shouldStop()) return false;
        const sessions = [...new Set(missing.map((ack) => ack.sessionId))];
        for (const sink of ['postgres', 'clickhouse'] as const) {
          // A sink's database may be the one that is away: ask again at the next poll.
          const rows = await read[sink](sessions).catch(() => []);
          for (const row of rows) seen[sink].add(keyOf(row.sessionId, row.count));
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
