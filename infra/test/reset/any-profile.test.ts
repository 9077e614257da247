import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@workshop/shared';
import { createClickHouseHttpServer } from '../../src/clickhouse-http/server.js';
import { probeSchemaRegistry } from '../../src/native/probes.js';
import { dropClickHouseTables, isWorkshopGroup, remoteHostsOf, resetWorkshop } from '../../src/reset/reset.js';

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
  it("drops the workshop's ClickHouse tables and views, views first, and keeps the database and what is not the workshop's", async () => {
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
      await client.command({ query: 'CREATE TABLE button_presses (country String, n UInt32) ENGINE = MergeTree ORDER BY country' });
      await client.command({
        query: 'CREATE TABLE presses_per_country_state (country String, n UInt64) ENGINE = SummingMergeTree ORDER BY country',
      });
      await client.command({
        query:
          'CREATE MATERIALIZED VIEW presses_per_country_mv TO presses_per_country_state AS SELECT country, sum(n) AS n FROM button_presses GROUP BY country',
      });
      await client.command({ query: 'CREATE TABLE `button_presses odd name` (a UInt8) ENGINE = Memory' });
      await client.command({ query: 'CREATE TABLE someone_elses (a UInt8) ENGINE = Memory' });

      expect(await dropClickHouseTables(client, database)).toEqual([
        'button_presses',
        'button_presses odd name',
        'presses_per_country_mv',
        'presses_per_country_state',
      ]);

      const left = await client.query({
        query: 'SELECT name FROM system.tables WHERE database = {database:String}',
        query_params: { database },
        format: 'JSONEachRow',
      });
      expect(await left.json()).toEqual([{ name: 'someone_elses' }]);
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

  it("deletes only the kit's consumer groups, never Connect's worker group or a stranger's", () => {
    for (const ours of ['press-counter', 'clickhouse-sink', 'test-03-counter-x', 'connect-button-presses-postgres-sink']) {
      expect(isWorkshopGroup(ours), ours).toBe(true);
    }
    for (const theirs of ['workshop-connect', 'billing-consumer', 'connect-other-sink'])
      expect(isWorkshopGroup(theirs), theirs).toBe(false);
  });

  it('asks before touching a remote stack, and deletes nothing when the answer is no', async () => {
    expect(remoteHostsOf(parseConfig({}))).toEqual([]);
    const aiven = parseConfig({ KAFKA_BROKERS: 'kafka-x.aivencloud.com:12345', PGHOST: 'pg-x.aivencloud.com' });
    expect(remoteHostsOf(aiven)).toEqual(['kafka-x.aivencloud.com', 'pg-x.aivencloud.com']);
    const questions: string[] = [];
    const refused = resetWorkshop(aiven, () => undefined, {
      confirm: async (question) => {
        questions.push(question);
        return false;
      },
    });
    await expect(refused).rejects.toThrow(/stack:reset stopped: nothing was deleted on kafka-x.aivencloud.com, pg-x.aivencloud.com/);
    expect(questions[0]).toMatch(/Go on\?$/);
  });
});
