import { once } from 'node:events';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPorts, parseConfig } from '@workshop/shared';
import { ensureCertificates, type SecureCertificates } from '../../src/secure/certificates.js';
import { secureStackVariables } from '../../src/secure/env-file.js';
import { secureStackPaths, secureStackPorts } from '../../src/secure/layout.js';
import { secureConnectWorkerProperties, secureKafkaServerProperties, withProperties } from '../../src/secure/service-configs.js';
import { listenTlsProxies } from '../../src/secure/tls-proxy.js';

/**
 * The secured stack without its services: the certificates it makes, the config it gives the steps (the Aiven variables,
 * TLS and a credential for every service), the Kafka and Connect files it writes, and the TLS proxy's refusals.
 */

let certsDir: string;
let certs: SecureCertificates;
const storePassword = 'store-pass-for-tests';

beforeAll(async () => {
  certsDir = await mkdtemp(join(tmpdir(), 'secure-certs-'));
  certs = ensureCertificates(certsDir, storePassword);
});

describe('certificates', () => {
  it('keeps private keys and keystores to the owner (0600) and makes them once', async () => {
    for (const secret of [certs.serverKeyFile, certs.clientKeyFile, certs.brokerKeystore, certs.clientKeystore, certs.truststore]) {
      expect((await stat(secret)).mode & 0o777, secret).toBe(0o600);
    }
    const before = await readFile(certs.caFile, 'utf8');
    ensureCertificates(certsDir, storePassword);
    expect(await readFile(certs.caFile, 'utf8')).toBe(before);
  });
});

