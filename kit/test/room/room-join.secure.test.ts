import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPool, loadConfig, namesFor, type WorkshopConfig } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { namespaceObjects } from '../../src/room/namespace-objects.js';
import { rehearsalTag } from '../../src/room/rehearsal.js';
import { machineIpv4s } from '../../src/room/room-address.js';

/**
 * The room end to end (issue 17), on this machine's own non-loopback address: `npm run room` starts the secured stack
 * there, two participants `npm run join` into checkouts of their own (temporary folders), and step 02's tests pass on
 * the reference solution through each one's joined .env — in each one's namespace. Anonymous requests get nothing
 * but the button page and the board. Ctrl-C closes the room and stops the stack it started.
 *
 * Needs the secured stack stopped (the room starts it on the room's address) and about 2 minutes:
 *   STACK=secure npx vitest run kit/test/room/room-join.secure.test.ts
 * (*.secure.test.ts: left out of npm run test:unit and of npm test's plain-stack stages.)
 */
const onSecuredStack = process.env.STACK === 'secure';
const address = machineIpv4s()[0] ?? '';
const tag = rehearsalTag();
const participants = [`alice-${tag}`, `bob-${tag}`] as const;
const nodeArgs = ['--import', 'tsx'];
// The children get a clean environment: no STACK, no WORKSHOP_* of this shell.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'STACK' && !name.startsWith('WORKSHOP_')));

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...cleanEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

const join_ = (dir: string, name: string, code: string) =>
  run(process.execPath, [...nodeArgs, 'kit/src/commands/join.ts', address, '--name', name, '--code', code, '--dir', dir]);

