import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseHttpServer, type ClickHouseHttpServer } from '../../src/clickhouse-http/server.js';

// Everything below goes through @clickhouse/client (or raw HTTP for what the client cannot send), the way
// the kit talks to a real ClickHouse: the test is that the client cannot tell the difference.
// The engine is ClickHouse 26.x: 64-bit integers come back as JSON numbers (output_format_json_quote_64bit_integers=0).

const database = 'workshop';
const dataPath = mkdtempSync(join(tmpdir(), 'clickhouse-http-test-'));
let server: ClickHouseHttpServer;
let url: string;
let client: ClickHouseClient;
/** The client logs every failed request; the failures below are the point of their tests. */
const quiet = { log: { level: ClickHouseLogLevel.OFF } };
/** The server requires a password, as the stack's does; the client sends it as Basic auth. */
const user = { name: 'default', password: 'test-password' };
const auth = { username: user.name, password: user.password };
const authHeader = { Authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` };

async function start(): Promise<void> {
  server = createClickHouseHttpServer({ dataPath, database, port: 0, users: [user] });
  ({ url } = await server.listen());
  client = createClient({ url, database, ...auth, ...quiet });
}

async function stop(): Promise<void> {
  await client.close();
  await server.close();
}

async function rows<T>(query: string, query_params?: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', query_params });
  return result.json<T>();
}

beforeAll(start);
afterAll(async () => {
  await stop();
  rmSync(dataPath, { recursive: true, force: true });
});

describe('clickhouse-http (chDB behind the ClickHouse HTTP interface)', () => {
  it('answers ping, GET / and reports the selected database', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await (await fetch(`${url}/ping`)).text()).toBe('Ok.\n');
    expect(await (await fetch(`${url}/`)).text()).toBe('Ok.\n');
    expect(await rows<{ db: string }>('SELECT currentDatabase() AS db')).toEqual([{ db: database }]);
  });

  it('stores DateTime64(3, UTC) to the millisecond from ISO strings and epoch milliseconds', async () => {
    await client.command({
      query: `CREATE TABLE presses (id UUID, pressed_at DateTime64(3, 'UTC'), country String)
              ENGINE = MergeTree ORDER BY pressed_at`,
    });
    const iso = '2026-03-04T05:06:07.089Z';
    const millis = Date.parse('2026-03-04T05:06:08.001Z');
    await client.insert({
      table: 'presses',
      format: 'JSONEachRow',
      values: [
        { id: '11111111-1111-4111-8111-111111111111', pressed_at: iso, country: 'FI' },
        { id: '22222222-2222-4222-8222-222222222222', pressed_at: millis, country: 'DE' },
      ],
    });
    // 64-bit integers come quoted in JSON, as from a ClickHouse server (output_format_json_quote_64bit_integers=1).
    const stored = await rows<{ ms: string; text: string }>(
      'SELECT toUnixTimestamp64Milli(pressed_at) AS ms, toString(pressed_at) AS text FROM presses ORDER BY pressed_at',
    );
    expect(stored).toEqual([
      { ms: String(Date.parse(iso)), text: '2026-03-04 05:06:07.089' },
      { ms: String(millis), text: '2026-03-04 05:06:08.001' },
    ]);
  });

  it('binds query parameters in the engine ({id:UUID}, {since:DateTime64(3)}, awkward strings)', async () => {
    const byId = await rows<{ country: string }>('SELECT country FROM presses WHERE id = {id:UUID}', {
      id: '22222222-2222-4222-8222-222222222222',
    });
    expect(byId).toEqual([{ country: 'DE' }]);
    const since = await rows<{ n: number }>('SELECT count() AS n FROM presses WHERE pressed_at >= {since:DateTime64(3)}', {
      since: new Date('2026-03-04T05:06:07.090Z'),
    });
    expect(since).toEqual([{ n: '1' }]);
    const awkward = "it's a \\ back\tslash\nand 'quotes'";
    expect(await rows('SELECT {s:String} AS s, {a:Array(String)} AS a', { s: awkward, a: [awkward] })).toEqual([
      { s: awkward, a: [awkward] },
    ]);
  });

  it('deduplicates with ReplacingMergeTree and FINAL', async () => {
    await client.command({
      query: `CREATE TABLE sessions (session_id String, presses UInt32, updated_at DateTime64(3, 'UTC'))
              ENGINE = ReplacingMergeTree(updated_at) ORDER BY session_id`,
    });
    // Separate inserts make separate parts, so the duplicates survive until a merge or FINAL.
    for (const presses of [1, 2, 3]) {
      await client.insert({
        table: 'sessions',
        format: 'JSONEachRow',
        values: [{ session_id: 's-1', presses, updated_at: Date.parse('2026-03-04T05:00:00Z') + presses }],
      });
    }
    expect(await rows('SELECT presses FROM sessions FINAL')).toEqual([{ presses: 3 }]);
  });

  it('keeps a materialized view aggregated with toStartOfInterval', async () => {
    await client.command({
      query: `CREATE TABLE presses_per_minute (country String, minute DateTime64(3, 'UTC'), presses UInt64)
              ENGINE = SummingMergeTree ORDER BY (country, minute)`,
    });
    await client.command({
      query: `CREATE MATERIALIZED VIEW presses_per_minute_mv TO presses_per_minute AS
              SELECT country, toStartOfInterval(pressed_at, INTERVAL 1 MINUTE) AS minute, count() AS presses
              FROM presses GROUP BY country, minute`,
    });
    await client.insert({
      table: 'presses',
      format: 'JSONEachRow',
      values: ['2026-03-04T06:00:01.000Z', '2026-03-04T06:00:59.999Z', '2026-03-04T06:01:00.000Z'].map((at, i) => ({
        id: `33333333-3333-4333-8333-00000000000${i}`,
        pressed_at: at,
        country: 'FI',
      })),
    });
    const perMinute = await rows(
      `SELECT country, toString(minute) AS minute, sum(presses) AS presses FROM presses_per_minute
       GROUP BY country, minute ORDER BY minute`,
    );
    expect(perMinute).toEqual([
      { country: 'FI', minute: '2026-03-04 06:00:00.000', presses: '2' },
      { country: 'FI', minute: '2026-03-04 06:01:00.000', presses: '1' },
    ]);
  });

  it('supports the other formats, exec and per-query settings without leaking them', async () => {
    const json = await client.query({ query: 'SELECT 1 AS one', format: 'JSON' });
    expect((await json.json<{ one: number }>()).data).toEqual([{ one: 1 }]);
    const compact = await client.query({ query: 'SELECT 1, 2', format: 'JSONCompactEachRow' });
    expect(await compact.json()).toEqual([[1, 2]]);
    const tsv = await client.query({ query: "SELECT 'a', 1", format: 'TabSeparated' });
    expect(await tsv.text()).toBe('a\t1\n');
    const exec = await client.exec({ query: 'SELECT 42 FORMAT CSV' });
    expect(await new Response(exec.stream as unknown as ReadableStream).text()).toBe('42\n');

    const setting = "SELECT getSetting('max_threads') AS max_threads";
    const tuned = await client.query({
      query: setting,
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 7 },
    });
    expect(await tuned.json()).toEqual([{ max_threads: 7 }]);
    expect(await rows(setting)).not.toEqual([{ max_threads: 7 }]);
  });

  it('keeps SET state within a session_id and nowhere else', async () => {
    await client.command({ query: 'SET max_threads = 5', session_id: 'kept' });
    const inSession = await client.query({
      query: "SELECT getSetting('max_threads') AS m",
      format: 'JSONEachRow',
      session_id: 'kept',
    });
    expect(await inSession.json()).toEqual([{ m: 5 }]);
    expect(await rows("SELECT getSetting('max_threads') AS m")).not.toEqual([{ m: 5 }]);
  });

  it('accepts gzip request bodies and compresses responses when asked', async () => {
    const compressed = createClient({ url, database, compression: { request: true, response: true }, ...auth, ...quiet });
    try {
      await compressed.insert({
        table: 'sessions',
        format: 'JSONEachRow',
        values: [{ session_id: 's-gzip', presses: 9, updated_at: '2026-03-04T07:00:00.000Z' }],
      });
      const result = await compressed.query({
        query: "SELECT presses FROM sessions FINAL WHERE session_id = 's-gzip'",
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ presses: 9 }]);
    } finally {
      await compressed.close();
    }
  });

  it('runs concurrent requests, each with its own parameters', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => rows<{ n: number }>('SELECT {n:UInt32} AS n', { n: i })));
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => [{ n: i }]));
  });

  it('rejects an SQL error with the engine message and its code', async () => {
    const failure = client.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' });
    await expect(failure).rejects.toBeInstanceOf(ClickHouseError);
    await expect(failure).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    await expect(failure).rejects.toThrow(/Unknown table expression identifier 'no_such_table'/);
    // chDB alone would run a bare expression (implicit_select); a ClickHouse server does not.
    const bare = client.query({ query: 'count()', format: 'JSONEachRow' });
    await expect(bare).rejects.toMatchObject({ type: 'SYNTAX_ERROR' });
    await expect(client.command({ query: 'CREATE TABLE broken (x NoSuchType) ENGINE = Memory' })).rejects.toThrow(
      /Unknown data type family: NoSuchType/,
    );
  });

  it('answers malformed requests with 4xx and keeps serving', async () => {
    const notGzip = await fetch(`${url}/?database=${database}`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', ...authHeader },
      body: 'SELECT 1',
    });
    expect(notGzip.status).toBe(400);
    expect(await notGzip.text()).toMatch(/not valid gzip/);

    const empty = await fetch(url, { method: 'POST', body: '', headers: authHeader });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('x-clickhouse-exception-code')).toBe('62');

    const garbage = await fetch(url, { method: 'POST', body: gzipSync('SELEC 1'), headers: authHeader });
    expect(garbage.status).toBe(400);

    const badSetting = await fetch(`${url}/?max-threads=2`, { method: 'POST', body: 'SELECT 1', headers: authHeader });
    expect(badSetting.status).toBe(400);

    const readOnlyGet = await fetch(`${url}/?query=${encodeURIComponent('DROP TABLE workshop.presses')}`, { headers: authHeader });
    expect(readOnlyGet.headers.get('x-clickhouse-exception-code')).toBe('164'); // READONLY

    expect(await rows('SELECT count() AS n FROM presses')).toEqual([{ n: '5' }]);
  });

  it('keeps the data across a close and a re-open on the same data path', async () => {
    await stop();
    await start();
    expect(await rows('SELECT count() AS n FROM presses')).toEqual([{ n: '5' }]);
    expect(await rows('SELECT sum(presses) AS n FROM presses_per_minute')).toEqual([{ n: '3' }]);
  });
});
