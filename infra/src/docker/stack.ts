import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createClickHouse, defaultPorts, KitError, type WorkshopConfig } from '@workshop/shared';
import type { ServiceName } from '@workshop/shared';
import { localMaven, type MavenRunner } from '../native/artifacts.js';
import { stackPaths, type StackPaths } from '../native/paths.js';
import { probes } from '../native/probes.js';
import { readStackVersions } from '../native/versions.js';
import { preparePostgres, prepareSchemaRegistry } from '../native/workshop-setup.js';
import { prepareDockerConnect } from './connect-plugins.js';
import { dockerEngineAnswers, findComposeCommand, runWithDeadline, type ComposeCommand, type EngineAnswer } from './engine.js';
import { removeDockerEnv, writeDockerEnv } from './env-file.js';
import { readDockerPins } from './images.js';
import { mavenInDocker } from './maven-in-docker.js';

/**
 * `stack:up | stack:down | stack:status` on the docker stack (docker-compose.yml at the root). Same
 * services, versions and 127.0.0.1 ports as the native stack, plus Grafana; "up" means the same probes
 * answer (infra/src/native/probes.ts), then the same workshop setup runs.
 */

export type DockerService = ServiceName | 'grafana';

/** In dependency order, as docker-compose.yml starts them. */
export const dockerServices: { name: DockerService; port: number }[] = [
  { name: 'postgres', port: defaultPorts.postgres },
  { name: 'kafka', port: defaultPorts.kafka },
  { name: 'schema-registry', port: defaultPorts.schemaRegistry },
  { name: 'connect', port: defaultPorts.connect },
  { name: 'clickhouse', port: defaultPorts.clickhouseHttp },
  { name: 'grafana', port: defaultPorts.grafana },
];

export function noEngineMessage(answer: EngineAnswer): string {
  return `docker: no Docker engine answers (${answer.reason ?? 'docker info failed'}) — start Docker, or run the native stack: STACK=native npm run stack:up`;
}

export interface DockerStackOptions {
  paths?: StackPaths;
  env?: NodeJS.ProcessEnv;
  /** Overall deadline for every service to answer after `compose up` (first start pulls no images here: up does). */
  startupTimeoutMs?: number;
}

export function composeFile(paths: StackPaths): string {
  return join(paths.repoRoot, 'docker-compose.yml');
}

async function requireEngineAndCompose(env?: NodeJS.ProcessEnv): Promise<ComposeCommand> {
  const engine = await dockerEngineAnswers({ env });
  // No hint: the message already says what to do, and stack:up's test (infra/test/profiles) pins it as one line.
  if (!engine.answers) throw new KitError(noEngineMessage(engine), { code: 'docker-stack' });
  const compose = await findComposeCommand(env);
  if (!compose) {
    throw new KitError('docker: neither `docker compose` nor `docker-compose` is installed', {
      code: 'docker-stack',
      hint: 'install Docker Compose (https://docs.docker.com/compose/install/), or run the native stack: STACK=native npm run stack:up',
    });
  }
  return compose;
}

function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    const candidate = join(dir, command);
    return existsSync(candidate) && statSync(candidate).isFile();
  });
}

/** The machine's Maven if it has one; else Maven in the pinned image (a participant with Docker only). */
async function chooseMaven(paths: StackPaths, env?: NodeJS.ProcessEnv): Promise<MavenRunner> {
  if (onPath('mvn', env)) return localMaven;
  const engine = await dockerEngineAnswers({ env });
  if (!engine.answers) {
    throw new KitError(`connect plugins: fetching them needs Maven (mvn) or a Docker engine to run Maven in — neither is here (${engine.reason ?? 'docker info failed'})`, {
      code: 'docker-stack',
      hint: 'start Docker (Maven then runs in a container), or install Maven',
    });
  }
  // Mounted folders must exist before `docker run`, or the engine creates them owned by root.
  await mkdir(join(homedir(), '.m2', 'repository'), { recursive: true });
  await mkdir(paths.cacheDir, { recursive: true });
  return mavenInDocker(paths, readDockerPins().maven);
}

/** `npm run stack:plugins`: the Connect plugins and worker config in .stack/, ready to be mounted. */
export async function prepareDockerStack(report: (line: string) => void, options: DockerStackOptions = {}) {
  const paths = options.paths ?? stackPaths(options.env);
  const maven = await chooseMaven(paths, options.env);
  if (maven !== localMaven) report('  no mvn on this machine: fetching the plugins with Maven in a container');
  return prepareDockerConnect(paths, readStackVersions(), { log: (line) => report(`  ${line}`), maven });
}

