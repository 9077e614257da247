import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { join, relative } from 'node:path';
import { KitError, loadConfig, type WorkshopConfig } from '@workshop/shared';
import { readEnvFile } from '@workshop/shared/env-file';
import { serviceLogPath } from '../native/paths.js';
import { probes } from '../native/probes.js';
import { portAnswers, runningPid, startDetached, stopProcess } from '../native/processes.js';
import { stackDown, stackUp, type Reporter, type UpResult } from '../native/stack.js';
import { ensureCertificates, secureCertificatePaths } from './certificates.js';
import { ensureSecureSecrets, writeSecureEnvFile } from './env-file.js';
import { secureStackPaths, type SecureStackPaths } from './layout.js';
import { postgresClusterRuns, stopPostgresCluster } from './postgres-cluster.js';
import { ensureRoomPostgresUser } from './room-postgres-user.js';
import { postgresCluster, secureProcessEnv, secureServices, type SecureServiceContext } from './services.js';
import { secureStackRoutes } from './tls-proxy.js';

/**
 * `stack:up | down | status -- --secure`: certificates and passwords first (made once), the config written, the TLS
 * proxy started, then the services through native/stack.ts's stackUp — the same idempotent start, wait and
 * "does it really work" probes as the plain stack, here over TLS and with credentials.
 */

const proxyService = 'tls-proxy';

function context(paths: SecureStackPaths = secureStackPaths(), host?: string): SecureServiceContext {
  // Made before secrets/ and certs/ (0700), which would otherwise make it 0700 too: PostgreSQL's account must pass
  // through it to its data folder when the kit runs as root. What is secret is closed one level down.
  mkdirSync(paths.stackDir, { recursive: true });
  chmodSync(paths.stackDir, 0o755);
  const secrets = ensureSecureSecrets(paths);
  const certs = ensureCertificates(paths.certsDir, secrets['keystore-password'], host);
  return { paths, certs, secrets, ...(host ? { host } : {}) };
}

/**
 * The address the secured stack runs on — its config's Kafka host: 127.0.0.1, or a room's (npm run room) — or undefined
 * when none of it runs.
 */
export function runningSecureStackHost(paths: SecureStackPaths = secureStackPaths()): string | undefined {
  const secure = context(paths);
  const managed = [
    ...secureServices(secure)
      .filter((service) => service.managed)
      .map((service) => service.name),
    proxyService,
  ];
  const runs = managed.some((name) => runningPid(paths.runDir, name) !== undefined) || postgresClusterRuns(postgresCluster(secure));
  if (!runs) return undefined;
  const broker = readEnvFile(paths.envFile).KAFKA_BROKERS?.split(',')[0]?.trim();
  return broker ? broker.slice(0, broker.lastIndexOf(':')) : '127.0.0.1';
}

/** The secured stack's config: its env file, read as every step reads it (WORKSHOP_ENV_FILE). */
export function secureStackConfig(paths: SecureStackPaths = secureStackPaths()): WorkshopConfig {
  return loadConfig({ envFile: paths.envFile, env: { ...process.env, ...secureProcessEnv(paths) } });
}

/**
 * What a process needs to use the secured stack: its config, and trust in the kit's CA for HTTPS (Aiven's HTTPS
 * endpoints carry publicly trusted certificates; here the kit's CA plays that part). Child processes get it through
 * the environment (NODE_EXTRA_CA_CERTS); this process through trustSecureStackCa.
 */
export function secureStackEnvironment(paths: SecureStackPaths = secureStackPaths()): Record<string, string> {
  return { STACK: 'secure', WORKSHOP_ENV_FILE: paths.envFile, NODE_EXTRA_CA_CERTS: secureCertificatePaths(paths.certsDir).caFile };
}

let trusted = false;

/** Adds the kit's CA to this process's default CAs (fetch, https): NODE_EXTRA_CA_CERTS is read only at start-up. */
export function trustSecureStackCa(paths: SecureStackPaths = secureStackPaths()): void {
  if (trusted) return;
  const ca = readFileSync(secureCertificatePaths(paths.certsDir).caFile, 'utf8');
  setDefaultCACertificates([...getCACertificates('default'), ca]);
  trusted = true;
}

