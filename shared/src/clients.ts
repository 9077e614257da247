import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { avroLogicalTypes } from './avro-logical-types.js';
import pg from 'pg';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { TlsFiles, WorkshopConfig } from './config.js';

/**
 * Client factories: each takes the config and returns the library's own client, so a step's code shows
 * kafkajs, pg or @clickhouse/client as they are documented. Nothing connects until it is used.
 */

function readTls(files: TlsFiles) {
  return {
    ca: files.caFile ? [readFileSync(files.caFile, 'utf8')] : undefined,
    cert: files.certFile ? readFileSync(files.certFile, 'utf8') : undefined,
    key: files.keyFile ? readFileSync(files.keyFile, 'utf8') : undefined,
  };
}

export function kafkaClientConfig(config: WorkshopConfig, overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  const { kafka } = config;
  return {
    clientId: kafka.clientId,
    brokers: kafka.brokers,
    ssl: kafka.ssl ? readTls(kafka.ssl) : false,
    sasl: kafka.sasl ? (kafka.sasl as SASLOptions) : undefined,
    // kafkajs logs every retry at ERROR; a participant should see our hint, not a wall of JSON.
    logLevel: logLevel.WARN,
    ...overrides,
  };
}

export function createKafka(config: WorkshopConfig, overrides: Partial<KafkaConfig> = {}): Kafka {
  silenceKafkajsNegativeTimeoutWarning();
  return new Kafka(kafkaClientConfig(config, overrides));
}

let negativeTimeoutWarningSilenced = false;

/**
 * kafkajs 2.2.4 (its last release) schedules a timer with a negative delay on Node 24 (tulios/kafkajs#1751); Node runs it
 * after 1 ms — which is what kafkajs meant — but prints "TimeoutNegativeWarning" in every participant's terminal. Only
 * that warning is dropped, once per process, when the first Kafka client is made; every other warning still prints.
 */
function silenceKafkajsNegativeTimeoutWarning(): void {
  if (negativeTimeoutWarningSilenced) return;
  negativeTimeoutWarningSilenced = true;
  const emitWarning = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning' || (warning instanceof Error && warning.name === 'TimeoutNegativeWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

export function createSchemaRegistry(config: WorkshopConfig): SchemaRegistry {
  const { url, auth } = config.schemaRegistry;
  return new SchemaRegistry(
    { host: url, auth },
    // Date ⇄ timestamp-millis (see avro-logical-types.ts).
    { [SchemaType.AVRO]: { logicalTypes: avroLogicalTypes } },
  );
}

export function createPostgresPool(config: WorkshopConfig, options: { database?: string; max?: number } = {}): pg.Pool {
  const { postgres } = config;
  return new pg.Pool({
    host: postgres.host,
    port: postgres.port,
    database: options.database ?? postgres.database,
    user: postgres.user,
    password: postgres.password,
    ssl: postgres.ssl
      ? {
          rejectUnauthorized: postgres.ssl.rejectUnauthorized,
          ca: postgres.ssl.caFile ? readFileSync(postgres.ssl.caFile, 'utf8') : undefined,
        }
      : false,
    max: options.max ?? 4,
  });
}

export function createClickHouse(config: WorkshopConfig, options: { database?: string; quiet?: boolean } = {}): ClickHouseClient {
  const { clickhouse } = config;
  return createClient({
    url: clickhouse.url,
    database: options.database ?? clickhouse.database,
    username: clickhouse.username,
    password: clickhouse.password,
    // quiet: for probes, where "not answering" is an expected answer and not worth a stack trace.
    log: options.quiet ? { level: ClickHouseLogLevel.OFF } : undefined,
  });
}

/**
 * `Authorization: Basic …` for an HTTP service the config gives credentials for (the registry and Connect on Aiven and
 * on the secured local stack); no header when it gives none. For a plain fetch: `fetch(url, { headers: basicAuthHeaders(config.connect.auth) })`.
 */
export function basicAuthHeaders(auth: { username: string; password: string } | undefined): Record<string, string> {
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}
