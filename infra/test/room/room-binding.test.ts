import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@workshop/shared';
import { certificateAddresses, ensureCertificates, type SecureCertificates } from '../../src/secure/certificates.js';
import { ensureSecureSecrets, secureStackVariables, writeSecureEnvFile } from '../../src/secure/env-file.js';
import { secureStackPaths, secureStackPorts, secureStackUsers } from '../../src/secure/layout.js';
import { hostBasedAccess } from '../../src/secure/postgres-cluster.js';
import { roomJoinBundle, roomSettingNames } from '../../src/secure/room-bundle.js';
import { secureConnectWorkerProperties, secureKafkaServerProperties } from '../../src/secure/service-configs.js';
import { secureStackRoutes } from '../../src/secure/tls-proxy.js';

/**
 * The secured stack served to a room (npm run room): its fronts on the room's address, certificates naming it, the
 * config saying it — and without a room, everything on 127.0.0.1 as before. (The stack itself: room-join.secure.test.ts.)
 */
const room = '192.0.2.50';
const storePassword = 'store-pass-for-tests';
let certsDir: string;
let certs: SecureCertificates;
const secrets = {
  'postgres-password': 'pg',
  'schema-registry-password': 'sr',
  'connect-password': 'kc',
  'keystore-password': storePassword,
};

beforeAll(async () => {
  certsDir = await mkdtemp(join(tmpdir(), 'room-certs-'));
  certs = ensureCertificates(certsDir, storePassword);
});

describe('certificates', () => {
  it('name 127.0.0.1 only without a room; a room remakes the server certificate to name its address, under the same CA', async () => {
    expect(certificateAddresses(certs.serverCertFile)).toEqual(['127.0.0.1']);
    const ca = await readFile(certs.caFile, 'utf8');
    const client = await readFile(certs.clientCertFile, 'utf8');
    ensureCertificates(certsDir, storePassword, room);
    expect(certificateAddresses(certs.serverCertFile)).toEqual(['127.0.0.1', room]);
    expect(await readFile(certs.caFile, 'utf8')).toBe(ca);
    expect(await readFile(certs.clientCertFile, 'utf8')).toBe(client);
    // Named already: left as it is (and without a room, a certificate naming one still names 127.0.0.1).
    const server = await readFile(certs.serverCertFile, 'utf8');
    ensureCertificates(certsDir, storePassword, room);
    ensureCertificates(certsDir, storePassword);
    expect(await readFile(certs.serverCertFile, 'utf8')).toBe(server);
  });
});

