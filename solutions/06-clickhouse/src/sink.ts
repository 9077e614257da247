import type { ClickHouseClient } from '@clickhouse/client';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, KafkaMessage, Message, Producer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { deadLetterHeaders, type DeadLetterStage } from '@workshop/shared';
import { createBatcher } from './batcher.js';
import { checkRow } from './check-row.js';
import { insertButtonPresses, insertIsolatingBadRows, refusedForItsData, type AvroButtonPress } from './insert.js';
import { retryWhileUnavailable, type RetryOptions } from './retry.js';

/**
 * Step 06 — the sink: a consumer group reads the Avro topic, decodes each record with the registry, and
 * stores the events in ClickHouse in batches, committing offsets only once a batch is stored.
 */
export interface SinkClients {
  /** Connected, in the sink's consumer group; the sink subscribes and runs it. */
  consumer: Consumer;
  /** Connected; sends what cannot be decoded or stored to the dead-letter topic. */
  producer: Producer;
  registry: SchemaRegistry;
  clickhouse: ClickHouseClient;
}

export interface SinkOptions {
  topic: string;
  /** The events table (createEventTable). */
  table: string;
  deadLetterTopic: string;
  /** A batch is stored when this many records are waiting… */
  maxRows: number;
  /** …or when the first of them has waited this long. */
  maxWaitMs: number;
  /** Called after each batch is stored and committed (npm start prints it). */
  onBatch?: (batch: { rows: number; deadLetters: number; ms: number }) => void;
  /** The sink's name in its dead letters (`__connect.errors.connector.name`); default `clickhouse-sink`. */
  name?: string;
  /** Called once when a service stops answering: the sink waits and retries, storing and committing nothing… */
  onOutage?: (outage: { service: OutageService; error: unknown }) => void;
  /** …and once when it answers again (npm start prints both). */
  onRecovered?: (recovery: { service: OutageService; downMs: number }) => void;
  /** Waits between attempts during an outage: the first, doubling up to the last. Default 500 ms → 10 s. */
  retryDelays?: { firstMs: number; maxMs: number };
}

export type OutageService = 'ClickHouse' | 'schema registry';

export interface RunningSink {
  /** Stores what is waiting, commits it, and stops consuming. */
  stop(): Promise<void>;
  /** Resolves after stop(); rejects when the sink stopped by itself because a batch could not be stored. */
  done: Promise<void>;
}

/** One record read: where it was, the record itself, and its event — or null when it went to the dead-letter topic. */
export interface Received {
  partition: number;
  offset: string;
  message: KafkaMessage;
  event: AvroButtonPress | null;
}

/**
 * README §5: runs the sink until stop(). Offsets are committed by hand (autoCommit: false), after the
 * INSERT: a crash between the two re-reads and re-inserts the batch, and the table collapses the copies
 * (ReplacingMergeTree). Commit first and a crash before the INSERT loses the batch for good.
 */
export async function runSink(clients: SinkClients, options: SinkOptions): Promise<RunningSink> {
  const { consumer, producer, registry, clickhouse } = clients;
  const { topic, table, deadLetterTopic, onBatch, name = 'clickhouse-sink' } = options;
  let stopping = false;
  const stopped = new AbortController(); // stop() gives up waiting for a service that does not answer
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // the caller may never look; a failure is still theirs to see through `done`
  // The latest eachMessage's heartbeat: a batch waiting out an outage keeps the sink in its group with it.
  let heartbeat: () => Promise<void> = async () => undefined;

  /** README §8: waiting out `service`, reported once when it goes away and once when it is back. */
  function retrying(service: OutageService, unavailable: (error: unknown) => boolean): RetryOptions {
    const { firstMs = 500, maxMs = 10_000 } = options.retryDelays ?? {};
    return {
      unavailable,
      firstDelayMs: firstMs,
      maxDelayMs: maxMs,
      onOutage: (error) => options.onOutage?.({ service, error }),
      onRecovered: (downMs) => options.onRecovered?.({ service, downMs }),
      heartbeat: () => heartbeat(),
      signal: stopped.signal,
    };
  }

  /** Rows refused at the INSERT (stage TASK_PUT, as Connect's sinks name it), in one send. */
  async function sendDeadLetters(refused: { received: Received; error: unknown }[]): Promise<void> {
    if (refused.length === 0) return;
    await producer.send({
      topic: deadLetterTopic,
      messages: refused.map(({ received, error }) =>
        deadLetter({ topic, partition: received.partition, message: received.message }, { connectorName: name, stage: 'TASK_PUT', error }),
      ),
    });
  }

  /** One INSERT of `rows`, waiting out a ClickHouse outage (§8); an error about the rows themselves is thrown at once. */
  function insertWaitingOutOutages(rows: Received[]): Promise<void> {
    return retryWhileUnavailable(
      () => insertButtonPresses(clickhouse, table, rows.map((received) => received.event!)),
      retrying('ClickHouse', (error) => !refusedForItsData(error)),
    );
  }

  // #region store-then-commit
  async function storeBatch(batch: Received[]): Promise<void> {
    const started = Date.now();
    // README §7: rows that do not fit the table are set aside before the INSERT…
    const { fitting, misfits } = setAsideMisfits(batch);
    // …rows ClickHouse still refuses are isolated by splitting the batch.
    const refused = await insertIsolatingBadRows(fitting, insertWaitingOutOutages);
    await sendDeadLetters([...misfits, ...refused.map(({ row, error }) => ({ received: row, error }))]);
    // Only now: a committed offset promises "everything before it is stored or dead-lettered".
    await consumer.commitOffsets(offsetsToCommit(topic, batch));
    const rows = fitting.length - refused.length;
    onBatch?.({ rows, deadLetters: batch.length - rows, ms: Date.now() - started });
  }

  // #endregion store-then-commit
  /** A batch that cannot be stored stops the sink: reading on would commit past the rows it lost. */
  function fail(error: unknown): void {
    if (stopping) return;
    stopping = true;
    // Either way the batch's error is the one to report; a failing stop() must not become an unhandled
    // rejection, which would take the whole process (npm start) down.
    consumer.stop().then(
      () => settle.reject(error),
      () => settle.reject(error),
    );
  }

  // #region consume-into-batcher
  const { maxRows, maxWaitMs } = options;
  const batcher = createBatcher<Received>({ maxRows, maxWaitMs, flush: storeBatch, onError: fail });

  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async (payload) => {
      const { partition, message } = payload;
      if (stopping) return; // not committed: read again by the next run
      heartbeat = payload.heartbeat;
      try {
        // A registry that does not answer is an outage too: the record waits, and is decoded once it is back.
        const event = await retryWhileUnavailable(
          () => decodeOrDeadLetter(registry, producer, { topic, partition, message, deadLetterTopic, connectorName: name }),
          retrying('schema registry', registryUnavailable),
        );
        await batcher.add({ partition, offset: message.offset, message, event });
      } catch (error) {
        fail(error); // nothing when stop() gave up waiting: the record is not committed, the next run reads it
      }
    },
  });

  // #endregion consume-into-batcher
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        stopped.abort(); // a batch waiting out an outage gives up: it stays uncommitted, for the next run
        try {
          await batcher.flush(); // still in the group: the last batch's offsets can be committed
          await consumer.stop();
          settle.resolve();
        } catch (error) {
          await consumer.stop();
          settle.reject(error);
        }
      }
      return done;
    },
    done,
  };
}

