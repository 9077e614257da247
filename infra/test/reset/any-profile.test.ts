import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@workshop/shared';
import { createClickHouseHttpServer } from '../../src/clickhouse-http/server.js';
import { probeSchemaRegistry } from '../../src/native/probes.js';
import { dropClickHouseTables } from '../../src/reset/reset.js';

/**
 * What stack:reset and stack:status need to work on every profile, tested on throwaway servers (never
 * the running stack): ClickHouse tables are dropped one by one, so the database — which Aiven creates
 * through its API — stays; a registry that wants basic auth (Karapace on Aiven) gets it.
 */

const servers: { close(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

describe('reset on any profile', () => {
  it('drops every ClickHouse table and view of the workshop database, views first, and keeps the database', async () => {
    const dataPath = mkdtempSync(join(tmpdir(), 'reset-clickhouse-'));
    const database = 'workshop';
    const server = createClickHouseHttpServer({ dataPath, database, port: 0, users: [{ name: 'default', password: 'reset-test' }] });
    const { url } = await server.listen();
    servers.push({
      close: async () => {
        await server.close();
        rmSync(dataPath, { recursive: true, force: true });
      },
    });
    const client = createClient({ url, database, username: 'default', password: 'reset-test', log: { level: ClickHouseLogLevel.OFF } });
    try {
      await client.command({ query: 'CREATE TABLE presses (country String, n UInt32) ENGINE = MergeTree ORDER BY country' });
      await client.command({ query: 'CREATE TABLE per_country (country String, n UInt64) ENGINE = SummingMergeTree ORDER BY country' });
      await client.command({
        query: 'CREATE MATERIALIZED VIEW per_country_mv TO per_country AS SELECT country, sum(n) AS n FROM presses GROUP BY country',
      });
      await client.command({ query: 'CREATE TABLE `odd name` (a UInt8) ENGINE = Memory' });

      expect(await dropClickHouseTables(client, database)).toEqual(['odd name', 'per_country', 'per_country_mv', 'presses']);

      const left = await client.query({
        query: 'SELECT name FROM system.tables WHERE database = {database:String}',
        query_params: { database },
        format: 'JSONEachRow',
      });
      expect(await left.json()).toEqual([]);
      const databases = await client.query({
        query: 'SELECT name FROM system.databases WHERE name = {database:String}',
        query_params: { database },
        format: 'JSONEachRow',
      });
      expect(await databases.json()).toEqual([{ name: database }]);
    } finally {
      await client.close();
    }
  });

  it('sends basic auth to a schema registry that wants it', async () => {
    const seen: (string | undefined)[] = [];
    const registry: Server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      const ok = request.headers.authorization === `Basic ${Buffer.from('avnadmin:pw').toString('base64')}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(ok ? '[]' : '{"error_code":401}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise((resolve) => registry.close(resolve)) });
    const url = `http://127.0.0.1:${(registry.address() as { port: number }).port}`;

    expect(
      await probeSchemaRegistry(
        parseConfig({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: 'avnadmin', SCHEMA_REGISTRY_PASSWORD: 'pw' }),
      ),
    ).toBeUndefined();
    expect(await probeSchemaRegistry(parseConfig({ SCHEMA_REGISTRY_URL: url }))).toBe('GET /subjects answered 401');
    expect(seen).toEqual([`Basic ${Buffer.from('avnadmin:pw').toString('base64')}`, undefined]);
  });
});
