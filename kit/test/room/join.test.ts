import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@workshop/shared';
import { readEnvFile } from '@workshop/shared/env-file';
import { ensureCertificates, type SecureCertificates } from '../../../infra/src/secure/certificates.js';
import { fetchRoomAnswer } from '../../src/room/join-client.js';
import { buildJoinServer, type JoinAnswer } from '../../src/room/join-server.js';
import { writeParticipantEnv } from '../../src/room/participant-env.js';
import { terminalQrCode } from '../../src/room/qr.js';
import { machineIpv4s, roomAddress, type Interfaces } from '../../src/room/room-address.js';
import { newRoomCode, roomCodeMatches } from '../../src/room/room-code.js';
import { joinLine, roomScreenLines } from '../../src/room/room-screen.js';

/**
 * npm run room / npm run join without a stack: the room code, the join endpoint's refusals, what join writes, the
 * address a room picks, the QR code on the presenter's screen. The whole path on the secured stack is
 * room-join.secure.test.ts.
 */

let certs: SecureCertificates;
let answer: JoinAnswer;

beforeAll(async () => {
  const certsDir = await mkdtemp(join(tmpdir(), 'room-certs-'));
  certs = ensureCertificates(certsDir, 'store-pass-for-tests');
  answer = {
    variables: {
      KAFKA_BROKERS: '192.0.2.50:19092',
      KAFKA_SSL: 'true',
      SCHEMA_REGISTRY_URL: 'https://192.0.2.50:18081/apis/ccompat/v7',
      SCHEMA_REGISTRY_USERNAME: 'workshop_registry',
      SCHEMA_REGISTRY_PASSWORD: 'sr-pass',
      CONNECT_URL: 'https://192.0.2.50:18083',
      CONNECT_USERNAME: 'workshop_connect',
      CONNECT_PASSWORD: 'kc-pass',
      PGHOST: '192.0.2.50',
      PGPORT: '15433',
      PGUSER: 'workshop_admin',
      PGPASSWORD: 'pg-pass',
      PGSSLMODE: 'verify-full',
      CLICKHOUSE_URL: 'https://192.0.2.50:18123',
      CLICKHOUSE_USER: 'workshop_admin',
      CLICKHOUSE_PASSWORD: 'ch-pass',
    },
    files: {
      caPem: await readFile(certs.caFile, 'utf8'),
      clientCert: await readFile(certs.clientCertFile, 'utf8'),
      clientKey: await readFile(certs.clientKeyFile, 'utf8'),
    },
  };
});

describe('the room code', () => {
  it('is random per room, two groups of four readable characters', () => {
    const codes = new Set(Array.from({ length: 50 }, () => newRoomCode()));
    expect(codes.size).toBe(50);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-TV-Z2-9]{4}-[A-HJKMNP-TV-Z2-9]{4}$/);
  });

  it('matches what a participant types in any case, with or without the dash; nothing else', () => {
    expect(roomCodeMatches('k7qm3xhd', 'K7QM-3XHD')).toBe(true);
    expect(roomCodeMatches('K7QM-3XHD', 'K7QM-3XHD')).toBe(true);
    expect(roomCodeMatches('K7QM-3XHE', 'K7QM-3XHD')).toBe(false);
    expect(roomCodeMatches('K7QM', 'K7QM-3XHD')).toBe(false);
    expect(roomCodeMatches(undefined, 'K7QM-3XHD')).toBe(false);
  });
});

describe('the join endpoint', () => {
  const code = 'K7QM-3XHD';
  const server = (maxWrongCodes?: number) => buildJoinServer({ code, answer: () => answer, maxWrongCodes });

  it('refuses a missing or wrong code with 403 and hands out nothing', async () => {
    const app = server();
    for (const headers of [{}, { 'x-room-code': 'K7QM-3XHE' }]) {
      const response = await app.inject({ url: '/join', headers });
      expect(response.statusCode).toBe(403);
      expect(response.body).not.toContain('PASSWORD');
      expect(response.body).not.toContain('BEGIN');
    }
  });

  it('answers the settings, credentials and CA to the right code', async () => {
    const response = await server().inject({ url: '/join', headers: { 'x-room-code': 'k7qm-3xhd' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(answer);
  });

  it('stops answering an address that sent too many wrong codes, even the right one', async () => {
    const app = server(3);
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/join', headers: { 'x-room-code': 'WRONG' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/join', headers: { 'x-room-code': code } })).statusCode).toBe(429);
  });
});

