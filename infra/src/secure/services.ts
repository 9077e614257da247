import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { KitError, workshopNames } from '@workshop/shared';
import { serviceLogPath } from '../native/paths.js';
import { startDetached } from '../native/processes.js';
import { commonJvmFlags, connectPluginPath, schemaRegistryJvmArgs, type NativeService, type StackContext } from '../native/services.js';
import type { SecureCertificates } from './certificates.js';
import type { SecureSecrets } from './env-file.js';
import { secureStackPorts as ports, secureStackUsers as users, type SecureStackPaths } from './layout.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { secureConnectWorkerProperties, secureKafkaServerProperties } from './service-configs.js';

/**
 * The secured stack's services, in start order, for native/stack.ts's stackUp: the same programs as the plain stack
 * (same artifacts, same flags), on the secured stack's ports, with TLS and credentials. The TLS proxy in front of the
 * registry, Connect and ClickHouse is started before them (stack.ts): their probes go through it.
 */

/** Smaller heaps than the plain stack's: both instances may run at once on a 2-core / 24 GiB machine. */
const heap = { kafka: '-Xmx384m', connect: '-Xmx640m', registry: '-Xmx320m' } as const;

export interface SecureServiceContext {
  paths: SecureStackPaths;
  certs: SecureCertificates;
  secrets: SecureSecrets;
  /** Where clients reach the services: 127.0.0.1, or the room's address (npm run room). Backends stay on 127.0.0.1. */
  host?: string;
}

export function postgresCluster({ paths, certs, secrets, host }: SecureServiceContext): PostgresCluster {
  return {
    ...(host && host !== '127.0.0.1' ? { roomAddress: host } : {}),
    dataDir: paths.postgresDir,
    port: ports.postgres,
    superuser: users.postgres,
    password: secrets['postgres-password'],
    logFile: serviceLogPath(paths, 'postgres'),
    certs,
  };
}

/** The environment a kit process of this stack runs with: its config and its secrets folder, not the plain stack's. */
export function secureProcessEnv(paths: SecureStackPaths): NodeJS.ProcessEnv {
  return { WORKSHOP_ENV_FILE: paths.envFile, WORKSHOP_STACK_DIR: paths.stackDir };
}

