import { Partitioners, type logCreator } from 'kafkajs';
import {
  createClickHouse,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  workshopNames,
  type WorkshopConfig,
} from '@workshop/shared';
import {
  createButtonPressesTable,
  createEventTable,
  createPressesPerMinute,
  deployPostgresSink,
  ensureTopic,
  loadButtonPressSchema,
  postgresSinkConfig,
  registerSchema,
  runSink,
  startButtonApp,
  valueSubject,
  waitForConnectorRunning,
} from './reference-solutions.js';
import { startSimulatedVisitors, type SimulatedVisitors } from './simulated-visitors.js';

/**
 * The whole pipeline, live: topics, schema, PostgreSQL table + JDBC sink connector, ClickHouse tables +
 * the TypeScript sink, the button app, and optionally simulated visitors. Everything it starts, it stops.
 */
export interface LivePipeline {
  /** Empty when the button app is not one of `parts`. */
  buttonAppUrl: string;
  counts(): Promise<PipelineCounts>;
  /** Settles when the ClickHouse sink stops — rejects when it stopped by itself (a batch it could not store). */
  clickhouseSinkStopped: Promise<void>;
  stop(): Promise<void>;
}

export interface PipelineCounts {
  /** Records in the Avro topic (all partitions). */
  inKafka: number;
  inPostgres: number;
  inClickHouse: number;
  /** Sent by the simulated visitors during this run. */
  simulated: number;
}

/**
 * Batches of up to 20,000 rows — within ClickHouse's advice (10,000–100,000 rows per INSERT), a few MB of JSON each,
 * far under the server's 16 MiB body limit. They only fill when the sink catches up (after a pause, a restart):
 * step 06's sink reads nothing while a batch is stored, so fewer, larger INSERTs leave it more time to read. npm run
 * bench, 100k rows, one run back to back: 5000 → 14–28k rows/s, 20,000 → 27–33k (bulk INSERTs 44–80k). maxWaitMs
 * still flushes within a second when presses are few. The bench measures with these same settings.
 */
export const liveClickHouseSinkBatch = { maxRows: 20_000, maxWaitMs: 1000 };

export async function startLivePipeline(
  config: WorkshopConfig,
  options: {
    visitors: number;
    /** The stack's connector config for step 05's Debezium config (the stack profile's; translated on Aiven). */
    jdbcSinkConfig: (debeziumConfig: Record<string, string>) => Record<string, string>;
    report: (line: string) => void;
    onError: (error: unknown) => void;
    /**
     * What runs (default: everything). npm run faults runs the ClickHouse sink in a process of its own, so that it
     * can kill -9 the sink alone; the topics, the schema and the tables are ensured either way.
     */
    parts?: { postgresSink?: boolean; clickhouseSink?: boolean; buttonApp?: boolean };
    /**
     * The button app's port (default: the config's), rate limit (default: the app's, sized for a room) and log level
     * (default: warn — every press answered 503 while Kafka is away is a line).
     */
    buttonApp?: { port?: number; rateLimit?: { max: number; timeWindowMs: number }; logLevel?: 'warn' | 'error' };
    /** Where kafkajs's own log goes (default: kafkajs's, to the console); npm run faults tallies it per fault. */
    kafkaLogCreator?: logCreator;
  },
): Promise<LivePipeline> {
  const { report } = options;
  const parts = { postgresSink: true, clickhouseSink: true, buttonApp: true, ...options.parts };
  const topic = workshopNames.avroTopic;
  const table = workshopNames.table;
  const kafka = createKafka(config, options.kafkaLogCreator ? { logCreator: options.kafkaLogCreator } : {});
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: 'clickhouse-sink', sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const registry = createSchemaRegistry(config);
  const db = createPostgresPool(config);
  const clickhouse = createClickHouse(config);
  const connect = createConnectRestClient(config);
  const stoppers: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(options.onError);
  };

  try {
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
    stoppers.push(
      () => admin.disconnect(),
      () => producer.disconnect(),
      () => consumer.disconnect(),
      () => db.end(),
      () => clickhouse.close(),
    );

    // Step 04: the topics and the schema.
    for (const name of [topic, workshopNames.deadLetterTopic]) await ensureTopic(admin, name);
    const schemaId = await registerSchema(registry, valueSubject(topic), loadButtonPressSchema());
    report(`  kafka: ${topic} (schema id ${schemaId} under ${valueSubject(topic)})`);

    // Step 05: PostgreSQL through Kafka Connect.
    await createButtonPressesTable(db, table);
    if (parts.postgresSink) {
      const debeziumConfig = postgresSinkConfig({ topic, table, deadLetterTopic: workshopNames.deadLetterTopic, config });
      const connectorConfig = options.jdbcSinkConfig(debeziumConfig);
      await deployPostgresSink(connect, workshopNames.postgresSinkConnector, connectorConfig);
      await waitForConnectorRunning(connect, workshopNames.postgresSinkConnector);
      report(`  postgres: connector ${workshopNames.postgresSinkConnector} RUNNING → ${config.postgres.database}.${table}`);
    }

    // Step 06: ClickHouse through the TypeScript sink.
    await createEventTable(clickhouse, table);
    await createPressesPerMinute(clickhouse, { table, view: workshopNames.pressesPerMinuteView });
    let clickhouseSinkStopped = new Promise<void>(() => undefined);
    if (parts.clickhouseSink) {
      const sink = await runSink(
        { consumer, producer, registry, clickhouse },
        { topic, table, deadLetterTopic: workshopNames.deadLetterTopic, ...liveClickHouseSinkBatch },
      );
      sink.done.catch(options.onError);
      clickhouseSinkStopped = sink.done;
      stoppers.push(() => sink.stop());
      report(`  clickhouse: sink ${topic} → ${config.clickhouse.database}.${table}`);
    }

    // Step 08: the button app.
    let buttonAppUrl = '';
    if (parts.buttonApp) {
      const { trustedProxies } = config.buttonApp;
      const { logLevel = 'warn', ...listenAndLimit } = options.buttonApp ?? {};
      const app = await startButtonApp(config, {
        trustProxy: trustedProxies.length ? trustedProxies : false,
        ...listenAndLimit,
        logger: { level: logLevel },
        ...(options.kafkaLogCreator ? { kafkaLogCreator: options.kafkaLogCreator } : {}),
      });
      stoppers.push(() => app.close());
      buttonAppUrl = app.url;
      report(`  button app: ${app.url}`);
    }

    let visitors: SimulatedVisitors | undefined;
    if (options.visitors > 0) {
      visitors = await startSimulatedVisitors({
        visitors: options.visitors,
        producer,
        registry,
        topic,
        schemaId,
        onError: options.onError,
      });
      stoppers.push(() => visitors!.stop());
      report(`  simulated visitors: ${options.visitors}`);
    }

    return {
      buttonAppUrl,
      clickhouseSinkStopped,
      async counts() {
        const offsets = await admin.fetchTopicOffsets(topic);
        const inKafka = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
        const pg = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        const ch = await clickhouse.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' });
        const [chRow] = await ch.json<{ n: string }>();
        return {
          inKafka,
          inPostgres: Number(pg.rows[0]?.n ?? 0),
          inClickHouse: Number(chRow?.n ?? 0),
          simulated: visitors?.produced() ?? 0,
        };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
