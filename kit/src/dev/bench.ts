import { Partitioners } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { createClickHouse, createKafka, seededSampleVisits, workshopNames, type ButtonPressEvent, type WorkshopConfig } from '@workshop/shared';
import { createEventTable } from '../../../solutions/06-clickhouse/src/tables.js';
import { insertButtonPresses } from '../../../solutions/06-clickhouse/src/insert.js';

/**
 * `npm run bench` — what the workshop claims about speed, measured as RATIOS within one run (a busy
 * laptop slows both sides alike; absolute numbers only describe this machine at this minute):
 *  - ClickHouse: one INSERT per batch vs one INSERT per event (step 06);
 *  - Kafka: one send() for a batch vs an awaited send() per event (step 02).
 */
export interface BenchResult {
  name: string;
  fast: { label: string; perSecond: number };
  slow: { label: string; perSecond: number };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

function events(count: number): ButtonPressEvent[] {
  return seededSampleVisits({ visits: Math.ceil(count / 3), seed: 42 }).slice(0, count);
}

/** A table or topic name of this run only: benches never touch the workshop's own objects. */
function benchName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function benchClickHouseInserts(config: WorkshopConfig, batchEvents = 5000, singleEvents = 200): Promise<BenchResult> {
  const clickhouse = createClickHouse(config);
  const table = benchName('bench_inserts');
  try {
    await createEventTable(clickhouse, table);
    const toRows = (list: ButtonPressEvent[]) => list.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }));
    const batch = toRows(events(batchEvents));
    const single = toRows(events(singleEvents));
    const batchSeconds = await timed(async () => {
      for (let i = 0; i < batch.length; i += 1000) await insertButtonPresses(clickhouse, table, batch.slice(i, i + 1000));
    });
    const singleSeconds = await timed(async () => {
      for (const row of single) await insertButtonPresses(clickhouse, table, [row]);
    });
    return {
      name: 'ClickHouse inserts (step 06)',
      fast: { label: 'batches of 1000', perSecond: batch.length / batchSeconds },
      slow: { label: 'one INSERT per event', perSecond: single.length / singleSeconds },
    };
  } finally {
    await clickhouse.command({ query: `DROP TABLE IF EXISTS ${table}` }).catch(() => undefined);
    await clickhouse.close();
  }
}

export async function benchKafkaSends(config: WorkshopConfig, batchEvents = 5000, singleEvents = 300): Promise<BenchResult> {
  const kafka = createKafka(config);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const topic = benchName(`${workshopNames.jsonTopic}_bench`);
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: workshopNames.topicPartitions }], waitForLeaders: true });
    const toMessage = (e: ButtonPressEvent) => ({ key: e.session_id, value: JSON.stringify(e) });
    const batch = events(batchEvents).map(toMessage);
    const single = events(singleEvents).map(toMessage);
    const batchSeconds = await timed(async () => void (await producer.send({ topic, messages: batch })));
    const singleSeconds = await timed(async () => {
      for (const message of single) await producer.send({ topic, messages: [message] });
    });
    return {
      name: 'Kafka produce (step 02)',
      fast: { label: 'one send() for the batch', perSecond: batch.length / batchSeconds },
      slow: { label: 'awaited send() per event', perSecond: single.length / singleSeconds },
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}
