import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { basicAuthHeaders, createKafka, createPostgresPool, type WorkshopConfig } from '@workshop/shared';
import { secureCertificatePaths } from '../../src/secure/certificates.js';
import { secureStackPaths } from '../../src/secure/layout.js';
import { secureStackConfig } from '../../src/secure/stack.js';

/**
 * The secured stack refuses what the cloud refuses: plain TCP, no client certificate, no or a wrong credential — and
 * takes the config's way in. Without these, `verify -- --secure` passing could mean the stack was open after all.
 *
 * Runs on the secured stack only (npm run stack:up -- --secure, then npm run test:secure, which sets STACK=secure);
 * `npm test` runs the plain stack and leaves these files (*.secure.test.ts) out.
 */

const onSecuredStack = process.env.STACK === 'secure';

describe.runIf(onSecuredStack)('the secured stack refuses', () => {
  const config = onSecuredStack ? secureStackConfig() : ({} as WorkshopConfig);
  const ca = () => readFileSync(secureCertificatePaths(secureStackPaths().certsDir).caFile, 'utf8');

  function httpsGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca: ca(), headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const basic = basicAuthHeaders;

  async function listTopics(overrides: Parameters<typeof createKafka>[1]): Promise<string[]> {
    const admin = createKafka(config, { connectionTimeout: 3000, retry: { retries: 0 }, logLevel: logLevel.NOTHING, ...overrides }).admin();
    try {
      await admin.connect();
      return await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  it("Kafka: a client without a certificate, and plain TCP; the config's client certificate gets in", async () => {
    await expect(listTopics({ ssl: { ca: [ca()] } })).rejects.toThrow();
    await expect(listTopics({ ssl: false })).rejects.toThrow();
    expect(Array.isArray(await listTopics({}))).toBe(true);
  });

  it('the registry and Connect: 401 without the credential, 200 with it', async () => {
    for (const [url, auth] of [
      [`${config.schemaRegistry.url}/subjects`, config.schemaRegistry.auth],
      [`${config.connect.url}/connectors`, config.connect.auth],
    ] as const) {
      expect((await httpsGet(url)).status, url).toBe(401);
      expect((await httpsGet(url, basic(auth))).status, url).toBe(200);
      await expect(fetch(url.replace('https:', 'http:')), `${url} over plain HTTP`).rejects.toThrow();
    }
  });

  it("ClickHouse: a wrong password; the config's user and password run a query", async () => {
    const query = `${config.clickhouse.url}/?query=${encodeURIComponent('SELECT 1')}`;
    const wrong = await httpsGet(query, basic({ username: config.clickhouse.username, password: 'not-the-password' }));
    expect(wrong.body).toMatch(/Authentication failed/);
    const right = await httpsGet(query, basic({ username: config.clickhouse.username, password: config.clickhouse.password }));
    expect(right).toEqual({ status: 200, body: '1\n' });
  });

  it("PostgreSQL: a connection without TLS; the config's (verify-full against the kit's CA) gets in", async () => {
    const plain = createPostgresPool({ ...config, postgres: { ...config.postgres, ssl: false } }, { max: 1 });
    await expect(plain.query('SELECT 1')).rejects.toThrow(/no encryption/);
    await plain.end();
    const pool = createPostgresPool(config, { max: 1 });
    const { rows } = await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    await pool.end();
    expect(rows[0]?.ssl).toBe(true);
  });
});
