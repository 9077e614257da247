import type { ClickHouseClient } from '@clickhouse/client';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, KafkaMessage, Producer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { createBatcher } from './batcher.js';
import { insertButtonPresses, type AvroButtonPress } from './insert.js';

/**
 * Step 06 — the sink: a consumer group reads the Avro topic, decodes each record with the registry, and
 * stores the events in ClickHouse in batches, committing offsets only once a batch is stored.
 */
export interface SinkClients {
  /** Connected, in the sink's consumer group; the sink subscribes and runs it. */
  consumer: Consumer;
  /** Connected; sends what cannot be decoded to the dead-letter topic. */
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
}

export interface RunningSink {
  /** Stores what is waiting, commits it, and stops consuming. */
  stop(): Promise<void>;
  /** Resolves after stop(); rejects when the sink stopped by itself because a batch could not be stored. */
  done: Promise<void>;
}

/** One record read: where it was, and its event — or null when it went to the dead-letter topic. */
export interface Received {
  partition: number;
  offset: string;
  event: AvroButtonPress | null;
}

/**
 * README §5: runs the sink until stop(). Offsets are committed by hand (autoCommit: false), after the
 * INSERT: a crash between the two re-reads and re-inserts the batch, and the table collapses the copies
 * (ReplacingMergeTree). Commit first and a crash before the INSERT loses the batch for good.
 */
export async function runSink(clients: SinkClients, options: SinkOptions): Promise<RunningSink> {
  const { consumer, producer, registry, clickhouse } = clients;
  const { topic, table, deadLetterTopic, onBatch } = options;
  let stopping = false;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // the caller may never look; a failure is still theirs to see through `done`

  // #region store-then-commit
  async function storeBatch(batch: Received[]): Promise<void> {
    const started = Date.now();
    const events = batch.flatMap((received) => (received.event ? [received.event] : []));
    if (events.length > 0) await insertButtonPresses(clickhouse, table, events);
    // Only now: a committed offset promises "everything before it is stored" (dead letters: sent).
    await consumer.commitOffsets(offsetsToCommit(topic, batch));
    onBatch?.({ rows: events.length, deadLetters: batch.length - events.length, ms: Date.now() - started });
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
    eachMessage: async ({ partition, message }) => {
      if (stopping) return; // not committed: read again by the next run
      const event = await decodeOrDeadLetter(registry, producer, { topic, partition, message, deadLetterTopic });
      await batcher.add({ partition, offset: message.offset, event }).catch(fail);
    },
  });

  // #endregion consume-into-batcher
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
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

/**
 * README §6: decodes a record with the registry; a record that cannot be decoded (not Confluent wire
 * format, unknown schema id, broken Avro) goes to the dead-letter topic with the reason, and the sink
 * moves on: one bad record must not stop the pipeline. A registry that does not answer is another matter —
 * the record is fine — so that error is thrown and the consumer retries.
 */
export async function decodeOrDeadLetter(
  registry: SchemaRegistry,
  producer: Producer,
  record: { topic: string; partition: number; message: KafkaMessage; deadLetterTopic: string },
): Promise<AvroButtonPress | null> {
  const { topic, partition, message, deadLetterTopic } = record;
  try {
    return (await registry.decode(message.value as Buffer)) as AvroButtonPress;
  } catch (error) {
    if (registryUnavailable(error)) throw error;
    await producer.send({
      topic: deadLetterTopic,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            // Where it came from and why: enough to find it, fix the producer and replay it.
            'dlq.reason': error instanceof Error ? error.message : String(error),
            'dlq.topic': topic,
            'dlq.partition': String(partition),
            'dlq.offset': message.offset,
          },
        },
      ],
    });
    return null;
  }
}

/** The registry answered with an error other than "no such schema" (404), or did not answer at all. */
function registryUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && error.status !== 404;
}
