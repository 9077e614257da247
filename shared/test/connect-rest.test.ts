import { describe, expect, it } from 'vitest';
import { aivenJdbcSinkClass, debeziumJdbcSinkClass, toAivenJdbcSinkConfig } from '../src/aiven-jdbc-sink.js';
import { createConnectRestClient, isRebalancing } from '../src/connect-rest.js';
import { KitError } from '../src/errors.js';
import { parseConfig } from '../src/config.js';

/** The Connect REST client against a recorded fetch: URLs, methods, bodies, auth and error messages. */
function recordingFetch(responses: Record<string, [number, unknown]>) {
  const calls: { method: string; url: string; body?: string; auth?: string }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ method: init.method ?? 'GET', url, body: init.body as string | undefined, auth: headers.authorization });
    const [status, body] = responses[`${init.method} ${url}`] ?? [404, { error_code: 404, message: 'not found' }];
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('Kafka Connect REST client', () => {
  const config = parseConfig({ CONNECT_URL: 'http://connect:8083', CONNECT_USERNAME: 'u', CONNECT_PASSWORD: 'p' });

  it('creates or updates a connector with PUT /connectors/{name}/config (idempotent) and sends basic auth', async () => {
    const { calls, fetchImpl } = recordingFetch({ 'PUT http://connect:8083/connectors/my%20sink/config': [201, { name: 'my sink' }] });
    await createConnectRestClient(config, fetchImpl).putConnectorConfig('my sink', { 'connector.class': 'X' });
    expect(calls).toEqual([
      {
        method: 'PUT',
        url: 'http://connect:8083/connectors/my%20sink/config',
        body: '{"connector.class":"X"}',
        auth: `Basic ${Buffer.from('u:p').toString('base64')}`,
      },
    ]);
  });

  it("returns undefined for an unknown connector, and Connect's own message for a bad config", async () => {
    const { fetchImpl } = recordingFetch({
      'PUT http://connect:8083/connectors/bad/config': [
        400,
        { error_code: 400, message: 'Connector configuration is invalid: topics is required' },
      ],
    });
    const client = createConnectRestClient(config, fetchImpl);
    expect(await client.getConnectorStatus('missing')).toBeUndefined();
    expect(await client.deleteConnector('missing')).toBe(false);
    const error = await client.putConnectorConfig('bad', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitError);
    expect(error).toMatchObject({ code: 'connect-rest' });
    expect((error as Error).message).toBe(
      'Kafka Connect PUT /connectors/bad/config → 400: Connector configuration is invalid: topics is required',
    );
  });

  it('says the stack is down when nothing answers', async () => {
    const refusing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(createConnectRestClient(config, refusing).listConnectors()).rejects.toThrow(
      'Kafka Connect is not answering on http://connect:8083 — is the stack up? (npm run stack:status)',
    );
  });
  it('asks again while the worker rebalances (many connectors deployed at once on a shared stack), then reports what Connect says', async () => {
    const answers: [number, unknown][] = [
      [500, { error_code: 500, message: 'Request cannot be completed because a rebalance is expected' }],
      [
        409,
        {
          error_code: 409,
          message: 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
        },
      ],
      [200, { topics: 't' }],
    ];
    let calls = 0;
    const fetchImpl = (async () => {
      const [status, body] = answers[Math.min(calls++, answers.length - 1)]!;
      return new Response(JSON.stringify(body), { status });
    }) as unknown as typeof fetch;
    expect(await createConnectRestClient(config, fetchImpl).getConnectorConfig('s')).toEqual({ topics: 't' });
    expect(calls).toBe(3);
    expect(isRebalancing({ status: 409, json: { message: 'Connector s already exists' } })).toBe(false);
  });
});