/** Per partition, the offset after the batch's last record: Kafka's committed offset is the NEXT one to read. */
export function offsetsToCommit(topic: string, batch: Received[]): TopicPartitionOffsetAndMetadata[] {
  const next = new Map<number, bigint>();
  for (const { partition, offset } of batch) {
    const after = BigInt(offset) + 1n;
    if (after > (next.get(partition) ?? -1n)) next.set(partition, after);
  }
  return [...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() }));
}

/** README §7: the rows that fit the table, and those that do not with the reason (dead letters already sent are neither). */
export function setAsideMisfits(batch: Received[]): { fitting: Received[]; misfits: { received: Received; error: Error }[] } {
  const fitting: Received[] = [];
  const misfits: { received: Received; error: Error }[] = [];
  for (const received of batch) {
    if (!received.event) continue; // already a dead letter (§6)
    const problem = checkRow(received.event);
    if (problem) misfits.push({ received, error: Object.assign(new Error(problem), { name: 'RowDoesNotFitTable' }) });
    else fitting.push(received);
  }
  return { fitting, misfits };
}

/**
 * README §6: decodes a record with the registry; a record that cannot be decoded (not Confluent wire
 * format, unknown schema id, broken Avro) goes to the dead-letter topic with the reason, and the sink
 * moves on: one bad record must not stop the pipeline. A registry that does not answer is another matter —
 * the record is fine — so that error is thrown, and the sink tries again (README §8).
 */
export async function decodeOrDeadLetter(
  registry: SchemaRegistry,
  producer: Producer,
  record: { topic: string; partition: number; message: KafkaMessage; deadLetterTopic: string; connectorName?: string },
): Promise<AvroButtonPress | null> {
  const { topic, partition, message, deadLetterTopic, connectorName = 'clickhouse-sink' } = record;
  try {
    return (await registry.decode(message.value as Buffer)) as AvroButtonPress;
  } catch (error) {
    if (registryUnavailable(error)) throw error;
    await producer.send({
      topic: deadLetterTopic,
      messages: [deadLetter({ topic, partition, message }, { connectorName, stage: 'VALUE_CONVERTER', error })],
    });
    return null;
  }
}

/**
 * A dead letter: the record as it was — same key, value and headers, so it can be replayed once fixed — plus
 * Kafka Connect's context headers (where it came from, which stage refused it, and why), the scheme the JDBC
 * sink of step 05 writes too: one reader understands both (shared/src/dead-letters.ts).
 */
function deadLetter(
  record: { topic: string; partition: number; message: KafkaMessage },
  why: { connectorName: string; stage: DeadLetterStage; error: unknown },
): Message {
  const { topic, partition, message } = record;
  const className = why.stage === 'TASK_PUT' ? 'sink.ts#storeBatch' : 'sink.ts#decodeOrDeadLetter';
  return {
    key: message.key,
    value: message.value,
    headers: { ...message.headers, ...deadLetterHeaders({ topic, partition, offset: message.offset, className, ...why }) },
  };
}

/** The registry answered with an error other than "no such schema" (404), or did not answer at all. */
function registryUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && error.status !== 404;
}