describe('the config it gives the steps', () => {
  const paths = () => ({ ...secureStackPaths(), secretsDir: join(certsDir, 'secrets') });
  const secrets = {
    'postgres-password': 'pg',
    'schema-registry-password': 'sr',
    'connect-password': 'kc',
    'keystore-password': storePassword,
  };

  it('asks for TLS and a credential on every service, with absolute certificate paths', () => {
    const config = parseConfig(secureStackVariables(paths(), certs, secrets));
    expect(config.kafka.ssl).toEqual({ caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile });
    for (const url of [config.schemaRegistry.url, config.connect.url, config.clickhouse.url]) expect(url).toMatch(/^https:\/\//);
    expect(config.schemaRegistry.auth?.password).toBe('sr');
    expect(config.connect.auth?.password).toBe('kc');
    expect(config.postgres).toMatchObject({
      user: 'workshop_admin',
      password: 'pg',
      ssl: { rejectUnauthorized: true, caFile: certs.caFile },
    });
    expect(config.connect.postgresJdbcUrl).toMatch(/\?sslmode=require$/);
    expect(config.clickhouse.username).not.toBe('default');
    expect(config.clickhouse.password).not.toBe('');
  });

  it("uses none of the plain stack's ports, so both run at once", () => {
    const plain = new Set<number>(Object.values(defaultPorts));
    expect(Object.values(secureStackPorts).filter((port) => plain.has(port))).toEqual([]);
    expect(new Set(Object.values(secureStackPorts)).size).toBe(Object.values(secureStackPorts).length);
  });
});

describe('Kafka and Connect files', () => {
  it('replaces a key in place and adds the ones the base lacks', () => {
    expect(withProperties('# c\na=1\nb=2\n', { b: '3', c: '4' })).toBe(
      '# c\na=1\nb=3\n# Secured stack (infra/src/secure/service-configs.ts)\nc=4\n',
    );
  });

  it('the broker: SSL on every listener, client certificates required, no plaintext listener left', () => {
    const properties = secureKafkaServerProperties({ dataDir: '/d', certs, storePassword });
    expect(properties).toContain(
      `listeners=SSL://127.0.0.1:${secureStackPorts.kafka},CONTROLLER://127.0.0.1:${secureStackPorts.kafkaController}\n`,
    );
    expect(properties).toContain('listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL\n');
    expect(properties).toContain('ssl.client.auth=required\n');
    expect(properties).not.toMatch(/PLAINTEXT/);
    expect(properties).not.toContain(`:${defaultPorts.kafka}`);
  });

  it("the worker: SSL for itself and for its connectors' consumers, producers and admins; the registry over HTTPS with Basic auth", () => {
    const properties = secureConnectWorkerProperties({
      pluginPath: ['/p'],
      dataDir: '/d',
      certs,
      storePassword,
      registry: { url: 'https://127.0.0.1:18081/apis/registry/v2', username: 'u', password: 'p' },
    });
    for (const prefix of ['', 'producer.', 'consumer.', 'admin.']) {
      expect(properties).toContain(`\n${prefix}security.protocol=SSL\n`);
      expect(properties).toContain(`\n${prefix}ssl.keystore.location=${certs.clientKeystore}\n`);
    }
    expect(properties).toContain('value.converter.apicurio.registry.url=https://127.0.0.1:18081/apis/registry/v2\n');
    expect(properties).toContain('value.converter.apicurio.auth.username=u\n');
    expect(properties).toContain(`value.converter.apicurio.registry.request.ssl.truststore.location=${certs.truststore}\n`);
    expect(properties).toContain(`listeners=http://127.0.0.1:${secureStackPorts.connectBackend}\n`);
    expect(properties).toContain(`bootstrap.servers=127.0.0.1:${secureStackPorts.kafka}\n`);
  });
});

describe('the TLS proxy', () => {
  let backend: Server;
  let proxies: Awaited<ReturnType<typeof listenTlsProxies>>;
  let seen: IncomingHttpHeaders | undefined;
  const auth = { username: 'registry-user', password: 'registry-pass' };
  let ports: { guarded: number; open: number; dead: number };

  beforeAll(async () => {
    backend = createServer((req, res) => {
      seen = req.headers;
      res.end(JSON.stringify({ path: req.url }));
    }).listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const backendPort = (backend.address() as AddressInfo).port;
    const tls = { cert: await readFile(certs.serverCertFile, 'utf8'), key: await readFile(certs.serverKeyFile, 'utf8') };
    proxies = await listenTlsProxies(
      [
        { name: 'guarded', listenPort: 0, backendPort, basicAuth: auth },
        { name: 'open', listenPort: 0, backendPort },
        // Nothing listens on port 1.
        { name: 'dead', listenPort: 0, backendPort: 1 },
      ],
      tls,
    );
    const [guarded, open, dead] = proxies.map((server) => (server.address() as AddressInfo).port);
    ports = { guarded: guarded ?? 0, open: open ?? 0, dead: dead ?? 0 };
  });

  afterAll(() => {
    backend.close();
    for (const proxy of proxies) proxy.close();
  });

  async function get(port: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const ca = await readFile(certs.caFile, 'utf8');
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/subjects?x=1', ca, headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('answers 401 without credentials or with wrong ones, and the service never sees the request', async () => {
    seen = undefined;
    expect((await get(ports.guarded)).status).toBe(401);
    expect((await get(ports.guarded, basic(auth.username, 'wrong'))).status).toBe(401);
    expect(seen).toBeUndefined();
  });

  it('passes a request with the right credentials on, path intact, without the credential', async () => {
    const answer = await get(ports.guarded, basic(auth.username, auth.password));
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ path: '/subjects?x=1' }) });
    expect(seen?.authorization).toBeUndefined();
  });

  it('leaves the credential to a service that checks its own (ClickHouse)', async () => {
    await get(ports.open, basic('someone', 'their-password'));
    expect(seen?.authorization).toBe(basic('someone', 'their-password').authorization);
  });

  it('says which service does not answer behind it (502)', async () => {
    const answer = await get(ports.dead);
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('dead behind the TLS proxy does not answer');
  });

  it('speaks TLS only: a plain HTTP request gets no HTTP answer', async () => {
    await expect(fetch(`http://127.0.0.1:${ports.open}/`)).rejects.toThrow();
  });
});