export function secureServices(secure: SecureServiceContext): NativeService[] {
  const { paths, certs, secrets } = secure;
  const host = secure.host ?? '127.0.0.1';
  const storePassword = secrets['keystore-password'];
  const jvmLogging = (context: StackContext) => [
    `-Dlog4j2.configurationFile=${context.paths.log4jConfig}`,
    `-Dkafka.logs.dir=${context.paths.logsDir}`,
  ];

  const postgres: NativeService = {
    name: 'postgres',
    ports: [ports.postgres],
    // Not a pid file of the kit's: pg_ctl starts and stops it (postmaster.pid in its data folder).
    managed: false,
    startupTimeoutMs: 60_000,
    logPath: (stackPaths) => serviceLogPath(stackPaths, 'postgres'),
    async start() {
      await mkdir(paths.logsDir, { recursive: true });
      startPostgresCluster(postgresCluster(secure));
    },
  };

  const kafka: NativeService = {
    name: 'kafka',
    ports: [ports.kafka, ports.kafkaController],
    managed: true,
    startupTimeoutMs: 90_000,
    async start(context) {
      const dataDir = join(paths.dataDir, 'kafka');
      const propsPath = join(paths.configDir, 'kafka-server.properties');
      await mkdir(dataDir, { recursive: true });
      await writeFile(propsPath, secureKafkaServerProperties({ dataDir, certs, storePassword, host }), { mode: 0o600 });
      const jvm = ['-cp', `${context.artifacts.kafka}/*`, ...jvmLogging(context)];
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        const clusterId = randomBytes(16).toString('base64url');
        const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsPath], {
          encoding: 'utf8',
        });
        if (format.status !== 0) {
          const said = (format.stderr || format.stdout || format.error?.message || '').trim().split('\n').slice(-2).join(' ');
          throw new KitError(`kafka: formatting storage failed: ${said}`, { hint: 'java -version shows which Java is on PATH (17+)' });
        }
      }
      await startDetached({
        service: 'kafka',
        command: 'java',
        args: [heap.kafka, ...commonJvmFlags, ...jvm, 'kafka.Kafka', propsPath],
        cwd: paths.stackDir,
        runDir: paths.runDir,
        logPath: serviceLogPath(paths, 'kafka'),
      });
    },
  };

  const schemaRegistry: NativeService = {
    name: 'schema-registry',
    ports: [ports.schemaRegistryBackend],
    managed: true,
    startupTimeoutMs: 90_000,
    async start(context) {
      const home = context.artifacts['apicurio-registry'];
      const runner = home ? readdirSync(home).find((file) => file.endsWith('-runner.jar')) : undefined;
      if (!home || !runner) throw new KitError(`schema-registry: no Apicurio *-runner.jar in the artifact cache (${home ?? 'missing'})`);
      const dataDir = join(paths.dataDir, 'schema-registry');
      await mkdir(dataDir, { recursive: true });
      await startDetached({
        service: 'schema-registry',
        command: 'java',
        // The backend port only: clients reach it through the TLS proxy, with Basic auth.
        args: schemaRegistryJvmArgs({ heap: heap.registry, port: ports.schemaRegistryBackend, dataDir, runnerJar: join(home, runner) }),
        cwd: dataDir,
        runDir: paths.runDir,
        logPath: serviceLogPath(paths, 'schema-registry'),
      });
    },
  };

  const connect: NativeService = {
    name: 'connect',
    ports: [ports.connectBackend],
    managed: true,
    startupTimeoutMs: 150_000,
    async start(context) {
      const auth = context.config.schemaRegistry.auth;
      if (!auth) throw new Error("connect: the secured stack's config has no registry credentials (env-file.ts writes them)");
      const pluginPath = connectPluginPath(context.artifacts);
      const propsPath = join(paths.configDir, 'connect-distributed.properties');
      // The converter uses Apicurio's own API, on the same server (and so the same TLS front) as the Confluent-compatible one.
      const registryApiUrl = `https://${host}:${ports.schemaRegistry}/apis/registry/v2`;
      const properties = secureConnectWorkerProperties({
        pluginPath,
        dataDir: paths.dataDir,
        certs,
        storePassword,
        registry: { url: registryApiUrl, ...auth },
        kafkaHost: host,
      });
      await writeFile(propsPath, properties, { mode: 0o600 });
      await startDetached({
        service: 'connect',
        command: 'java',
        args: [
          heap.connect,
          ...commonJvmFlags,
          '-Duser.timezone=UTC',
          ...jvmLogging(context),
          '-cp',
          `${context.artifacts.kafka}/*`,
          'org.apache.kafka.connect.cli.ConnectDistributed',
          propsPath,
        ],
        cwd: paths.stackDir,
        runDir: paths.runDir,
        logPath: serviceLogPath(paths, 'connect'),
      });
    },
  };

  const clickhouse: NativeService = {
    name: 'clickhouse',
    ports: [ports.clickhouseBackend],
    managed: true,
    startupTimeoutMs: 60_000,
    async start() {
      const dataDir = join(paths.dataDir, 'clickhouse');
      await mkdir(dataDir, { recursive: true });
      await startDetached({
        service: 'clickhouse',
        command: process.execPath,
        args: [
          '--import',
          'tsx',
          join(paths.repoRoot, 'infra/src/clickhouse-http/main.ts'),
          '--data',
          dataDir,
          '--port',
          String(ports.clickhouseBackend),
          '--host',
          '127.0.0.1',
          '--database',
          workshopNames.database,
        ],
        cwd: paths.repoRoot,
        // Its users and passwords: this stack's config and secrets, not the plain stack's.
        env: secureProcessEnv(paths),
        runDir: paths.runDir,
        logPath: serviceLogPath(paths, 'clickhouse'),
      });
    },
  };

  return [postgres, kafka, schemaRegistry, connect, clickhouse];
}
