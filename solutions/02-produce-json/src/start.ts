import { parseArgs } from 'node:util';
import { Partitioners } from 'kafkajs';
import { createKafka, loadConfig, sampleVisits, workshopNames } from '@workshop/shared';
import { ensureTopic, produceVisits } from './produce.js';

/** npm start -- --visits 5: sends sample visits to button_presses_json and says where they went. */
const { values } = parseArgs({ options: { visits: { type: 'string', default: '5' } } });
const visits = Number(values.visits);
if (!Number.isInteger(visits) || visits < 1) {
  console.error(`✗ --visits wants a whole number ≥ 1, not "${values.visits}"`);
  process.exit(2);
}

const kafka = createKafka(loadConfig());
// #region key-partitioner
// The default partitioner hashes the key (murmur2) as the Java client does, so every Kafka client in the
// pipeline would put a session in the same partition.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
// #endregion key-partitioner
const admin = kafka.admin();

try {
  await admin.connect();
  await ensureTopic(admin);
  await producer.connect();
  const events = sampleVisits(visits);
  const acks = await produceVisits(producer, events);
  const partitions = [...new Set(acks.map((ack) => ack.partition))].sort((a, b) => a - b);
  console.log(`${events.length} events of ${visits} visits → ${workshopNames.jsonTopic}, partitions used: ${partitions.join(', ') || 'none reported'}`);
} catch (error) {
  console.error(`✗ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  // Disconnecting lets the clients finish their requests and leave the brokers cleanly.
  await producer.disconnect();
  await admin.disconnect();
}