describe('npm run join against the endpoint (HTTPS)', () => {
  const code = newRoomCode();
  let port = 0;
  let strangerPort = 0;
  const apps: ReturnType<typeof buildJoinServer>[] = [];

  beforeAll(async () => {
    const tls = { cert: await readFile(certs.serverCertFile, 'utf8'), key: await readFile(certs.serverKeyFile, 'utf8') };
    const room = buildJoinServer({ code, answer: () => answer, tls });
    await room.listen({ host: '127.0.0.1', port: 0 });
    port = (room.server.address() as AddressInfo).port;
    // Someone answering in the room's place: his own certificate, the room's answer (a CA that did not sign it).
    const otherCerts = ensureCertificates(await mkdtemp(join(tmpdir(), 'other-certs-')), 'other-pass');
    const stranger = buildJoinServer({
      code,
      answer: () => answer,
      tls: { cert: await readFile(otherCerts.serverCertFile, 'utf8'), key: await readFile(otherCerts.serverKeyFile, 'utf8') },
    });
    await stranger.listen({ host: '127.0.0.1', port: 0 });
    strangerPort = (stranger.server.address() as AddressInfo).port;
    apps.push(room, stranger);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('gets the answer with the right code', async () => {
    expect(await fetchRoomAnswer({ address: '127.0.0.1', port, code, name: 'alice' })).toEqual(answer);
  });

  it('is refused with a wrong code, and says so', async () => {
    await expect(fetchRoomAnswer({ address: '127.0.0.1', port, code: 'AAAA-AAAA', name: 'alice' })).rejects.toThrow(
      'the room refused the code',
    );
  });

  it('refuses an answer whose CA did not sign the certificate shown', async () => {
    await expect(fetchRoomAnswer({ address: '127.0.0.1', port: strangerPort, code, name: 'alice' })).rejects.toThrow(
      'showed a certificate its own CA did not sign',
    );
  });

  it('says where it could not reach the room', async () => {
    await expect(fetchRoomAnswer({ address: '127.0.0.1', port: 1, code, name: 'alice' })).rejects.toThrow(
      'cannot reach the room at https://127.0.0.1:1/join',
    );
  });
});

describe('the .env join writes', () => {
  it("points the kit at the room's stack in her namespace, with absolute paths to the room's files", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'joined-'));
    const written = writeParticipantEnv({ dir, answer, name: 'alice', address: '192.0.2.50' });
    expect(written.envFile).toBe(join(dir, '.env'));
    const env = readEnvFile(written.envFile);
    expect(env).toMatchObject({ STACK: 'room', WORKSHOP_PARTICIPANT: 'alice', KAFKA_BROKERS: '192.0.2.50:19092' });
    const config = parseConfig(env);
    expect(config.participant).toBe('alice');
    expect(config.kafka.ssl).toEqual({
      caFile: join(dir, '.stack/room/ca.pem'),
      certFile: join(dir, '.stack/room/service.cert'),
      keyFile: join(dir, '.stack/room/service.key'),
    });
    expect(config.postgres).toMatchObject({
      host: '192.0.2.50',
      password: 'pg-pass',
      ssl: { rejectUnauthorized: true, caFile: written.caFile },
    });
    expect(config.extraCaFile).toBe(written.caFile);
    expect(config.clickhouse.database).toBe('workshop_alice');
    expect(await readFile(written.caFile, 'utf8')).toBe(answer.files.caPem);
    for (const secret of [written.envFile, join(dir, '.stack/room/service.key')]) expect((await stat(secret)).mode & 0o777).toBe(0o600);
  });

  it('validates the name as the namespaces do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'joined-'));
    for (const name of ['Alice', '-alice', 'al_ice', 'a'.repeat(33)]) {
      expect(() => writeParticipantEnv({ dir, answer, name, address: '192.0.2.50' })).toThrow('is not a participant name');
    }
  });

  it('leaves a .env that points elsewhere without --force, and keeps it with --force', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'joined-'));
    const aiven = 'KAFKA_BROKERS=kafka-x.aivencloud.com:12345\n';
    await writeFile(join(dir, '.env'), aiven);
    expect(() => writeParticipantEnv({ dir, answer, name: 'alice', address: '192.0.2.50' })).toThrow(
      '.env points elsewhere (KAFKA_BROKERS=kafka-x.aivencloud.com:12345)',
    );
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(aiven);
    const written = writeParticipantEnv({ dir, answer, name: 'alice', address: '192.0.2.50', force: true });
    expect(written.keptAs).toBe(join(dir, '.env.before-join'));
    expect(await readFile(join(dir, '.env.before-join'), 'utf8')).toBe(aiven);
    // The same room again (another name): no --force needed.
    writeParticipantEnv({ dir, answer, name: 'bob', address: '192.0.2.50' });
    expect(readEnvFile(join(dir, '.env')).WORKSHOP_PARTICIPANT).toBe('bob');
  });
});