describe('the config', () => {
  const paths = () => ({ ...secureStackPaths(), secretsDir: join(certsDir, 'secrets') });

  it("points every client at the room's address, and the button app and board there (WORKSHOP_ROOM_BIND)", () => {
    const variables = secureStackVariables(paths(), certs, secrets, room);
    const config = parseConfig(variables);
    expect(config.kafka.brokers).toEqual([`${room}:${secureStackPorts.kafka}`]);
    for (const url of [config.schemaRegistry.url, config.connect.url, config.clickhouse.url]) expect(new URL(url).hostname).toBe(room);
    // The presenter's own clients reach PostgreSQL on 127.0.0.1, where its superuser may log in (and nowhere else).
    expect(config.postgres.host).toBe('127.0.0.1');
    expect(config.roomBind).toBe(room);
    expect(config.buttonApp.host).toBe(room);
    // Connect's worker runs beside PostgreSQL, on the presenter's machine.
    expect(config.connect.postgresJdbcUrl).toContain('//127.0.0.1:');
    // What a participant is handed: every setting a client needs, nothing of the presenter's own (paths, bind address).
    expect(roomSettingNames.filter((name) => !(name in variables))).toEqual([]);
    expect(roomSettingNames).not.toContain('WORKSHOP_ROOM_BIND');
    expect(roomSettingNames.some((name) => name.endsWith('_FILE'))).toBe(false);
  });

  it('without a room: 127.0.0.1 everywhere and no room bind, as before', () => {
    const variables = secureStackVariables(paths(), certs, secrets);
    expect(variables.KAFKA_BROKERS).toBe(`127.0.0.1:${secureStackPorts.kafka}`);
    expect(variables.WORKSHOP_ROOM_BIND).toBeUndefined();
    expect(secureStackRoutes(parseConfig(variables)).map((route) => route.listenHost)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
});

describe('what listens where', () => {
  it("Kafka's client listener on the room's address, its controller on 127.0.0.1; Connect bootstraps there", () => {
    const broker = secureKafkaServerProperties({ dataDir: '/data', certs, storePassword, host: room });
    expect(broker).toContain(
      `listeners=SSL://${room}:${secureStackPorts.kafka},CONTROLLER://127.0.0.1:${secureStackPorts.kafkaController}\n`,
    );
    expect(broker).toContain(`advertised.listeners=SSL://${room}:${secureStackPorts.kafka}\n`);
    expect(broker).toContain('ssl.client.auth=required\n');
    const worker = secureConnectWorkerProperties({
      pluginPath: [],
      dataDir: '/data',
      certs,
      storePassword,
      registry: { url: `https://${room}:${secureStackPorts.schemaRegistry}/apis/registry/v2`, username: 'u', password: 'p' },
      kafkaHost: room,
    });
    expect(worker).toContain(`bootstrap.servers=${room}:${secureStackPorts.kafka}\n`);
    // Its REST API stays behind the TLS proxy, on 127.0.0.1.
    expect(worker).toContain(`listeners=http://127.0.0.1:${secureStackPorts.connectBackend}\n`);
  });

  it("the TLS proxy's fronts on the room's address, Basic auth kept on the registry and Connect", () => {
    const routes = secureStackRoutes(
      parseConfig(secureStackVariables({ ...secureStackPaths(), secretsDir: join(certsDir, 'secrets') }, certs, secrets, room)),
    );
    expect(routes.map((route) => [route.name, route.listenHost, Boolean(route.basicAuth)])).toEqual([
      ['schema-registry', room, true],
      ['connect', room, true],
      ['clickhouse', room, false],
    ]);
    // The ClickHouse tool refuses a Host that is not its own (DNS rebinding): it is shown 127.0.0.1, not the room's name.
    expect(routes.find((route) => route.name === 'clickhouse')?.backendHost).toBe(true);
  });

  it("PostgreSQL: TLS with a password from the room's network, nothing else", () => {
    expect(hostBasedAccess({})).not.toContain('samenet');
    const lines = hostBasedAccess({ roomAddress: room })
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(lines.map((line) => line.split(/\s+/))).toEqual([
      ['hostssl', 'all', 'all', '127.0.0.1/32', 'scram-sha-256'],
      ['hostssl', 'all', secureStackUsers.postgresRoom, 'samenet', 'scram-sha-256'],
    ]);
  });
});

describe("a participant's profile (STACK=room, written by npm run join)", () => {
  it('starts and stops nothing on her machine, and says where the stack runs', async () => {
    const { roomProfile } = await import('../../src/profiles/room.js');
    const profile = roomProfile('STACK=room');
    expect(profile.capabilities.startsServices).toBe(false);
    const up = await profile.up(() => undefined);
    expect(up.started).toEqual([]);
    expect(up.summary).toContain("the room's stack runs on the presenter's machine");
    expect((await profile.down(() => undefined)).stopped).toEqual([]);
    // The room's Connect is the secured stack's: Debezium's sink as it is.
    expect(profile.jdbcSinkConfig({ 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector' }, parseConfig({}))).toEqual({
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    });
  });
});

describe('what the join endpoint hands out', () => {
  it("the room's settings at its address, its CA and Kafka client certificate; for PostgreSQL the room's user, not the superuser", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'room-stack-'));
    const paths = { ...secureStackPaths(), stackDir: dir, certsDir, secretsDir: join(dir, 'secrets'), envFile: join(dir, 'env') };
    const own = ensureSecureSecrets(paths);
    writeSecureEnvFile(paths, certs, own, room);
    const bundle = roomJoinBundle(paths);
    expect(Object.keys(bundle.variables).sort()).toEqual([...roomSettingNames].sort());
    expect(bundle.variables).toMatchObject({
      KAFKA_BROKERS: `${room}:${secureStackPorts.kafka}`,
      PGHOST: room,
      PGUSER: secureStackUsers.postgresRoom,
      PGPASSWORD: own['postgres-room-password'],
    });
    expect(Object.values(bundle.variables)).not.toContain(own['postgres-password']);
    expect(bundle.files.caPem).toBe(await readFile(certs.caFile, 'utf8'));
    expect(bundle.files.clientKey).toBe(await readFile(certs.clientKeyFile, 'utf8'));
  });
});