async function ensureTlsProxy(secure: SecureServiceContext, config: WorkshopConfig, report: Reporter): Promise<boolean> {
  const { paths } = secure;
  if (runningPid(paths.runDir, proxyService) !== undefined) return false;
  const routes = secureStackRoutes(config);
  const hostOf = (route: (typeof routes)[number]) => route.listenHost ?? '127.0.0.1';
  for (const route of routes) {
    if (await portAnswers(hostOf(route), route.listenPort)) {
      throw new KitError(`tls-proxy: port ${route.listenPort} (${route.name}) is taken by another process`, {
        code: 'stack',
        hint: `free the port (ss -ltnp 'sport = :${route.listenPort}' names the process), then npm run stack:up -- --secure`,
      });
    }
  }
  const logPath = serviceLogPath(paths, proxyService);
  report(`  ${proxyService}: starting (log: ${relative(paths.repoRoot, logPath)})`);
  await startDetached({
    service: proxyService,
    command: process.execPath,
    args: ['--import', 'tsx', join(paths.repoRoot, 'infra/src/secure/tls-proxy-main.ts')],
    cwd: paths.repoRoot,
    env: secureProcessEnv(paths),
    runDir: paths.runDir,
    logPath,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answering = await Promise.all(routes.map((route) => portAnswers(hostOf(route), route.listenPort)));
    if (answering.every(Boolean)) return true;
    if (runningPid(paths.runDir, proxyService) === undefined || Date.now() > deadline) {
      throw new KitError(`tls-proxy did not start (log: ${relative(paths.repoRoot, logPath)})`, { code: 'stack', logPath });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `roomAddress` (npm run room): every front listens there instead of 127.0.0.1, and the certificates name it. Without
 * it, the address the stack already runs on (a room's stack stays the room's), else 127.0.0.1. A stack running on
 * another address is not moved under its users: stop it first.
 */
export async function secureStackUp(
  report: Reporter,
  options: { roomAddress?: string } = {},
): Promise<Omit<UpResult, 'started'> & { started: string[] }> {
  const running = runningSecureStackHost();
  const host = options.roomAddress ?? running ?? '127.0.0.1';
  if (running !== undefined && running !== host) {
    throw new KitError(`the secured stack runs on ${running}; to serve it on ${host} it must start again`, {
      code: 'stack',
      hint: 'npm run stack:down -- --secure (whoever uses it now loses it), then the command again',
    });
  }
  const secure = context(secureStackPaths(), host);
  const { paths, certs, secrets } = secure;
  for (const dir of [paths.logsDir, paths.runDir, paths.configDir, paths.dataDir]) await mkdir(dir, { recursive: true });
  writeSecureEnvFile(paths, certs, secrets, host);
  trustSecureStackCa(paths);
  const config = secureStackConfig(paths);
  const proxyStarted = await ensureTlsProxy(secure, config, report);
  const result = await stackUp(config, report, { paths, services: secureServices(secure) });
  if (host !== '127.0.0.1') await ensureRoomPostgresUser(config, secrets['postgres-room-password']);
  // The proxy's name in `started` lets a caller stop exactly what this call started (StackProfile.down({ only })).
  return { ...result, started: proxyStarted ? [proxyService, ...result.started] : result.started };
}

/** Stops the secured stack (never the plain one): its services, the TLS proxy, and the kit's own PostgreSQL. */
export async function secureStackDown(report: Reporter, options: { only?: string[] } = {}): Promise<string[]> {
  const secure = context();
  const { paths } = secure;
  const wanted = (name: string) => !options.only || options.only.includes(name);
  const services = secureServices(secure).filter((service) => wanted(service.name));
  const stopped: string[] = await stackDown(report, { paths, services });
  if (wanted(proxyService) && (await stopProcess(paths.runDir, proxyService)) === 'stopped') {
    stopped.push(proxyService);
    report(`  ${proxyService}: stopped`);
  }
  if (wanted('postgres') && stopPostgresCluster(postgresCluster(secure))) {
    stopped.push('postgres');
    report('  postgres: stopped');
  }
  return stopped;
}

export interface SecureServiceStatus {
  service: string;
  port: number;
  runs: string;
  working: boolean;
  problem?: string;
  log: string;
}

export async function secureStackStatus(): Promise<SecureServiceStatus[]> {
  const secure = context();
  const { paths } = secure;
  // Never started here: without its config, loadConfig's defaults would probe the plain stack and find it working.
  if (!existsSync(paths.envFile)) {
    await mkdir(paths.stackDir, { recursive: true });
    writeSecureEnvFile(paths, secure.certs, secure.secrets);
  }
  trustSecureStackCa(paths);
  const config = secureStackConfig(paths);
  const shortLog = (service: string) => relative(paths.repoRoot, serviceLogPath(paths, service));
  const services = secureServices(secure);
  const rows: SecureServiceStatus[] = await Promise.all(
    services.map(async (service) => {
      const problem = await probes[service.name](config);
      const pid = service.managed ? runningPid(paths.runDir, service.name) : undefined;
      const runs = service.managed ? (pid ? `pid ${pid}` : '-') : postgresClusterRuns(postgresCluster(secure)) ? 'pg_ctl' : '-';
      return {
        service: service.name,
        port: frontPort(config, service.name),
        runs,
        working: problem === undefined,
        ...(problem ? { problem } : {}),
        log: shortLog(service.name),
      };
    }),
  );
  const proxyPid = runningPid(paths.runDir, proxyService);
  const proxyPorts = secureStackRoutes(config).map((route) => route.listenPort);
  const proxyHost = secureStackRoutes(config)[0]?.listenHost ?? '127.0.0.1';
  const proxyAnswers = (await Promise.all(proxyPorts.map((port) => portAnswers(proxyHost, port)))).every(Boolean);
  rows.push({
    service: proxyService,
    port: proxyPorts[0] ?? 0,
    runs: proxyPid ? `pid ${proxyPid}` : '-',
    working: proxyAnswers,
    ...(proxyAnswers ? {} : { problem: `not listening on ${proxyPorts.join(', ')}` }),
    log: shortLog(proxyService),
  });
  return rows;
}

/** The port a client uses: the TLS front, from the config (as the status table of the plain stack shows). */
function frontPort(config: WorkshopConfig, service: string): number {
  const portOf = (url: string) => Number(new URL(url).port);
  switch (service) {
    case 'kafka':
      return Number(config.kafka.brokers[0]?.split(':').at(-1) ?? 0);
    case 'schema-registry':
      return portOf(config.schemaRegistry.url);
    case 'connect':
      return portOf(config.connect.url);
    case 'postgres':
      return config.postgres.port;
    default:
      return portOf(config.clickhouse.url);
  }
}
