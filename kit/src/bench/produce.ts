import { produceVisits, toAvroValue } from '../../../solutions/04-avro/src/produce.js';
import { produceEvent } from '../../../solutions/08-button-app/src/produce.js';
import { benchEvents, producerSendingTo, type BenchContext } from './bench-context.js';
import { runProducerPerformance, type ProducerPerformanceResult } from './producer-performance.js';
import { latencyOf, type RatioMeasure } from './report.js';

/** The Avro event's size on the wire (Confluent header + body), averaged: ProducerPerformance sends records this big. */
export async function averageAvroSize(context: BenchContext, sample = 1000): Promise<number> {
  const events = benchEvents(sample);
  const sizes = await Promise.all(
    events.map(async (event) => (await context.registry.encode(context.schemaId, toAvroValue(event))).length),
  );
  return Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length);
}

/** Kafka's own producer: the limit of both produce rows, measured once per run. */
export async function measureKafkaLimit(
  context: BenchContext,
  records: number,
): Promise<ProducerPerformanceResult & { recordSize: number }> {
  const recordSize = await averageAvroSize(context);
  const topic = await context.createTopic('limit');
  const result = await runProducerPerformance(context.config, { topic, records, recordSize, log: context.log });
  return { ...result, recordSize };
}

/** Build item 1: step 04's produceVisits, one batch after another, against ProducerPerformance (same size, count, acks=all, partitions). */
export async function measureProduce(
  context: BenchContext,
  limit: ProducerPerformanceResult & { recordSize: number },
  options: { records: number; batch: number },
): Promise<RatioMeasure> {
  const topic = await context.createTopic('produce');
  const events = benchEvents(options.records);
  const started = performance.now();
  for (let i = 0; i < events.length; i += options.batch) {
    // Encoding is part of the kit's work: produceVisits encodes each event with the registry, then sends the batch.
    await produceVisits(context.producer, context.registry, topic, context.schemaId, events.slice(i, i + options.batch));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'ratio',
    id: 'produce',
    title: `Produce: step 04 produceVisits, batches of ${options.batch}, acks=all`,
    unit: 'records',
    kit: { count: events.length, seconds, how: 'kafkajs' },
    limit: kafkaLimit(limit),
    minRatio: 0.5,
  };
}

/**
 * Build item 2, first half: step 08's produceEvent — one awaited send per press, as the app sends them —
 * with `inFlight` presses at a time (a room pressing at once), against the same ProducerPerformance limit.
 */
export async function measureButtonSends(
  context: BenchContext,
  limit: ProducerPerformanceResult & { recordSize: number },
  options: { records: number; inFlight: number },
): Promise<RatioMeasure> {
  const topic = await context.createTopic('sends');
  const producer = producerSendingTo(context.producer, topic);
  const events = benchEvents(options.records);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const pressing = async () => {
    for (let event = events[next++]; event !== undefined; event = events[next++]) {
      const sent = performance.now();
      await produceEvent(producer, context.registry, context.schemaId, event);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, pressing));
  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'ratio',
    id: 'button-sends',
    title: `Button app's send: step 08 produceEvent, ${options.inFlight} presses in flight`,
    unit: 'records',
    kit: { count: events.length, seconds, how: 'kafkajs', latency: latencyOf(latencies) },
    limit: kafkaLimit(limit),
    minRatio: 0.1,
  };
}

function kafkaLimit(limit: ProducerPerformanceResult & { recordSize: number }): RatioMeasure['limit'] {
  return {
    count: limit.records,
    seconds: limit.records / limit.recordsPerSecond,
    how: `ProducerPerformance, ${limit.recordSize} B records`,
  };
}
