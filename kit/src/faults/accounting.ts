/**
 * What `npm run faults` concludes from what it saw: the app's acknowledgements against the rows PostgreSQL and
 * ClickHouse hold and the records the dead-letter topic holds, by (session_id, count). Pure — the suite hands in
 * plain lists, this module counts — so a unit test checks the verdicts, the table and the JSON without a stack.
 */

export type SinkName = 'postgres' | 'clickhouse';
export const sinkNames: SinkName[] = ['postgres', 'clickhouse'];

/** One phase of the run: the steady load alone, or one fault under load. */
export interface PhaseRecord {
  /** e.g. "kill -9 Connect worker". */
  fault: string;
  startedAt: number;
  endedAt: number;
  /** From the fault to the moment both sinks held everything acknowledged until the service was back; null: never. */
  recoverMs: number | null;
  /** What happened on the way (a sink that stopped by itself, a service slow to come back). */
  notes: string[];
}

/** An event the app acknowledged: its answer said Kafka had it. */
export interface AcknowledgedEvent {
  sessionId: string;
  count: number;
  /** The phase during which the answer arrived (index into the phases). */
  phase: number;
}

/** A row as a sink stored it: the event's identity. */
export interface StoredKey {
  sessionId: string;
  count: number;
}

/** A record of the dead-letter topic: which sink sent it, and where the original record was. */
export interface DeadLetter {
  sink: SinkName;
  topic: string;
  partition: number;
  offset: string;
  /** Kafka timestamp of the dead letter (ms). */
  at: number;
}

/** A poison record the suite wrote straight into the topic. */
export interface PoisonRecord {
  kind: string;
  partition: number;
  offset: string;
}

export interface PhaseRow {
  fault: string;
  acknowledged: number;
  inPostgres: number;
  inClickHouse: number;
  /** Acknowledged events missing from PostgreSQL or ClickHouse (an event missing from both counts once). */
  lost: number;
  lostInPostgres: number;
  lostInClickHouse: number;
  /** Extra copies of an acknowledged event a reader sees (PostgreSQL as is, ClickHouse with FINAL). */
  duplicates: number;
  /** Dead letters written during the phase. */
  deadLettered: number;
  recoverMs: number | null;
  notes: string[];
}

export interface PoisonVerdict {
  kind: string;
  partition: number;
  offset: string;
  /** Per sink: whether it sent this record to the dead-letter topic. */
  deadLettered: Record<SinkName, boolean>;
}

export interface FaultReport {
  startedAt: string;
  quick: boolean;
  eventsPerSecond: number;
  phases: PhaseRow[];
  poison: PoisonVerdict[];
  totals: {
    acknowledged: number;
    lost: number;
    duplicates: number;
    /** Poison records × sinks that dead-lettered them, out of poison records × sinks. */
    poisonDeadLettered: number;
    poisonExpected: number;
    /** Faults after which the sinks did not catch up in time. */
    unrecovered: number;
  };
  ok: boolean;
}

const keyOf = (sessionId: string, count: number) => `${sessionId.toLowerCase()}/${count}`;

/** How many times each key appears. */
function tally(keys: StoredKey[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const { sessionId, count } of keys) {
    const key = keyOf(sessionId, count);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

export function accountFaults(input: {
  startedAt: string;
  quick: boolean;
  eventsPerSecond: number;
  phases: PhaseRecord[];
  acknowledged: AcknowledgedEvent[];
  postgres: StoredKey[];
  clickhouse: StoredKey[];
  deadLetters: DeadLetter[];
  poison: PoisonRecord[];
  /** The topic the poison went to (dead letters name it as their origin). */
  topic: string;
}): FaultReport {
  const inPostgres = tally(input.postgres);
  const inClickHouse = tally(input.clickhouse);
  // The same press acknowledged twice would be one event, not two: count each key once, in its first phase.
  const firstPhase = new Map<string, number>();
  for (const ack of input.acknowledged) {
    const key = keyOf(ack.sessionId, ack.count);
    if (!firstPhase.has(key)) firstPhase.set(key, ack.phase);
  }

  const rows: PhaseRow[] = input.phases.map((phase) => ({
    fault: phase.fault,
    acknowledged: 0,
    inPostgres: 0,
    inClickHouse: 0,
    lost: 0,
    lostInPostgres: 0,
    lostInClickHouse: 0,
    duplicates: 0,
    deadLettered: input.deadLetters.filter((letter) => letter.at >= phase.startedAt && letter.at < phase.endedAt).length,
    recoverMs: phase.recoverMs,
    notes: phase.notes,
  }));
  for (const [key, phase] of firstPhase) {
    const row = rows[phase];
    if (!row) continue;
    const pg = inPostgres.get(key) ?? 0;
    const ch = inClickHouse.get(key) ?? 0;
    row.acknowledged += 1;
    if (pg > 0) row.inPostgres += 1;
    else row.lostInPostgres += 1;
    if (ch > 0) row.inClickHouse += 1;
    else row.lostInClickHouse += 1;
    if (pg === 0 || ch === 0) row.lost += 1;
    row.duplicates += Math.max(0, pg - 1) + Math.max(0, ch - 1);
  }

  const poison = input.poison.map((record) => {
    const by = (sink: SinkName) =>
      input.deadLetters.some(
        (letter) =>
          letter.sink === sink && letter.topic === input.topic && letter.partition === record.partition && letter.offset === record.offset,
      );
    return { ...record, deadLettered: { postgres: by('postgres'), clickhouse: by('clickhouse') } };
  });
  const sum = (pick: (row: PhaseRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const poisonDeadLettered = poison.reduce((total, verdict) => total + sinkNames.filter((sink) => verdict.deadLettered[sink]).length, 0);
  const totals = {
    acknowledged: sum((row) => row.acknowledged),
    lost: sum((row) => row.lost),
    duplicates: sum((row) => row.duplicates),
    poisonDeadLettered,
    poisonExpected: poison.length * sinkNames.length,
    unrecovered: rows.filter((row) => row.recoverMs === null).length,
  };
  return {
    startedAt: input.startedAt,
    quick: input.quick,
    eventsPerSecond: input.eventsPerSecond,
    phases: rows,
    poison,
    totals,
    ok:
      totals.acknowledged > 0 &&
      totals.lost === 0 &&
      totals.duplicates === 0 &&
      totals.unrecovered === 0 &&
      totals.poisonDeadLettered === totals.poisonExpected,
  };
}

/** Where a dead letter came from, from its headers: Kafka Connect's scheme (`__connect.errors.*`), or the older `dlq.*`. */
export function deadLetterOrigin(
  headers: Record<string, string | undefined>,
  postgresConnector: string,
): Omit<DeadLetter, 'at'> | undefined {
  const connect = headers['__connect.errors.topic'] !== undefined;
  const topic = connect ? headers['__connect.errors.topic'] : headers['dlq.topic'];
  const partition = connect ? headers['__connect.errors.partition'] : headers['dlq.partition'];
  const offset = connect ? headers['__connect.errors.offset'] : headers['dlq.offset'];
  if (topic === undefined || partition === undefined || offset === undefined) return undefined;
  // Connect names the connector; the ClickHouse sink is the only other writer of the dead-letter topic.
  const sink: SinkName = headers['__connect.errors.connector.name'] === postgresConnector ? 'postgres' : 'clickhouse';
  return { sink, topic, partition: Number(partition), offset };
}
