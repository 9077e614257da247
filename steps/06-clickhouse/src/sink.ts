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
  // TODO(step 06): a batcher whose flush inserts the batch's events, THEN commits its offsets (and calls
  // onBatch); subscribe (fromBeginning: true); consumer.run({ autoCommit: false, eachMessage }) where each
  // message is decoded (or dead-lettered) and added to the batcher. Return { stop, done }.
  // Then README §7: in the flush, checkRow() each event and store the rows that fit with insertIsolatingBadRows();
  // send the rows that do not fit, or that ClickHouse refused, to the dead-letter topic (stage TASK_PUT) BEFORE
  // the commit. README §8: wrap the INSERT, and the decoding, in retryWhileUnavailable() — an outage is waited
  // out (onOutage/onRecovered), never dead-lettered, never committed past.
  throw new Error('TODO: consume, batch, store, then commit in runSink() (README §5)');
}

/** Per partition, the offset after the batch's last record: Kafka's committed offset is the NEXT one to read. */
export function offsetsToCommit(topic: string, batch: Received[]): TopicPartitionOffsetAndMetadata[] {
  // TODO(step 06): per partition in the batch, the highest offset + 1, as a string.
  throw new Error('TODO: the offsets to commit after a stored batch in offsetsToCommit() (README §5)');
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
  // TODO(step 06): registry.decode(message.value); if that throws (and the registry is not simply down),
  // send the record — same key, value and headers — to the dead-letter topic with Kafka Connect's headers added:
  // deadLetterHeaders({ topic, partition, offset, connectorName, stage: 'VALUE_CONVERTER', className, error })
  // from @workshop/shared (README §6), and return null.
  throw new Error('TODO: decode the record, or send it to the dead-letter topic, in decodeOrDeadLetter() (README §6)');
}

/** The registry answered with an error other than "no such schema" (404), or did not answer at all. */
function registryUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && error.status !== 404;
}
