import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { defaultPorts, KitError, type ServiceName, type WorkshopConfig } from '@workshop/shared';
import { stackPaths, type StackPaths } from '../native/paths.js';
import { probes } from '../native/probes.js';
import { dockerEngineAnswers, findComposeCommand, runWithDeadline, type ComposeCommand, type EngineAnswer } from './engine.js';
import { grafanaClickhousePluginId } from './images.js';

/**
 * `stack:up | stack:down | stack:status` on the docker stack: a thin layer over `docker compose up -d`. The compose
 * file does the work on its own (init services: Connect's plugins, PostgreSQL's role and database, the registry's
 * rule; Connect reaches PostgreSQL at this machine's address through connect-postgres-link), so `stack:up` writes
 * nothing, runs nothing else, and only waits until the native stack's probes (infra/src/native/probes.ts) and
 * Grafana's health answer on the configured host ports. The engine is an interface, so every decision here is
 * tested without Docker (infra/test/profiles/docker.test.ts).
 */

export type DockerService = ServiceName | 'grafana';

/** The long-running services, in dependency order, as docker-compose.yml starts them. */
export const dockerServices: DockerService[] = ['postgres', 'kafka', 'schema-registry', 'connect', 'clickhouse', 'grafana'];

/** The host port a service answers on under `config` (WORKSHOP_*_PORT moves them: shared/src/config.ts). */
export function hostPort(service: DockerService, config: WorkshopConfig): number {
  const portOf = (url: string, fallback: number) => Number(new URL(url).port) || fallback;
  switch (service) {
    case 'postgres':
      return config.postgres.port;
    case 'kafka':
      return Number(config.kafka.brokers[0]?.split(':').pop()) || defaultPorts.kafka;
    case 'schema-registry':
      return portOf(config.schemaRegistry.url, defaultPorts.schemaRegistry);
    case 'connect':
      return portOf(config.connect.url, defaultPorts.connect);
    case 'clickhouse':
      return portOf(config.clickhouse.url, defaultPorts.clickhouseHttp);
    case 'grafana':
      return portOf(config.grafana.url, defaultPorts.grafana);
  }
}

export function noEngineMessage(answer: EngineAnswer): string {
  return `docker: no Docker engine answers (${answer.reason ?? 'docker info failed'}) — start Docker, or run the native stack: STACK=native npm run stack:up`;
}

/** What the kit asks of Docker: the seam the profile's tests replace with a fake. */
export interface DockerEngine {
  /** Throws a KitError (one line) when no engine answers or no Compose is installed. */
  ready(): Promise<void>;
  /** `docker compose -f docker-compose.yml <args>`; resolves to the exit code, Compose's lines go to `report`. */
  compose(args: string[], report?: (line: string) => void): Promise<number>;
  /** The last lines of a service's log. */
  logTail(service: string, lines: number): Promise<string>;
  /** The container's state and health as the engine reports them, e.g. `running/healthy`, or `no container`. */
  containerState(service: string): Promise<string>;
}

export function composeFile(paths: StackPaths): string {
  return join(paths.repoRoot, 'docker-compose.yml');
}

