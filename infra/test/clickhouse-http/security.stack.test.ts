import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseError } from '@clickhouse/client';
import { createClickHouse, loadConfig } from '@workshop/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseStackProfile, profileEnvironment } from '../../src/profiles/index.js';

// The running stack's ClickHouse, attacked the way a web page open on the laptop and a curious participant would
// (issue 14). On the native stack it is chDB behind infra/src/clickhouse-http; the docker and cloud stacks run a real
// ClickHouse with a password, which refuses these through its own access control, so the suite is the native one's.
const config = loadConfig();
const { profile } = await chooseStackProfile(profileEnvironment());
const base = config.clickhouse.url;
const client = createClickHouse(config, { quiet: true });
const basicAuth = `Basic ${Buffer.from(`${config.clickhouse.username}:${config.clickhouse.password}`).toString('base64')}`;
const probeTable = `security_probe_${process.pid}`;

afterAll(async () => {
  await client.command({ query: `DROP TABLE IF EXISTS ${probeTable}` });
  await client.close();
});

/** What a participant's client shows: ClickHouse's code and the message. */
async function refusal(query: string, settings: Record<string, string | number> = {}) {
  const error = await client.command({ query, clickhouse_settings: settings }).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, `${query} ran`).toBeInstanceOf(ClickHouseError);
  return error as ClickHouseError;
}

async function tableExists(name: string): Promise<boolean> {
  const result = await client.query({ query: 'EXISTS TABLE {name:Identifier}', query_params: { name }, format: 'JSONEachRow' });
  const [row] = await result.json<{ result: number }>();
  return Number(row?.result) === 1;
}

describe.runIf(profile === 'native')('the local ClickHouse refuses a web page open in the browser', () => {
  it('refuses a cross-origin text/plain POST (no preflight needed) and runs nothing of it', async () => {
    const response = await fetch(`${base}/`, {
      method: 'POST',
      headers: { Origin: 'https://attacker.example', 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'cross-site' },
      body: `CREATE TABLE workshop.${probeTable} (a UInt8) ENGINE = Memory`,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).toMatch(/requests from web pages are refused.*\(ACCESS_DENIED\)/);
    expect(await tableExists(probeTable)).toBe(false);
  });

  it('refuses an <img src> GET (Sec-Fetch-Site: cross-site, no Origin) even with the password in the URL', async () => {
    const query = encodeURIComponent('SELECT 1');
    const response = await fetch(`${base}/?query=${query}&user=default&password=${config.clickhouse.password}`, {
      headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('497');
  });

  it('refuses a rebinding Host header (a foreign name resolved to 127.0.0.1)', async () => {
    const { request } = await import('node:http');
    const url = new URL(base);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { Host: 'rebind.attacker.example', Authorization: basicAuth },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('SELECT 1');
    });
    expect(status).toBe(403);
  });

  it('refuses a request without credentials, or with a wrong password, as ClickHouse does (516)', async () => {
    const anonymous = await fetch(`${base}/`, { method: 'POST', body: 'SELECT 1' });
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await anonymous.text()).toMatch(/default: Authentication failed: password is incorrect, or there is no user with such name/);
    const guessed = createClickHouse({ ...config, clickhouse: { ...config.clickhouse, password: 'default' } }, { quiet: true });
    try {
      await expect(guessed.query({ query: 'SELECT 1' })).rejects.toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    } finally {
      await guessed.close();
    }
  });
});

describe.runIf(profile === 'native')('the local ClickHouse keeps SQL inside its databases', () => {
  it('refuses file() reads and writes, url(), s3() and remote(), and writes no file', async () => {
    const written = join(tmpdir(), `security-probe-${process.pid}.csv`);
    for (const query of [
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      "SELECT file('/etc/hostname')",
      `INSERT INTO FUNCTION file('${written}', 'CSV', 'a String') SELECT 'x'`,
      `SELECT * FROM url('http://127.0.0.1:8083/connectors', 'LineAsString')`,
      "SELECT * FROM s3('http://127.0.0.1:9000/bucket/x.csv')",
      "SELECT * FROM remote('127.0.0.1:9000', system.one)",
      `CREATE TABLE ${probeTable} (a String) ENGINE = File(CSV)`,
      "CREATE DATABASE security_probe_fs ENGINE = Filesystem('/')",
      `SELECT 1 INTO OUTFILE '${written}'`,
    ]) {
      const error = await refusal(query);
      expect(error.message, query).toMatch(/not allowed/);
      expect(['497', '358'], query).toContain(error.code);
    }
    expect(existsSync(written)).toBe(false);
  });

  it("does not read files through the default database's filesystem overlay", async () => {
    const error = await refusal('SELECT * FROM default.`/etc/hostname`');
    expect(error.type).toBe('UNKNOWN_TABLE');
  });

  it('keeps a GET read-only: readonly=0 in the URL is refused by the engine (164) and creates nothing', async () => {
    const create = encodeURIComponent(`CREATE TABLE workshop.${probeTable} (a UInt8) ENGINE = Memory`);
    const response = await fetch(`${base}/?readonly=0&query=${create}`, { headers: { Authorization: basicAuth } });
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('164');
    expect(await response.text()).toMatch(/Cannot modify 'readonly' setting in readonly mode/);
    expect(await tableExists(probeTable)).toBe(false);
  });

  it('refuses several statements in one request, as a ClickHouse server does, and runs none of them', async () => {
    const error = await refusal(
      `CREATE TABLE ${probeTable} (a UInt8) ENGINE = Memory; CREATE TABLE ${probeTable}_2 (a UInt8) ENGINE = Memory`,
    );
    expect(error.type).toBe('SYNTAX_ERROR');
    expect(error.message).toMatch(/Multi-statements are not allowed/);
    expect(await tableExists(probeTable)).toBe(false);
  });
});

describe.runIf(profile === 'native')('the local ClickHouse keeps answering beside a long query', () => {
  it('stops a query at its time limit while SELECT 1 answers in under a second', async () => {
    // Lowering the limit is allowed (a settings profile's max); the query would otherwise run for minutes.
    const long = client
      .query({
        query: 'SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 0',
        clickhouse_settings: { max_execution_time: 3 },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the long query holds its slot by now
    const started = performance.now();
    const ping = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await ping.json()).toEqual([{ one: 1 }]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await long).toMatchObject({ code: '159', type: 'TIMEOUT_EXCEEDED' });
  });

  it('refuses lifting the time limit (0 or above it), with the error of a settings constraint', async () => {
    for (const value of [0, 3600]) {
      const error = await refusal('SELECT 1', { max_execution_time: value });
      expect(error.type).toBe('SETTING_CONSTRAINT_VIOLATION');
    }
    const inSql = await refusal('SELECT 1 SETTINGS max_execution_time = 0');
    expect(inSql.type).toBe('SETTING_CONSTRAINT_VIOLATION');
  });
});
