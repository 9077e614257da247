import { createServer, type Server } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KitError, loadConfig } from '@workshop/shared';
import { stackDown, stackUp } from '../../src/native/stack.js';
import { stackPaths, serviceLogPath } from '../../src/native/paths.js';
import { isAlive, runningPid, startDetached } from '../../src/native/processes.js';
import type { NativeService } from '../../src/native/services.js';

/**
 * stack:up's failure modes, with stand-in services so the real stack is not disturbed: a port taken by
 * something else, a service that dies at start, and the idempotent second run.
 */
const config = loadConfig();
let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function sandboxPaths() {
  const root = await mkdtemp(join(tmpdir(), 'stack-test-'));
  return stackPaths({ WORKSHOP_STACK_DIR: join(root, 'stack'), WORKSHOP_CACHE_DIR: join(root, 'cache') });
}

function standIn(overrides: Partial<NativeService>): NativeService {
  return { name: 'clickhouse', ports: [], managed: true, startupTimeoutMs: 10_000, start: async () => undefined, ...overrides };
}

describe('stack:up', () => {
  it('refuses a port taken by another process and names the service and the port', async () => {
    server = createServer();
    const port = await new Promise<number>((resolve) =>
      server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)),
    );
    const service = standIn({ ports: [port], start: async () => Promise.reject(new Error('must not start')) });
    const error = await stackUp(config, () => undefined, {
      paths: await sandboxPaths(),
      services: [service],
      probe: async () => 'down',
      artifacts: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitError);
    expect((error as KitError).code).toBe('stack');
    expect((error as Error).message).toMatch(new RegExp(`^clickhouse: port ${port} is already taken by another process`));
    expect((error as KitError).hint).toContain(`ss -ltnp 'sport = :${port}'`);
  });

  it('reports a service that dies at start with its log path and the log tail', async () => {
    const paths = await sandboxPaths();
    const service = standIn({
      start: async () => {
        await startDetached({
          service: 'clickhouse',
          command: 'sh',
          args: ['-c', 'echo "fatal: cannot open data dir"; exit 3'],
          cwd: tmpdir(),
          runDir: paths.runDir,
          logPath: serviceLogPath(paths, 'clickhouse'),
        });
      },
    });
    const error = (await stackUp(config, () => undefined, {
      paths,
      services: [service],
      probe: async () => 'not answering',
      artifacts: false,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(KitError);
    expect(error.message).toMatch(/^clickhouse died while starting \(log: .*clickhouse\.log\)/);
    expect((error as KitError).logPath).toMatch(/clickhouse\.log$/);
    expect(error.message).toContain('fatal: cannot open data dir');
  });

  it('is a no-op when every service already works, and stack:down stops what it started', async () => {
    const paths = await sandboxPaths();
    let working = false;
    const service = standIn({
      start: async () => {
        await startDetached({
          service: 'clickhouse',
          command: 'sleep',
          args: ['60'],
          cwd: tmpdir(),
          runDir: paths.runDir,
          logPath: serviceLogPath(paths, 'clickhouse'),
        });
        working = true;
      },
    });
    const options = { paths, services: [service], probe: async () => (working ? undefined : 'down'), artifacts: false };
    const first = await stackUp(config, () => undefined, options);
    expect(first.started).toEqual(['clickhouse']);
    const pid = runningPid(paths.runDir, 'clickhouse');
    expect(pid).toBeGreaterThan(0);

    const second = await stackUp(config, () => undefined, options);
    expect(second.started).toEqual([]);
    expect(second.alreadyRunning).toEqual(['clickhouse']);

    expect(await stackDown(() => undefined, { paths, services: [service] })).toEqual(['clickhouse']);
    expect(isAlive(pid!)).toBe(false);
  });
});
