import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Partitioners, type logCreator } from 'kafkajs';
import { createClickHouse, createKafka, createSchemaRegistry, workshopNames, type WorkshopConfig } from '@workshop/shared';
import { buildApp, type ButtonAppOptions } from './app.js';
import { openGeoLookup } from './geo.js';
import { avroEventSink, ensureEventTopic, registerButtonPressSchema } from './produce.js';
import { clickHouseStats } from './stats.js';

export interface StartButtonAppOptions extends Pick<ButtonAppOptions, 'trustProxy' | 'rateLimit' | 'logger'> {
  /** Default: config.buttonApp (127.0.0.1:8080). Port 0 picks a free one. */
  host?: string;
  port?: number;
  /** Default: a random secret per start — the visits are in memory, so a restart starts them afresh anyway. */
  cookieSecret?: string;
  /** Where kafkajs's own log goes (default: the console); the kit's fault suite tallies it. */
  kafkaLogCreator?: logCreator;
}

export interface RunningButtonApp {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Stops taking requests, finishes the ones in flight, then disconnects from Kafka and ClickHouse. */
  close(): Promise<void>;
}

/**
 * The button app, live: connects a Kafka producer, registers the event's schema, opens the geo database,
 * and listens. The only place the app listens — `npm start` here, and the kit's root `npm start`.
 */
export async function startButtonApp(config: WorkshopConfig, options: StartButtonAppOptions = {}): Promise<RunningButtonApp> {
  const kafka = createKafka(config, options.kafkaLogCreator ? { logCreator: options.kafkaLogCreator } : {});
  // The Java client's partitioner: the same key lands in the same partition whoever produces it.
  // Not kafkajs's idempotent producer: after a broker restart it can fail for good with "out of order sequence
  // number" (tulios/kafkajs#598). A retried send may write an event twice; the sinks upsert on (session_id,
  // count), so it counts once. kafkajs's retries (5, about 10 s) outlast the app's wait for Kafka (5 s): a
  // press waiting that long is answered 503, and the producer reconnects by itself when the broker is back.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const clickhouse = createClickHouse(config, { quiet: true });
  const registry = createSchemaRegistry(config);
  try {
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await ensureEventTopic(admin).finally(() => admin.disconnect());
    const [schemaId, geo] = await Promise.all([registerButtonPressSchema(registry), openGeoLookup()]);

    const app = buildApp({
      events: avroEventSink(producer, registry, schemaId),
      geo,
      stats: clickHouseStats(clickhouse, workshopNames.table, `${config.clickhouse.url} (database ${config.clickhouse.database})`),
      cookieSecret: options.cookieSecret ?? randomBytes(32).toString('base64url'),
      trustProxy: options.trustProxy,
      rateLimit: options.rateLimit,
      logger: options.logger,
    });
    // After the last request is answered: its event has been sent, so nothing is lost.
    app.addHook('onClose', async () => {
      await producer.disconnect();
      await clickhouse.close();
    });
    const url = await app.listen({ host: options.host ?? config.buttonApp.host, port: options.port ?? config.buttonApp.port });
    return { app, url, close: () => app.close() };
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    await clickhouse.close().catch(() => undefined);
    throw error;
  }
}
