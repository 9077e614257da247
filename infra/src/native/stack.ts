import { mkdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { isKitError, KitError, type WorkshopConfig } from '@workshop/shared';
import type { ServiceName } from '@workshop/shared';
import { ensureArtifacts } from './artifacts.js';
import { connectTransformsId, ensureConnectTransforms } from './connect-transforms.js';
import { serviceLogPath, stackPaths, type StackPaths } from './paths.js';
import { probePostgres, probes } from './probes.js';
import { logTail, portAnswers, runningPid, stopProcess } from './processes.js';
import { nativeServices, postgresLogHint, type NativeService } from './services.js';
import { readStackVersions } from './versions.js';
import { preparePostgres, prepareSchemaRegistry } from './workshop-setup.js';

/**
 * `stack:up`, `stack:down`, `stack:status` for the native stack. Its failures are KitErrors with code 'stack':
 * the message starts with the service's name, `logPath` is that service's log.
 */

export type Reporter = (line: string) => void;

export function logPathOf(paths: StackPaths, service: NativeService): string {
  if (service.logPath) return service.logPath(paths);
  return service.managed ? serviceLogPath(paths, service.name) : postgresLogHint();
}

function shortPath(paths: StackPaths, path: string): string {
  return path.startsWith(paths.repoRoot) ? relative(paths.repoRoot, path) : path;
}

export interface UpResult {
  started: ServiceName[];
  alreadyRunning: ServiceName[];
  seconds: number;
}

/**
 * Brings every service up and waits until each really works. Idempotent: a service that already works
 * is left alone, so a second `stack:up` returns in seconds.
 */
export interface StackOptions {
  paths?: StackPaths;
  /** The services to bring up, in order (tests pass stand-ins). */
  services?: NativeService[];
  probe?: (service: ServiceName, config: WorkshopConfig) => Promise<string | undefined>;
  /** Fetch and verify the Java artifacts first (off for stand-in services in tests). */
  artifacts?: boolean;
  /** Aborted: start nothing more and stop waiting (npm start on Ctrl-C); what already started is the caller's to stop. */
  signal?: AbortSignal;
}

/** Thrown by an interrupted `stackUp`: the caller asked for it, so it is not a failure of a service. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new KitError('stack start-up interrupted', { code: 'interrupted' });
}

export async function stackUp(config: WorkshopConfig, report: Reporter, options: StackOptions = {}): Promise<UpResult> {
  const paths = options.paths ?? stackPaths();
  const services = options.services ?? nativeServices;
  const probe = options.probe ?? ((service: ServiceName, c: WorkshopConfig) => probes[service](c));
  const started: ServiceName[] = [];
  const alreadyRunning: ServiceName[] = [];
  const t0 = Date.now();
  for (const dir of [paths.logsDir, paths.dataDir, paths.runDir, paths.configDir, paths.cacheDir]) await mkdir(dir, { recursive: true });

  // Fast path: everything answers already.
  const problems = await Promise.all(services.map((service) => probe(service.name, config)));
  if (problems.every((problem) => problem === undefined)) {
    return { started, alreadyRunning: services.map((s) => s.name), seconds: (Date.now() - t0) / 1000 };
  }

  const versions = readStackVersions();
  let artifacts: Record<string, string> = {};
  if (options.artifacts !== false) {
    try {
      artifacts = await ensureArtifacts(paths, versions, { log: (line) => report(`  ${line}`) });
      // The kit's own plugin, built from the checkout (rebuilt only when its sources changed).
      artifacts[connectTransformsId] = await ensureConnectTransforms(paths, versions, { log: (line) => report(`  ${line}`) });
    } catch (error) {
      // Anything else is a bug in the artifact code: its stack says more than a prefix would.
      if (!isKitError(error)) throw error;
      throw new KitError(`artifacts: ${error.message}`, { code: 'stack', hint: error.hint, logPath: error.logPath, cause: error });
    }
  }

  for (const [index, service] of services.entries()) {
    throwIfAborted(options.signal);
    // PostgreSQL may answer while the workshop database does not exist yet: then only prepare it.
    const problem = service.name === 'postgres' && !options.probe ? await probePostgresServer(config) : problems[index];
    if (problem === undefined) {
      alreadyRunning.push(service.name);
      if (service.name === 'postgres') await preparePostgres(config);
      continue;
    }
    const logPath = shortPath(paths, logPathOf(paths, service));
    const ours = service.managed ? runningPid(paths.runDir, service.name) : undefined;
    if (ours === undefined) {
      for (const port of service.ports) {
        if (await portAnswers('127.0.0.1', port)) {
          throw new KitError(`${service.name}: port ${port} is already taken by another process, and it is not a working ${service.name}`, {
            code: 'stack',
            hint: `free the port (ss -ltnp 'sport = :${port}' names the process), then npm run stack:up again`,
          });
        }
      }
      report(`  ${service.name}: starting (log: ${logPath})`);
      try {
        await service.start({ paths, versions, config, artifacts });
      } catch (error) {
        // Named even when the start failed before the service wrote anything (java missing): the next attempt writes there.
        throw new KitError((error as Error).message, {
          code: 'stack',
          hint: isKitError(error) ? error.hint : undefined,
          logPath,
          cause: error,
        });
      }
      started.push(service.name);
    } else {
      report(`  ${service.name}: process ${ours} is running; waiting for it to answer`);
    }
    await waitUntilWorking(service, config, paths, report, probe, options.signal);
    if (service.name === 'postgres') await preparePostgres(config);
    if (service.name === 'schema-registry') await prepareSchemaRegistry(config);
  }
  return { started, alreadyRunning, seconds: (Date.now() - t0) / 1000 };
}

async function waitUntilWorking(
  service: NativeService,
  config: WorkshopConfig,
  paths: StackPaths,
  report: Reporter,
  probe: (service: ServiceName, config: WorkshopConfig) => Promise<string | undefined>,
  signal?: AbortSignal,
): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + service.startupTimeoutMs;
  const logPath = logPathOf(paths, service);
  let lastProblem = '';
  let lastReport = t0;
  for (;;) {
    throwIfAborted(signal);
    // Postgres is waited for with its own database absent: probe the server, not `workshop`.
    lastProblem = (service.name === 'postgres' ? await probePostgresServer(config) : await probe(service.name, config)) ?? '';
    if (!lastProblem) {
      report(`  ${service.name}: up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    if (service.managed && runningPid(paths.runDir, service.name) === undefined) {
      throw new KitError(`${service.name} died while starting (log: ${shortPath(paths, logPath)}):\n${indent(await logTail(logPath))}`, {
        code: 'stack',
        hint: `the log's last lines above say why; fix that, then npm run stack:up`,
        logPath: shortPath(paths, logPath),
      });
    }
    if (Date.now() > deadline) {
      throw new KitError(
        `${service.name} did not work within ${service.startupTimeoutMs / 1000} s: ${lastProblem}; the end of its log:\n${indent(await logTail(logPath))}`,
        {
          code: 'stack',
          hint: `npm run stack:up again waits for it once more (a cold JVM on a busy machine can be slow); if it never answers, its log says why`,
          logPath: shortPath(paths, logPath),
        },
      );
    }
    if (Date.now() - lastReport > 10_000) {
      report(`  ${service.name}: waiting… ${Math.round((Date.now() - t0) / 1000)} s`);
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function probePostgresServer(config: WorkshopConfig): Promise<string | undefined> {
  return probePostgres(config, 'postgres');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Stops what the kit started, in reverse order. The machine's PostgreSQL is left running. */
export async function stackDown(report: Reporter, options: Pick<StackOptions, 'paths' | 'services'> = {}): Promise<ServiceName[]> {
  const paths = options.paths ?? stackPaths();
  const stopped: ServiceName[] = [];
  for (const service of [...(options.services ?? nativeServices)].reverse()) {
    if (!service.managed) continue;
    const outcome = await stopProcess(paths.runDir, service.name);
    if (outcome === 'stopped') {
      stopped.push(service.name);
      report(`  ${service.name}: stopped`);
    }
  }
  return stopped;
}

export interface ServiceStatus {
  service: ServiceName;
  port: number;
  pid: number | undefined;
  working: boolean;
  problem?: string;
  log: string;
}

export async function stackStatus(config: WorkshopConfig, paths = stackPaths()): Promise<ServiceStatus[]> {
  return Promise.all(
    nativeServices.map(async (service) => {
      const problem = await probes[service.name](config);
      return {
        service: service.name,
        port: service.ports[0] ?? 0,
        pid: service.managed ? runningPid(paths.runDir, service.name) : undefined,
        working: problem === undefined,
        problem,
        log: shortPath(paths, logPathOf(paths, service)),
      };
    }),
  );
}
