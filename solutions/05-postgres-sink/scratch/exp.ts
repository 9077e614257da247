import { Partitioners } from 'kafkajs';
import { createConnectRestClient, createKafka, createPostgresPool, createSchemaRegistry, loadConfig } from '@workshop/shared';
import { createButtonPressesTable } from '../src/table.js';
import { postgresSinkConfig } from '../src/sink-config.js';
import { deployPostgresSink, waitForConnectorRunning } from '../src/connector.js';
import { ensureTopic, produceVisits, registerButtonPressSchema } from '../src/produce.js';
import { sampleVisits } from '../src/sample-visits.js';
import { randomUUID } from 'node:crypto';

const config = loadConfig();
const base = `button_presses_exp_${Date.now().toString(36)}`;
const topic = base, table = base, dlq = `${base}_dlq`, name = base.replaceAll('_', '-');
const db = createPostgresPool(config);
const connect = createConnectRestClient(config);
const registry = createSchemaRegistry(config);
const kafka = createKafka(config);
const admin = kafka.admin(); await admin.connect();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner }); await producer.connect();
const mode = process.argv[2] ?? 'ok';
try {
  await createButtonPressesTable(db, table);
  if (mode === 'text') await db.query(`ALTER TABLE ${table} ALTER COLUMN "timestamp" TYPE text`);
  if (mode === 'nouniq') await db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_session_id_count_key`);
  await ensureTopic(admin, topic);
  const id = await registerButtonPressSchema(registry, topic);
  const cfg = postgresSinkConfig({ topic, table, deadLetterTopic: dlq, config });
  if (mode === 'insert') cfg['insert.mode'] = 'insert';
  if (mode === 'nodlq') { delete cfg['errors.tolerance']; }
  const t0 = Date.now();
  await deployPostgresSink(connect, name, cfg);
  await waitForConnectorRunning(connect, name);
  console.log('running after', Date.now() - t0);
  const events = sampleVisits({ visits: 10, newSessionId: randomUUID });
  const t1 = Date.now();
  await produceVisits(producer, registry, topic, id, events);
  for (let i = 0; i < 60; i++) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
    const st = await connect.getConnectorStatus(name);
    console.log(Date.now() - t1, rows[0].n, '/', events.length, st?.connector.state, st?.tasks.map((t) => t.state + (t.trace ? ':' + t.trace.split('\n')[0] : '')).join());
    if (rows[0].n >= events.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const { rows } = await db.query(`SELECT *, pg_typeof("timestamp")::text AS t FROM ${table} ORDER BY id LIMIT 2`);
  console.log(rows, events.slice(0, 2));
  // resend
  await produceVisits(producer, registry, topic, id, events);
  await producer.send({ topic, messages: [{ key: events[0]!.session_id, value: Buffer.from('not avro') }] });
  await produceVisits(producer, registry, topic, id, events.map((e) => ({ ...e, city_name: 'X' })));
  for (let i = 0; i < 40; i++) {
    const { rows } = await db.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE city_name='X')::int AS x FROM ${table}`);
    const st = await connect.getConnectorStatus(name);
    console.log(rows[0], st?.connector.state, st?.tasks.map((t) => t.state + (t.trace ? ':' + t.trace.split('\n')[0] : '')).join());
    if (rows[0].x >= events.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const offs = await admin.fetchTopicOffsets(dlq).catch((e) => String(e));
  console.log('dlq', offs);
  const consumer = kafka.consumer({ groupId: `${base}-reader` });
  await consumer.connect(); await consumer.subscribe({ topic: dlq, fromBeginning: true });
  let n = 0;
  await consumer.run({ eachMessage: async ({ message }) => { n++; if (n <= 2) console.log('DLQ', message.value?.toString('latin1').slice(0, 40), Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v).slice(0, 150)]))); } });
  await new Promise((r) => setTimeout(r, 4000));
  console.log('dlq count', n);
  await consumer.disconnect();
} finally {
  await connect.deleteConnector(name).catch(() => {});
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => {});
  for (const q of ['', '?permanent=true']) await fetch(`${config.schemaRegistry.url}/subjects/${topic}-value${q}`, { method: 'DELETE' });
  await admin.disconnect(); await producer.disconnect(); await db.end();
}
