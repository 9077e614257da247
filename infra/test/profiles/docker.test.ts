import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KitError, loadConfig, type WorkshopConfig } from '@workshop/shared';
import { grafanaPluginMissing, type DockerEngine, type DockerService } from '../../src/docker/stack.js';
import { dockerProfile } from '../../src/profiles/docker.js';
import { type ComposeFile, loadComposeDocument } from '../docker/compose-file.js';

/**
 * The docker profile's decisions, against a fake engine (no Docker here): what it runs, what it writes to .env (nothing),
 * which config `npm start` gets after the first `up`, what it says when something is missing.
 */

interface FakeEngine extends DockerEngine {
  calls: string[][];
}

function fakeEngine(options: { ready?: () => Promise<void>; upCode?: number } = {}): FakeEngine {
  const calls: string[][] = [];
  return {
    calls,
    ready: options.ready ?? (async () => undefined),
    async compose(args, report) {
      calls.push(args);
      report?.(`  [+] Running ${args.join(' ')}`);
      return args[0] === 'up' ? (options.upCode ?? 0) : 0;
    },
    async logTail(service) {
      return `${service}: the last lines`;
    },
    async containerState() {
      return 'running/healthy';
    },
  };
}

/** Services answer once `compose up -d` has run (a stopped stack before it). */
function probesAfterUp(engine: FakeEngine, seen: { service: DockerService; config: WorkshopConfig }[] = []) {
  return async (service: DockerService, config: WorkshopConfig) => {
    seen.push({ service, config });
    return engine.calls.some((args) => args[0] === 'up') ? undefined : `${service}: connection refused`;
  };
}

async function sandboxEnv(text: string) {
  const envFile = join(await mkdtemp(join(tmpdir(), 'docker-profile-')), '.env');
  await writeFile(envFile, text);
  return { envFile, config: () => loadConfig({ envFile, env: {} }) };
}

const quick = { pollMs: 1, pluginWaitMs: 20, startupTimeoutMs: 2000 };

