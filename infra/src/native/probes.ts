import { createClickHouse, createConnectRestClient, createKafka, createPostgresPool, type WorkshopConfig } from '@workshop/shared';
import { validateButtonPressClass } from './connect-transforms.js';
import { logLevel } from 'kafkajs';
import type { ServiceName } from '@workshop/shared';

/**
 * "Does it really work?" checks, one per service: not "is the port open" but "does it do its job" —
 * Kafka lists topics, the registry lists subjects, Connect lists the Debezium sink, Apicurio converter and the kit's transform,
 * PostgreSQL and ClickHouse answer a query. Each resolves to a problem description, or undefined when fine.
 */

export const requiredConnectPlugins = [
  'io.debezium.connector.jdbc.JdbcSinkConnector',
  'io.apicurio.registry.utils.converter.AvroConverter',
  // The kit's own transform (infra/connect-transforms), built by stack:up: step 05's sink validates with it.
  validateButtonPressClass,
] as const;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function probeKafka(config: WorkshopConfig): Promise<string | undefined> {
  const admin = createKafka(config, { connectionTimeout: 2000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  try {
    await withTimeout(admin.connect(), 5000, 'Kafka');
    await withTimeout(admin.listTopics(), 5000, 'Kafka topic list');
    return undefined;
  } catch (error) {
    return message(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Basic auth for a registry that wants it (Karapace on Aiven); none for the local stacks. */
export function schemaRegistryHeaders(config: WorkshopConfig): Record<string, string> {
  const { auth } = config.schemaRegistry;
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}

export async function probeSchemaRegistry(config: WorkshopConfig): Promise<string | undefined> {
  try {
    const response = await fetch(`${config.schemaRegistry.url}/subjects`, {
      headers: schemaRegistryHeaders(config),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) return `GET /subjects answered ${response.status}`;
    const body: unknown = await response.json();
    return Array.isArray(body) ? undefined : 'GET /subjects did not return a list';
  } catch (error) {
    return message(error);
  }
}

export async function probeConnect(
  config: WorkshopConfig,
  required: readonly string[] = requiredConnectPlugins,
): Promise<string | undefined> {
  try {
    const plugins = await withTimeout(createConnectRestClient(config).listPlugins({ connectorsOnly: false }), 5000, 'Connect');
    const missing = required.filter((plugin) => !plugins.some((p) => p.class === plugin));
    return missing.length ? `plugins missing on Connect's plugin.path: ${missing.join(', ')}` : undefined;
  } catch (error) {
    return message(error);
  }
}

export async function probePostgres(config: WorkshopConfig, database?: string): Promise<string | undefined> {
  const pool = createPostgresPool(config, { database, max: 1 });
  try {
    await withTimeout(pool.query('SELECT 1'), 5000, 'PostgreSQL');
    return undefined;
  } catch (error) {
    return message(error);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export async function probeClickHouse(config: WorkshopConfig, database?: string): Promise<string | undefined> {
  const client = createClickHouse(config, { database, quiet: true });
  try {
    const result = await withTimeout(client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' }), 5000, 'ClickHouse');
    const rows = await result.json<{ version: string }>();
    return rows[0]?.version ? undefined : 'SELECT version() returned nothing';
  } catch (error) {
    return message(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export const probes: Record<ServiceName, (config: WorkshopConfig) => Promise<string | undefined>> = {
  kafka: probeKafka,
  'schema-registry': probeSchemaRegistry,
  connect: (config) => probeConnect(config),
  postgres: probePostgres,
  clickhouse: probeClickHouse,
};