describe('Kafka Connect REST client on a stack whose Connect runs Aiven’s JDBC sink (CONNECT_JDBC_SINK=aiven)', () => {
  const aiven = parseConfig({
    CONNECT_URL: 'https://connect.example:443',
    CONNECT_USERNAME: 'avnadmin',
    CONNECT_PASSWORD: 'c',
    CONNECT_JDBC_SINK: 'aiven',
    CONNECT_JDBC_URL: 'jdbc:postgresql://pg.example:1234/workshop?sslmode=require',
    SCHEMA_REGISTRY_URL: 'https://registry.example:444',
    SCHEMA_REGISTRY_USERNAME: 'avnadmin',
    SCHEMA_REGISTRY_PASSWORD: 'r',
  });
  const debezium: Record<string, string> = {
    'connector.class': debeziumJdbcSinkClass,
    topics: 'button_presses',
    'connection.url': 'jdbc:postgresql://pg.example:1234/workshop?sslmode=require&stringtype=unspecified',
    'connection.username': 'avnadmin',
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_value',
    'primary.key.fields': 'session_id,count',
    'collection.name.format': 'button_presses',
    transforms: 'validate',
    'transforms.validate.type': 'workshop.connect.ValidateButtonPress',
  };
  const path = 'https://connect.example:443/connectors/sink/config';

  /** A Connect that keeps what it is given and returns it with its name, as Connect does. */
  function keepingFetch() {
    let stored: Record<string, string> | undefined;
    const bodies: Record<string, string>[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      if (url !== path) return new Response(null, { status: 404 });
      if (init.method === 'PUT') {
        stored = JSON.parse(init.body as string) as Record<string, string>;
        bodies.push(stored);
        return new Response(JSON.stringify({ name: 'sink', config: stored }), { status: 201 });
      }
      return new Response(JSON.stringify({ ...stored, name: 'sink' }), { status: stored ? 200 : 404 });
    }) as unknown as typeof fetch;
    return {
      fetchImpl,
      bodies,
      replace: (config: Record<string, string>) => {
        stored = config;
      },
    };
  }

  it("sends a step's Debezium config as Aiven's JDBC sink config — the step's code is the same on every stack", async () => {
    const connect = keepingFetch();
    await createConnectRestClient(aiven, connect.fetchImpl).putConnectorConfig('sink', debezium);
    expect(connect.bodies).toEqual([toAivenJdbcSinkConfig(debezium, aiven)]);
    const sent = connect.bodies[0] ?? {};
    expect(sent['connector.class']).toBe(aivenJdbcSinkClass);
    expect(sent['pk.mode']).toBe('record_value');
    expect(sent['value.converter.basic.auth.user.info'], "Karapace's credentials, from the config").toBe('avnadmin:r');
    expect(sent.transforms, "the kit's transform, which Aiven's Connect cannot load, is left out").toBeUndefined();
  });

  it('reads back what the step deployed, so a step can compare it with its own config; anything else as Connect has it', async () => {
    const connect = keepingFetch();
    const client = createConnectRestClient(aiven, connect.fetchImpl);
    await client.putConnectorConfig('sink', debezium);
    expect(await client.getConnectorConfig('sink')).toEqual({ ...debezium, name: 'sink' });

    // Changed behind this client's back (another process, the console): Connect's config as it is.
    connect.replace({ 'connector.class': aivenJdbcSinkClass, 'pk.mode': 'none' });
    expect(await client.getConnectorConfig('sink')).toEqual({ 'connector.class': aivenJdbcSinkClass, 'pk.mode': 'none', name: 'sink' });
  });

  it('leaves every other connector, and every config on a stack with Debezium’s sink, as it is', async () => {
    const other = { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', topics: 't', file: '/tmp/x' };
    const onAiven = keepingFetch();
    await createConnectRestClient(aiven, onAiven.fetchImpl).putConnectorConfig('sink', other);
    expect(onAiven.bodies).toEqual([other]);

    const local = keepingFetch();
    const localConfig = parseConfig({ CONNECT_URL: 'https://connect.example:443' });
    expect(localConfig.connect.jdbcSink).toBe('debezium');
    await createConnectRestClient(localConfig, local.fetchImpl).putConnectorConfig('sink', debezium);
    expect(local.bodies).toEqual([debezium]);
  });

  it("refuses, before anything is sent, a Debezium key Aiven's sink has no equivalent for — naming it", async () => {
    const connect = keepingFetch();
    const error = await createConnectRestClient(aiven, connect.fetchImpl)
      .putConnectorConfig('sink', { ...debezium, 'field.include.list': 'a' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitError);
    expect((error as Error).message).toMatch(/no Aiven JDBC sink equivalent for field\.include\.list/);
    expect(connect.bodies).toEqual([]);
  });
});