/** The real engine: the `docker` CLI and whichever Compose it has, on docker-compose.yml at the root. */
export function dockerCliEngine(options: { paths?: StackPaths; env?: NodeJS.ProcessEnv } = {}): DockerEngine {
  const paths = options.paths ?? stackPaths(options.env);
  let command: ComposeCommand | undefined;
  const composeArgs = (args: string[]) => [...(command?.prefixArgs ?? []), '-f', composeFile(paths), ...args];
  return {
    async ready() {
      const engine = await dockerEngineAnswers({ env: options.env });
      // No hint: the message already says what to do, and stack:up's test (infra/test/profiles) pins it as one line.
      if (!engine.answers) throw new KitError(noEngineMessage(engine), { code: 'docker-stack' });
      command = await findComposeCommand(options.env);
      if (!command) {
        throw new KitError('docker: neither `docker compose` nor `docker-compose` is installed', {
          code: 'docker-stack',
          hint: 'install Docker Compose (https://docs.docker.com/compose/install/), or run the native stack: STACK=native npm run stack:up',
        });
      }
    },
    compose(args, report) {
      return new Promise((resolve, reject) => {
        if (!command) throw new Error('dockerCliEngine: ready() first');
        const child = spawn(command.command, composeArgs(args), {
          cwd: paths.repoRoot,
          env: options.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const forward = (chunk: Buffer) => {
          for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) report?.(`  ${line.trimEnd()}`);
        };
        child.stdout.on('data', forward);
        child.stderr.on('data', forward);
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? 1));
      });
    },
    async logTail(service, lines) {
      if (!command) return '';
      const tail = await runWithDeadline(command.command, composeArgs(['logs', '--tail', String(lines), service]), {
        timeoutMs: 10_000,
        cwd: paths.repoRoot,
      });
      return tail.stdout.trimEnd();
    },
    async containerState(service) {
      if (!command) return 'unknown';
      const id = await runWithDeadline(command.command, composeArgs(['ps', '-q', service]), { timeoutMs: 10_000, cwd: paths.repoRoot });
      const containerId = id.stdout.trim().split('\n')[0];
      if (id.code !== 0 || !containerId) return 'no container';
      const state = await runWithDeadline(
        'docker',
        ['inspect', '--format', '{{.State.Status}}{{if .State.Health}}/{{.State.Health.Status}}{{end}}', containerId],
        { timeoutMs: 10_000 },
      );
      return state.code === 0 ? state.stdout.trim() : 'unknown';
    },
  };
}

/** Does the service do its job, on the host port of `config`? (undefined: yes; else why not) */
export type DockerProbe = (service: DockerService, config: WorkshopConfig) => Promise<string | undefined>;

