import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseHttpServer, type ClickHouseHttpServer } from '../../src/clickhouse-http/server.js';

// The limits of issue 14 on a server of its own (one slot, a line of one, 1 KiB bodies), so filling them
// disturbs nobody: a full line answers 503 straight away, a big body 413, and the server keeps serving.

const dataPath = mkdtempSync(join(tmpdir(), 'clickhouse-http-limits-'));
const user = { name: 'default', password: 'limits-test' };
const headers = { Authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` };
let server: ClickHouseHttpServer;
let url: string;

beforeAll(async () => {
  server = createClickHouseHttpServer({
    dataPath,
    database: 'workshop',
    port: 0,
    users: [user, { name: 'reader', password: 'reader-test', readonly: true }],
    limits: { slots: 1, queue: 1, queueWaitMs: 10_000, maxRequestBodyBytes: 1024 },
  });
  ({ url } = await server.listen());
});

afterAll(async () => {
  await server.close();
  rmSync(dataPath, { recursive: true, force: true });
});

function post(sql: string, search = '', extraHeaders: Record<string, string> = headers) {
  return fetch(`${url}/${search}`, { method: 'POST', headers: extraHeaders, body: sql });
}

describe('clickhouse-http limits', () => {
  it('answers 503 (TOO_MANY_SIMULTANEOUS_QUERIES) when every slot and the line are taken, then serves again', async () => {
    const long = 'SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 0';
    const running = post(long, '?max_execution_time=2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const waiting = post('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await post('SELECT 2');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('x-clickhouse-exception-code')).toBe('202');
    expect((await running).headers.get('x-clickhouse-exception-code')).toBe('159');
    expect(await (await waiting).text()).toBe('1\n');
    expect(await (await post('SELECT 3')).text()).toBe('3\n');
  });

  it('refuses a body over the limit with 413 before it queues', async () => {
    const response = await post(`SELECT '${'x'.repeat(2048)}'`);
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/QUERY_IS_TOO_LARGE/);
  });

  it('keeps a read-only user read-only on POST too, whatever it sets', async () => {
    const reader = { Authorization: `Basic ${Buffer.from('reader:reader-test').toString('base64')}` };
    expect(await (await post('SELECT 1', '', reader)).text()).toBe('1\n');
    const write = await post('CREATE TABLE workshop.t (a UInt8) ENGINE = Memory', '?readonly=0', reader);
    expect(write.headers.get('x-clickhouse-exception-code')).toBe('164');
  });
});