describe('docker profile: the first run of npm start', () => {
  it('runs `docker compose up -d` and nothing else, writes nothing into .env, and the config after up gives Connect a JDBC URL the compose file serves', async () => {
    const { envFile, config } = await sandboxEnv('# mine\nPGUSER=postgres\n');
    const engine = fakeEngine();
    const profile = dockerProfile('test', {
      engine,
      probe: probesAfterUp(engine),
      grafanaPlugin: async () => true,
      loadConfig: config,
      ...quick,
    });

    // What npm start does (kit/src/commands/start.ts): status, up, then the config for the pipeline.
    expect((await profile.status()).every((s) => !s.working)).toBe(true);
    const before = profile.config();
    const outcome = await profile.up(() => undefined);
    const after = profile.config();

    expect(engine.calls.filter((args) => args[0] !== 'ps')).toEqual([['up', '-d']]);
    expect(await readFile(envFile, 'utf8'), '.env untouched').toBe('# mine\nPGUSER=postgres\n');
    expect(outcome.warnings).toEqual([]);
    expect(after, 'the config npm start reads after up is the one before: nothing to go stale').toEqual(before);

    // The pipeline's JDBC sink gets this URL; inside Connect's container the link listens on exactly that address.
    const url = new URL(after.connect.postgresJdbcUrl.replace(/^jdbc:/, ''));
    const link = (loadComposeDocument() as ComposeFile).services['connect-postgres-link'];
    expect(link?.network_mode).toBe('service:connect');
    expect(((link?.command ?? []) as string[]).at(-2)).toBe(`${url.hostname}:${url.port}`);
  });

  it('waits on the configured host ports: a moved PostgreSQL port (WORKSHOP_POSTGRES_PORT) is where it probes, and what Connect is given', async () => {
    const { config } = await sandboxEnv('WORKSHOP_POSTGRES_PORT=5433\n');
    const engine = fakeEngine();
    const seen: { service: DockerService; config: WorkshopConfig }[] = [];
    const profile = dockerProfile('test', {
      engine,
      probe: probesAfterUp(engine, seen),
      grafanaPlugin: async () => true,
      loadConfig: config,
      ...quick,
    });
    await profile.up(() => undefined);
    const postgres = seen.find((s) => s.service === 'postgres');
    expect(postgres?.config.postgres.port).toBe(5433);
    expect(profile.config().connect.postgresJdbcUrl).toBe('jdbc:postgresql://127.0.0.1:5433/workshop');
    expect((await profile.status()).find((s) => s.service === 'postgres')?.port).toBe(5433);
  });

  it('says in one warning when Grafana has no ClickHouse plugin (offline), and is up anyway', async () => {
    const { config } = await sandboxEnv('');
    const engine = fakeEngine();
    const profile = dockerProfile('test', {
      engine,
      probe: probesAfterUp(engine),
      grafanaPlugin: async () => false,
      loadConfig: config,
      ...quick,
    });
    const outcome = await profile.up(() => undefined);
    expect(outcome.warnings).toEqual([grafanaPluginMissing]);
    expect(grafanaPluginMissing).toMatch(/no internet\?.*docker compose restart grafana/);
  });

  it('names the service that never answers, with the end of its log', async () => {
    const { config } = await sandboxEnv('');
    const engine = fakeEngine();
    const probe = async (service: DockerService) => (service === 'connect' ? 'Connect lists no io.debezium…JdbcSinkConnector' : undefined);
    const profile = dockerProfile('test', {
      engine,
      probe,
      grafanaPlugin: async () => true,
      loadConfig: config,
      ...quick,
      startupTimeoutMs: 30,
    });
    const error = await profile.up(() => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitError);
    expect((error as Error).message).toMatch(
      /^connect did not work in time on 127\.0\.0\.1:8083: Connect lists no .*\nconnect: the last lines$/s,
    );
    expect((error as KitError).logPath).toBe('docker compose logs connect');
  });

  it('stops at once, starting nothing, when no engine answers; and when Compose fails', async () => {
    const { config } = await sandboxEnv('');
    const noEngine = fakeEngine({
      ready: async () => {
        throw new KitError('docker: no Docker engine answers (x) — start Docker, or run the native stack: STACK=native npm run stack:up');
      },
    });
    const profile = dockerProfile('test', { engine: noEngine, probe: probesAfterUp(noEngine), loadConfig: config, ...quick });
    await expect(profile.up(() => undefined)).rejects.toThrow(/no Docker engine answers/);
    expect(noEngine.calls).toEqual([]);

    const failing = fakeEngine({ upCode: 17 });
    const failingProfile = dockerProfile('test', { engine: failing, probe: probesAfterUp(failing), loadConfig: config, ...quick });
    await expect(failingProfile.up(() => undefined)).rejects.toThrow('docker compose up failed (exit 17)');
  });

  it('stops waiting when the run is interrupted (Ctrl-C during npm start)', async () => {
    const { config } = await sandboxEnv('');
    const engine = fakeEngine();
    const abort = new AbortController();
    const probe = async () => {
      abort.abort();
      return 'not yet';
    };
    const profile = dockerProfile('test', { engine, probe, loadConfig: config, ...quick, startupTimeoutMs: 60_000 });
    const t0 = Date.now();
    await expect(profile.up(() => undefined, { signal: abort.signal })).rejects.toThrow(/interrupted/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('down is `docker compose down` (the volumes stay) and says how to start over', async () => {
    const engine = fakeEngine();
    const profile = dockerProfile('test', { engine, loadConfig: () => loadConfig({ env: {} }) });
    const outcome = await profile.down(() => undefined);
    expect(engine.calls).toEqual([['down']]);
    expect(outcome.summary).toMatch(/docker compose down -v/);
  });
});

describe('docker profile: npm start stops only what it started', () => {
  it('down({ only }) stops and removes just the services that did not answer before (Connect with its PostgreSQL link); the rest keeps running', async () => {
    const { config } = await sandboxEnv('');
    const engine = fakeEngine();
    // PostgreSQL and Kafka already answer (started earlier, by hand or another run); the rest answers once up has run.
    const runningBefore: DockerService[] = ['postgres', 'kafka'];
    const probe = async (service: DockerService, c: WorkshopConfig) =>
      runningBefore.includes(service) ? undefined : probesAfterUp(engine)(service, c);
    const profile = dockerProfile('test', { engine, probe, grafanaPlugin: async () => true, loadConfig: config, ...quick });

    // What npm start does (kit/src/lifecycle/stack-for-this-run.ts): the services not answering before up, then up,
    // then — on Ctrl-C or at its end — down({ only }) with exactly those.
    const notRunningBefore = (await profile.status()).filter((s) => !s.working).map((s) => s.service);
    expect(notRunningBefore).toEqual(['schema-registry', 'connect', 'clickhouse', 'grafana']);
    await profile.up(() => undefined);
    engine.calls.length = 0;
    const outcome = await profile.down(() => undefined, { only: notRunningBefore });

    const stopped = ['schema-registry', 'connect-postgres-link', 'connect', 'clickhouse', 'grafana'];
    expect(engine.calls).toEqual([
      ['stop', ...stopped],
      ['rm', '-f', ...stopped],
    ]);
    expect(outcome.stopped).toEqual(stopped);
    expect(outcome.summary).toBe(`docker stack: stopped ${stopped.join(', ')}; the rest keeps running`);
    // Every name is a service of the compose file, and the link is the one inside Connect's network namespace.
    const services = (loadComposeDocument() as ComposeFile).services;
    for (const name of stopped) expect(services[name], name).toBeDefined();
    expect(services['connect-postgres-link']?.network_mode).toBe('service:connect');
  });

  it('down({ only }) naming every service, or what up reported it started, is `docker compose down`; naming none stops nothing', async () => {
    const { config } = await sandboxEnv('');
    const every = fakeEngine();
    const profile = (engine: FakeEngine) => dockerProfile('test', { engine, probe: probesAfterUp(engine), loadConfig: config, ...quick });
    const all = (await profile(every).status()).map((s) => s.service);
    await profile(every).down(() => undefined, { only: all });
    expect(every.calls.filter((args) => args[0] !== 'ps')).toEqual([['down']]);

    const started = fakeEngine();
    const outcome = await profile(started).up(() => undefined, {});
    await profile(started).down(() => undefined, { only: outcome.started });
    expect(started.calls).toEqual([['up', '-d'], ['down']]);

    const none = fakeEngine();
    const nothing = await profile(none).down(() => undefined, { only: [] });
    expect(none.calls).toEqual([]);
    expect(nothing).toEqual({ stopped: [], summary: 'docker stack: nothing to stop' });
  });
});
