import { describe, expect, it } from 'vitest';
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