function compose(command: ComposeCommand, paths: StackPaths, args: string[], report?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.command, [...command.prefixArgs, '-f', composeFile(paths), ...args], {
      cwd: paths.repoRoot,
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
}

export async function probeDockerService(service: DockerService, config: WorkshopConfig): Promise<string | undefined> {
  if (service !== 'grafana') return probes[service](config);
  try {
    const response = await fetch(`${config.grafana.url}/api/health`, { signal: AbortSignal.timeout(5000) });
    return response.ok ? undefined : `GET /api/health answered ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface DockerUpResult {
  seconds: number;
  warnings: string[];
}

export async function dockerStackUp(config: WorkshopConfig, report: (line: string) => void, options: DockerStackOptions = {}): Promise<DockerUpResult> {
  const t0 = Date.now();
  const paths = options.paths ?? stackPaths(options.env);
  const command = await requireEngineAndCompose(options.env);
  report('Starting the docker stack (docker-compose.yml: Kafka, schema registry, Kafka Connect, PostgreSQL, ClickHouse, Grafana)…');
  const warnings: string[] = [];

  await prepareDockerStack(report, { ...options, paths });
  const envWarning = await writeDockerEnv(join(paths.repoRoot, '.env'));
  if (envWarning) warnings.push(envWarning);

  report('  docker compose up -d');
  const code = await compose(command, paths, ['up', '-d'], report);
  if (code !== 0) {
    throw new KitError(`docker compose up failed (exit ${code})`, {
      code: 'docker-stack',
      hint: "the lines above are Compose's own: they name the service and why",
      logPath: 'docker compose logs',
    });
  }

  const deadline = Date.now() + (options.startupTimeoutMs ?? 300_000);
  for (const service of dockerServices) {
    const started = Date.now();
    let problem = await probeDockerService(service.name, config);
    while (problem !== undefined) {
      if (Date.now() > deadline) {
        const tail = await runWithDeadline(command.command, [...command.prefixArgs, '-f', composeFile(paths), 'logs', '--tail', '15', service.name], {
          timeoutMs: 10_000,
          cwd: paths.repoRoot,
        });
        throw new KitError(`${service.name} did not work in time: ${problem}; the end of its log:\n${tail.stdout.trimEnd()}`, {
          code: 'docker-stack',
          hint: 'npm run stack:up again waits once more (a first start pulls images and initialises volumes); if it never answers, its log says why',
          logPath: `docker compose logs ${service.name}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      problem = await probeDockerService(service.name, config);
    }
    report(`  ${service.name}: up (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    // The same workshop setup as the native stack (idempotent; the init script did most of PostgreSQL's).
    if (service.name === 'postgres') await preparePostgres(config);
    if (service.name === 'schema-registry') await prepareSchemaRegistry(config);
    if (service.name === 'clickhouse') await prepareClickHouse(config);
  }
  return { seconds: (Date.now() - t0) / 1000, warnings };
}

/** The image creates CLICKHOUSE_DB on a new volume; this also covers a volume made before that setting. */
async function prepareClickHouse(config: WorkshopConfig): Promise<void> {
  const client = createClickHouse(config, { database: 'default' });
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.clickhouse.database}` });
  } finally {
    await client.close();
  }
}

/** Stops and removes the containers; the named volumes (data) stay. */
export async function dockerStackDown(report: (line: string) => void, options: DockerStackOptions = {}): Promise<void> {
  const paths = options.paths ?? stackPaths(options.env);
  const command = await requireEngineAndCompose(options.env);
  const code = await compose(command, paths, ['down'], report);
  if (code !== 0) throw new KitError(`docker compose down failed (exit ${code})`, { code: 'docker-stack', hint: "the lines above are Compose's own" });
  await removeDockerEnv(join(paths.repoRoot, '.env'));
}

export interface DockerServiceStatus {
  service: DockerService;
  port: number;
  /** The container's state and health as the engine reports them, e.g. `running/healthy`. */
  container: string;
  working: boolean;
  problem?: string;
}

export async function dockerStackStatus(config: WorkshopConfig, options: DockerStackOptions = {}): Promise<DockerServiceStatus[]> {
  const paths = options.paths ?? stackPaths(options.env);
  const command = await requireEngineAndCompose(options.env);
  return Promise.all(
    dockerServices.map(async ({ name, port }) => {
      const [problem, container] = await Promise.all([probeDockerService(name, config), containerState(command, paths, name)]);
      return { service: name, port, container, working: problem === undefined, problem };
    }),
  );
}

async function containerState(command: ComposeCommand, paths: StackPaths, service: string): Promise<string> {
  const id = await runWithDeadline(command.command, [...command.prefixArgs, '-f', composeFile(paths), 'ps', '-q', service], {
    timeoutMs: 10_000,
    cwd: paths.repoRoot,
  });
  const containerId = id.stdout.trim().split('\n')[0];
  if (id.code !== 0 || !containerId) return 'no container';
  const state = await runWithDeadline(
    'docker',
    ['inspect', '--format', '{{.State.Status}}{{if .State.Health}}/{{.State.Health.Status}}{{end}}', containerId],
    { timeoutMs: 10_000 },
  );
  return state.code === 0 ? state.stdout.trim() : 'unknown';
}