export const probeDockerService: DockerProbe = async (service, config) => {
  if (service !== 'grafana') return probes[service](config);
  try {
    const response = await fetch(`${config.grafana.url}/api/health`, { signal: AbortSignal.timeout(5000) });
    return response.ok ? undefined : `GET /api/health answered ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** Whether Grafana has its ClickHouse plugin (installed in the background at its first start: it needs the internet). */
export async function grafanaHasClickhousePlugin(config: WorkshopConfig): Promise<boolean> {
  try {
    const response = await fetch(`${config.grafana.url}/api/plugins/${grafanaClickhousePluginId}/settings`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export interface DockerStackOptions {
  engine?: DockerEngine;
  probe?: DockerProbe;
  grafanaPlugin?: (config: WorkshopConfig) => Promise<boolean>;
  /** Overall deadline for every service to answer after `compose up` (a first start pulls images and fetches plugins). */
  startupTimeoutMs?: number;
  /** How long to wait for Grafana's background plugin install before saying it is missing. */
  pluginWaitMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

export interface DockerUpResult {
  seconds: number;
  warnings: string[];
}

export const grafanaPluginMissing =
  "Grafana: the ClickHouse plugin is not installed (it is fetched from grafana.com at Grafana's first start — no internet?): the ClickHouse panels stay empty; once online, docker compose restart grafana installs it";

export async function dockerStackUp(
  config: WorkshopConfig,
  report: (line: string) => void,
  options: DockerStackOptions = {},
): Promise<DockerUpResult> {
  const t0 = Date.now();
  const engine = options.engine ?? dockerCliEngine();
  const probe = options.probe ?? probeDockerService;
  const pollMs = options.pollMs ?? 1000;
  const aborted = () => {
    if (options.signal?.aborted) throw new KitError('docker stack: start-up interrupted', { code: 'docker-stack' });
  };
  await engine.ready();
  report('Starting the docker stack (docker-compose.yml: Kafka, schema registry, Kafka Connect, PostgreSQL, ClickHouse, Grafana)…');
  report('  docker compose up -d  (a first start pulls the images and fetches Connect’s plugins: minutes)');
  const code = await engine.compose(['up', '-d'], report);
  if (code !== 0) {
    throw new KitError(`docker compose up failed (exit ${code})`, {
      code: 'docker-stack',
      hint: "the lines above are Compose's own: they name the service and why (an init service's own log: docker compose logs connect-plugins)",
      logPath: 'docker compose logs',
    });
  }

  const deadline = Date.now() + (options.startupTimeoutMs ?? 600_000);
  for (const service of dockerServices) {
    const started = Date.now();
    aborted();
    let problem = await probe(service, config);
    while (problem !== undefined) {
      aborted();
      if (Date.now() > deadline) {
        const tail = await engine.logTail(service, 15);
        throw new KitError(
          `${service} did not work in time on 127.0.0.1:${hostPort(service, config)}: ${problem}; the end of its log:\n${tail}`,
          {
            code: 'docker-stack',
            hint: 'npm run stack:up again waits once more (a first start pulls images and initialises volumes); if it never answers, its log says why',
            logPath: `docker compose logs ${service}`,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      problem = await probe(service, config);
    }
    report(`  ${service}: up (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  const warnings: string[] = [];
  const hasPlugin = options.grafanaPlugin ?? grafanaHasClickhousePlugin;
  const pluginDeadline = Date.now() + (options.pluginWaitMs ?? 30_000);
  let installed = await hasPlugin(config);
  while (!installed && Date.now() < pluginDeadline) {
    aborted();
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    installed = await hasPlugin(config);
  }
  if (!installed) warnings.push(grafanaPluginMissing);
  return { seconds: (Date.now() - t0) / 1000, warnings };
}

/** What `up` reports it started, and `down({ only })` takes to mean the whole file: Compose starts all of it. */
export const wholeStack = 'docker stack';

/** Containers that live inside another service's: the PostgreSQL link shares Connect's network namespace, so it goes with it. */
const livesInside: Partial<Record<DockerService, string[]>> = { connect: ['connect-postgres-link'] };

/**
 * Stops and removes containers; the named volumes (data, plugins) stay. Without `only` — or when it names every
 * long-running service — the whole file (`docker compose down`). With `only`, just those services (and what lives inside
 * them), by `docker compose stop` and `rm`: a run that found half the stack running stops only the half it started.
 * Returns the compose services it stopped ([wholeStack] for the whole file).
 */
export async function dockerStackDown(
  report: (line: string) => void,
  options: { engine?: DockerEngine; only?: readonly string[] } = {},
): Promise<string[]> {
  const engine = options.engine ?? dockerCliEngine();
  const only = options.only;
  const named = only && !only.includes(wholeStack) ? dockerServices.filter((service) => only.includes(service)) : dockerServices;
  if (named.length === 0) return [];
  await engine.ready();
  const compose = async (args: string[]) => {
    const code = await engine.compose(args, report);
    if (code !== 0) {
      throw new KitError(`docker compose ${args[0]} failed (exit ${code})`, {
        code: 'docker-stack',
        hint: "the lines above are Compose's own",
      });
    }
  };
  if (named.length === dockerServices.length) {
    await compose(['down']);
    return [wholeStack];
  }
  const services = named.flatMap((service) => [...(livesInside[service] ?? []), service]);
  await compose(['stop', ...services]);
  await compose(['rm', '-f', ...services]);
  return services;
}

/** `npm run stack:plugins`: fetches and verifies Connect's plugins into their volume ahead of time (before the workshop). */
export async function prepareDockerStack(report: (line: string) => void, options: { engine?: DockerEngine } = {}) {
  const engine = options.engine ?? dockerCliEngine();
  await engine.ready();
  const code = await engine.compose(['run', '--rm', 'connect-plugins'], report);
  if (code !== 0) {
    throw new KitError(`fetching Connect's plugins failed (exit ${code})`, {
      code: 'docker-stack',
      hint: 'the lines above say why (often: Maven Central unreachable); run it again to resume',
    });
  }
  return { pluginsDir: 'volume connect-plugins', workerConfig: 'infra/docker/connect/connect-distributed.properties', copied: true };
}

export interface DockerServiceStatus {
  service: DockerService;
  port: number;
  container: string;
  working: boolean;
  problem?: string;
}

export async function dockerStackStatus(
  config: WorkshopConfig,
  options: { engine?: DockerEngine; probe?: DockerProbe } = {},
): Promise<DockerServiceStatus[]> {
  const engine = options.engine ?? dockerCliEngine();
  const probe = options.probe ?? probeDockerService;
  await engine.ready();
  return Promise.all(
    dockerServices.map(async (service) => {
      const [problem, container] = await Promise.all([probe(service, config), engine.containerState(service)]);
      return {
        service,
        port: hostPort(service, config),
        container,
        working: problem === undefined,
        ...(problem === undefined ? {} : { problem }),
      };
    }),
  );
}