function portAnswers(port: number, host = address): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe.runIf(onSecuredStack && address !== '')(`a room on ${address}`, () => {
  let room: ChildProcess;
  let roomOutput = '';
  let roomCode = '';
  const dirs: Record<string, string> = {};
  const configs: Record<string, WorkshopConfig> = {};

  beforeAll(async () => {
    room = spawn(process.execPath, [...nodeArgs, 'kit/src/commands/room.ts', '--address', address], {
      cwd: repoRoot,
      env: cleanEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    room.stdout?.on('data', (chunk: Buffer) => (roomOutput += chunk.toString()));
    room.stderr?.on('data', (chunk: Buffer) => (roomOutput += chunk.toString()));
    const deadline = Date.now() + 300_000;
    while (!/Ctrl-C closes the room/.test(roomOutput)) {
      if (room.exitCode !== null || Date.now() > deadline) throw new Error(`npm run room did not open the room:\n${roomOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    roomCode = /Room code\s+([A-Z0-9-]+)/.exec(roomOutput)?.[1] ?? '';
  }, 320_000);

  afterAll(async () => {
    if (!room || room.exitCode !== null) return;
    room.kill('SIGINT');
    await new Promise((resolve) => room.once('close', resolve));
  }, 120_000);

  it('shows the join line with a room code, and a QR code of the button page on the room address', () => {
    expect(roomCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(roomOutput).toContain(`npm run join -- ${address} --name <your name> --code ${roomCode}`);
    expect(roomOutput).toContain(`Phones: scan to press the button — http://${address}:`);
    expect(roomOutput).toMatch(/[▀▄█]{3}/);
  });

  it('answers anonymous requests with the button page and the board only', async () => {
    const buttonPage = /scan to press the button — (\S+)/.exec(roomOutput)?.[1] ?? '';
    const board = /Board\s+(\S+)/.exec(roomOutput)?.[1] ?? '';
    expect((await fetch(buttonPage)).status).toBe(200);
    expect((await fetch(board)).status).toBe(200);
    // The room's own config, trusting its CA as a joined participant does (WORKSHOP_CA_FILE).
    const secured = join(repoRoot, '.stack/secure');
    const config = loadConfig({ envFile: join(secured, 'env'), env: { WORKSHOP_CA_FILE: join(secured, 'certs/ca.pem') } });
    const anonymous = [
      `${config.schemaRegistry.url}/subjects`,
      `${config.connect.url}/connectors`,
      `${config.clickhouse.url}/?query=SELECT%201`,
    ];
    for (const url of anonymous) {
      expect(new URL(url).hostname).toBe(address);
      const status = (await fetch(url)).status;
      expect([401, 403], url).toContain(status);
    }
  });

  it('refuses a wrong code: nothing is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'room-wrong-'));
    const wrong = await join_(dir, participants[0], 'AAAA-AAAA');
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('the room refused the code');
    expect(existsSync(join(dir, '.env'))).toBe(false);
  });

  it('lets two participants join, each into her own checkout and namespace', async () => {
    for (const name of participants) {
      dirs[name] = await mkdtemp(join(tmpdir(), `room-${name}-`));
      const joined = await join_(dirs[name]!, name, roomCode.toLowerCase());
      expect(joined.code, joined.output).toBe(0);
      configs[name] = loadConfig({ envFile: join(dirs[name]!, '.env'), env: {} });
      expect(configs[name]!.participant).toBe(name);
      expect(configs[name]!.kafka.brokers[0]).toBe(`${address}:19092`);
    }
    expect(roomOutput).toContain(`joined: ${participants[0]}`);
  });

  it("PostgreSQL on the room's address: the room's user, no superuser; the presenter's superuser is refused there", async () => {
    const participant = configs[participants[0]];
    expect(participant?.postgres.user).toBe('workshop_room');
    const pool = createPostgresPool(participant as WorkshopConfig, { max: 1 });
    try {
      const { rows } = await pool.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(rows[0]?.rolsuper).toBe(false);
    } finally {
      await pool.end();
    }
    const secured = join(repoRoot, '.stack/secure');
    const presenter = loadConfig({ envFile: join(secured, 'env'), env: {} });
    const superuser = createPostgresPool({ ...presenter, postgres: { ...presenter.postgres, host: address } }, { max: 1 });
    try {
      await expect(superuser.query('SELECT 1')).rejects.toThrow(/pg_hba\.conf/);
    } finally {
      await superuser.end();
    }
  });

  it("passes step 02's tests on the solution through each joined .env, in each one's namespace", async () => {
    const results = await Promise.all(
      participants.map((name) =>
        run('npx', ['vitest', 'run'], {
          cwd: join(repoRoot, 'steps/02-produce-json'),
          env: { WORKSHOP_ENV_FILE: join(dirs[name]!, '.env'), WORKSHOP_TARGET: 'solution', WORKSHOP_BOARD: 'off' },
        }),
      ),
    );
    for (const result of results) {
      expect(result.code, result.output.slice(-3000)).toBe(0);
      expect(result.output).toMatch(/Tests\s+.*\d+ passed/);
    }
    for (const name of participants) {
      const objects = await namespaceObjects(configs[name]!, name);
      expect(objects.topics.length).toBeGreaterThan(0);
      expect(objects.topics.every((topic) => topic.startsWith(namesFor(name).kafkaPrefix))).toBe(true);
    }
  }, 180_000);

  it("a participant's stack:reset (STACK=room) empties her namespace on the room's stack, and starts nothing", async () => {
    for (const name of participants) {
      const reset = await run(process.execPath, [...nodeArgs, 'infra/src/commands/stack.ts', 'reset', '--yes'], {
        env: { STACK: 'room', WORKSHOP_ENV_FILE: join(dirs[name]!, '.env') },
      });
      expect(reset.code, reset.output).toBe(0);
      expect(reset.output).toContain(`Resetting ${name}'s namespace`);
      expect(reset.output).not.toMatch(/: starting/);
      expect((await namespaceObjects(configs[name]!, name)).topics).toEqual([]);
    }
  }, 120_000);

  it('Ctrl-C closes the room: the stack it started stops', async () => {
    room.kill('SIGINT');
    await new Promise((resolve) => room.once('close', resolve));
    expect(roomOutput).toContain('room closed');
    for (const port of [19092, 18081, 18083, 15433, 18123]) expect(await portAnswers(port), String(port)).toBe(false);
  }, 120_000);
});
