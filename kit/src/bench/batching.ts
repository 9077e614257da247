import { Partitioners } from 'kafkajs';
import { insertButtonPresses } from '../../../solutions/06-clickhouse/src/insert.js';
import { toAvroValue } from '../../../solutions/04-avro/src/produce.js';
import { benchEvents, type BenchContext } from './bench-context.js';
import { createBenchClickHouseTable } from './clickhouse-sink.js';
import type { ComparisonMeasure } from './report.js';

/**
 * The teaching ratios: what batching buys, one way against the other in the same run.
 *  - ClickHouse (step 06): one INSERT per event vs batches of 1000;
 *  - Kafka (step 02): an awaited send() per event, one at a time, vs one send() for the whole batch.
 */
async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

export async function measureClickHouseBatching(
  context: BenchContext,
  options: { batched: number; single: number },
): Promise<ComparisonMeasure> {
  const table = await createBenchClickHouseTable(context, 'inserts');
  const batch = benchEvents(options.batched).map(toAvroValue);
  const single = benchEvents(options.single).map(toAvroValue);
  const batchSeconds = await timed(async () => {
    for (let i = 0; i < batch.length; i += 1000) await insertButtonPresses(context.clickhouse, table, batch.slice(i, i + 1000));
  });
  const singleSeconds = await timed(async () => {
    for (const row of single) await insertButtonPresses(context.clickhouse, table, [row]);
  });
  return {
    kind: 'comparison',
    id: 'clickhouse-batching',
    title: 'Teaching, step 06: one INSERT per event vs batches of 1000',
    unit: 'rows',
    slow: { count: single.length, seconds: singleSeconds, how: 'one by one' },
    fast: { count: batch.length, seconds: batchSeconds, how: 'batches' },
  };
}

export async function measureKafkaBatching(
  context: BenchContext,
  options: { batched: number; single: number },
): Promise<ComparisonMeasure> {
  const topic = await context.createTopic('json');
  // Step 02's JSON producer: its own, with the Java client's partitioner.
  const producer = context.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const toMessage = (event: { session_id: string }) => ({ key: event.session_id, value: JSON.stringify(event) });
    const batch = benchEvents(options.batched).map(toMessage);
    const single = benchEvents(options.single).map(toMessage);
    const batchSeconds = await timed(async () => void (await producer.send({ topic, messages: batch })));
    const singleSeconds = await timed(async () => {
      for (const message of single) await producer.send({ topic, messages: [message] });
    });
    return {
      kind: 'comparison',
      id: 'kafka-batching',
      title: 'Teaching, step 02: an awaited send() per event vs one send() for the batch',
      unit: 'records',
      slow: { count: single.length, seconds: singleSeconds, how: 'one by one' },
      fast: { count: batch.length, seconds: batchSeconds, how: 'one send()' },
    };
  } finally {
    await producer.disconnect();
  }
}