describe("the presenter's screen", () => {
  it('prints the join line and a QR code of the button page that encodes its URL', async () => {
    const url = 'http://192.0.2.50:18080';
    const qr = await terminalQrCode(url);
    // Two modules per character row, plus the quiet zone: as many rows as the code for that URL needs.
    const size = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules.size;
    const rows = qr.trimEnd().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(Math.ceil(size / 2));
    expect(qr).toMatch(/[▀▄█]/);
    const lines = roomScreenLines({
      address: '192.0.2.50',
      code: 'K7QM-3XHD',
      buttonPageUrl: url,
      boardUrl: 'http://192.0.2.50:8091/',
      qrCode: qr,
    });
    expect(lines).toContain(`    ${joinLine('192.0.2.50', 'K7QM-3XHD')}`);
    expect(joinLine('192.0.2.50', 'K7QM-3XHD')).toBe('npm run join -- 192.0.2.50 --name <your name> --code K7QM-3XHD');
    expect(lines.join('\n')).toContain(rows[1]);
    expect(lines.join('\n')).toContain(url);
  });
});

describe("the room's address", () => {
  const interfaces: Interfaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    wlan0: [
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: 'aa:bb:cc:dd:ee:ff',
        internal: false,
        cidr: 'fe80::1/64',
        scopeid: 2,
      },
      {
        address: '192.168.1.20',
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: 'aa:bb:cc:dd:ee:ff',
        internal: false,
        cidr: '192.168.1.20/24',
      },
    ],
    eth1: [{ address: '10.0.0.5', netmask: '255.0.0.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:00', internal: false, cidr: '10.0.0.5/8' }],
  };

  it("defaults to the machine's first non-loopback IPv4", () => {
    expect(machineIpv4s(interfaces)).toEqual(['192.168.1.20', '10.0.0.5']);
    expect(roomAddress(undefined, interfaces)).toBe('192.168.1.20');
    expect(roomAddress('10.0.0.5', interfaces)).toBe('10.0.0.5');
  });

  it("refuses an address that is not this machine's, and a machine with none", () => {
    expect(() => roomAddress('192.168.1.99', interfaces)).toThrow("is not one of this machine's IPv4 addresses");
    expect(() => roomAddress('127.0.0.1', interfaces)).toThrow("is not one of this machine's IPv4 addresses");
    expect(() => roomAddress(undefined, { lo: interfaces.lo })).toThrow('no network address besides 127.0.0.1');
  });
});
