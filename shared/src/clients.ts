import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { avroLogicalTypes } from './avro-logical-types.js';
import pg from 'pg';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { TlsFiles, WorkshopConfig } from './config.js';
import { defaultNames, namesFor } from './names.js';
import { NamespacedKafka, clickHouseEnsuringDatabase, createOnce } from './participant-clients.js';

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
  // A participant's consumer groups carry her prefix (participant-clients.ts); everything else is plain kafkajs.
  if (config.participant) return new NamespacedKafka(kafkaClientConfig(config, overrides), namesFor(config.participant).kafkaPrefix);
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
  const settings: pg.PoolConfig = {
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
  };
  const { schema } = postgres;
  if (!schema) return new pg.Pool(settings);
  // A participant's connections see her schema and nothing else (names.ts): an unqualified name never reaches `public`,
  // even before her table exists. Her schema is made before the pool's first connection (once per process).
  return new PoolInSchema({ ...settings, options: `-c search_path=${schema}` }, () =>
    createOnce(`postgres ${settings.host}:${settings.port}/${settings.database} ${schema}`, async () => {
      const client = new pg.Client(settings);
      await client.connect();
      try {
        await client.query(createSchemaSql(schema));
      } finally {
        await client.end();
      }
    }),
  );
}

/** A pool whose every connection waits for `ready` first (pool.query connects through connect() too). */
class PoolInSchema extends pg.Pool {
  readonly #ready: () => Promise<void>;

  constructor(settings: pg.PoolConfig, ready: () => Promise<void>) {
    super(settings);
    this.#ready = ready;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | undefined {
    const ready = this.#ready();
    if (!callback) return ready.then(() => super.connect());
    void ready.then(() => super.connect(callback));
    return undefined;
  }
}

/**
 * A participant's schema, made if missing (two first connections at once: the loser's duplicate is harmless), with
 * the dashboards' read-only role reading it as it reads `public` — where that role exists and we may grant it.
 */
function createSchemaSql(schema: string): string {
  const quoted = pg.escapeIdentifier(schema);
  const role = pg.escapeIdentifier(defaultNames.dashboardReadRole);
  return `DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = ${pg.escapeLiteral(schema)}) THEN
      CREATE SCHEMA ${quoted};
      BEGIN
        GRANT USAGE ON SCHEMA ${quoted} TO ${role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA ${quoted} GRANT SELECT ON TABLES TO ${role};
      EXCEPTION WHEN undefined_object OR insufficient_privilege THEN NULL;
      END;
    END IF;
  EXCEPTION WHEN duplicate_schema OR unique_violation THEN NULL;
  END $$`;
}

export function createClickHouse(config: WorkshopConfig, options: { database?: string; quiet?: boolean } = {}): ClickHouseClient {
  const { clickhouse } = config;
  const database = options.database ?? clickhouse.database;
  const client = (inDatabase: string) =>
    createClient({
      url: clickhouse.url,
      database: inDatabase,
      username: clickhouse.username,
      password: clickhouse.password,
      // quiet: for probes, where "not answering" is an expected answer and not worth a stack trace.
      log: options.quiet ? { level: ClickHouseLogLevel.OFF } : undefined,
    });
  // A participant's own database (names.ts) is made on first use; any other database is the caller's business.
  if (!config.participant || database !== namesFor(config.participant).clickhouseDatabase) return client(database);
  return clickHouseEnsuringDatabase(client(database), () =>
    createOnce(`clickhouse ${clickhouse.url} ${database}`, async () => {
      const server = client('default');
      try {
        await server.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      } finally {
        await server.close();
      }
    }),
  );
}

/**
 * `Authorization: Basic …` for an HTTP service the config gives credentials for (the registry and Connect on Aiven and
 * on the secured local stack); no header when it gives none. For a plain fetch: `fetch(url, { headers: basicAuthHeaders(config.connect.auth) })`.
 */
export function basicAuthHeaders(auth: { username: string; password: string } | undefined): Record<string, string> {
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}
