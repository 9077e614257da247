import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { defaultPorts, KitError, workshopNames, type WorkshopConfig } from '@workshop/shared';
import type { ServiceName } from '@workshop/shared';
import { connectTransformsId } from './connect-transforms.js';
import { serviceLogPath, type StackPaths } from './paths.js';
import { startDetached } from './processes.js';
import { connectWorkerProperties, kafkaServerProperties } from './service-configs.js';
import type { StackVersions } from './versions.js';

/** The native stack's services: how each starts, on which port, and how long it may take. */

export interface StackContext {
  paths: StackPaths;
  versions: StackVersions;
  config: WorkshopConfig;
  /** Component id → its folder in the artifact cache (see artifacts.ts). */
  artifacts: Record<string, string>;
}

export interface NativeService {
  name: ServiceName;
  /** Ports it listens on (checked before start: a port taken by something else is an error). */
  ports: number[];
  /** False for the machine's PostgreSQL: the kit uses it, never starts a process of its own for it. */
  managed: boolean;
  startupTimeoutMs: number;
  start(context: StackContext): Promise<void>;
  /** Where its log is, when not the stack's logs/<name>.log (managed) or the machine's PostgreSQL log. */
  logPath?: (paths: StackPaths) => string;
}

/** JVM heaps sized for a 2-core / 24 GiB machine that also runs the tests and a browser. */
const heap = { kafka: '-Xmx512m', connect: '-Xmx768m', registry: '-Xmx384m' } as const;
export const commonJvmFlags = ['-Xms64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** Apicurio Registry's command line, the same for the native and the secured stack but for heap, port and folder. */
export function schemaRegistryJvmArgs(options: { heap: string; port: number; dataDir: string; runnerJar: string }): string[] {
  return [
    options.heap,
    ...commonJvmFlags,
    // Plain HTTP on 127.0.0.1 only (the secured stack puts its TLS proxy, with Basic auth, in front).
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${options.port}`,
    // H2 in a file (this Apicurio build's only SQL driver) so schemas and their ids survive a restart:
    // Avro records in Kafka refer to those ids.
    `-Dquarkus.datasource.jdbc.url=jdbc:h2:file:${join(options.dataDir, 'registry')};DB_CLOSE_ON_EXIT=FALSE`,
    '-Dquarkus.datasource.jdbc.initial-size=1',
    '-Dquarkus.datasource.jdbc.min-size=1',
    '-Dquarkus.datasource.jdbc.max-size=10',
    '-Dquarkus.log.console.color=false',
    '-jar',
    options.runnerJar,
  ];
}

function kafkaClasspath(context: StackContext): string {
  return `${context.artifacts.kafka}/*`;
}

function logFor(context: StackContext, service: string) {
  return serviceLogPath(context.paths, service);
}

const kafka: NativeService = {
  name: 'kafka',
  ports: [defaultPorts.kafka, defaultPorts.kafkaController],
  managed: true,
  startupTimeoutMs: 90_000,
  async start(context) {
    const dataDir = join(context.paths.dataDir, 'kafka');
    const propsPath = join(context.paths.configDir, 'kafka-server.properties');
    await mkdir(dataDir, { recursive: true });
    await writeFile(propsPath, kafkaServerProperties({ dataDir }));
    const logPath = logFor(context, 'kafka');
    const jvm = [
      '-cp',
      kafkaClasspath(context),
      `-Dlog4j2.configurationFile=${context.paths.log4jConfig}`,
      `-Dkafka.logs.dir=${context.paths.logsDir}`,
    ];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      // KRaft storage is formatted once with a cluster id (22 chars, base64url of 16 random bytes).
      const clusterId = randomBytes(16).toString('base64url');
      const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsPath], {
        encoding: 'utf8',
      });
      if (format.status !== 0) {
        const said = (format.stderr || format.stdout || format.error?.message || '').trim().split('\n').slice(-2).join(' ');
        throw new KitError(`kafka: formatting storage failed: ${said}`, {
          hint: 'the native stack runs Kafka on Java 17+: java -version shows which one is on PATH',
        });
      }
    }
    await startDetached({
      service: 'kafka',
      command: 'java',
      args: [heap.kafka, ...commonJvmFlags, ...jvm, 'kafka.Kafka', propsPath],
      cwd: context.paths.stackDir,
      runDir: context.paths.runDir,
      logPath,
    });
  },
};

const schemaRegistry: NativeService = {
  name: 'schema-registry',
  ports: [defaultPorts.schemaRegistry],
  managed: true,
  startupTimeoutMs: 90_000,
  async start(context) {
    const home = context.artifacts['apicurio-registry'];
    // stackUp fetches and verifies every component before any service starts: a missing one is a bug.
    if (!home) throw new Error('schema-registry: Apicurio Registry is not in the artifact cache');
    const runner = readdirSync(home).find((file) => file.endsWith('-runner.jar'));
    if (!runner) {
      throw new KitError(`schema-registry: no *-runner.jar in ${home}`, {
        hint: `the cached copy is not what the lock expects: remove ${home} and npm run stack:up fetches it again`,
      });
    }
    const dataDir = join(context.paths.dataDir, 'schema-registry');
    await mkdir(dataDir, { recursive: true });
    await startDetached({
      service: 'schema-registry',
      command: 'java',
      args: schemaRegistryJvmArgs({ heap: heap.registry, port: defaultPorts.schemaRegistry, dataDir, runnerJar: join(home, runner) }),
      cwd: dataDir,
      runDir: context.paths.runDir,
      logPath: logFor(context, 'schema-registry'),
    });
  },
};

/**
 * Connect's plugin.path: the JDBC sink, the Avro converter and the kit's own transforms. One list for the native and
 * the secured stack (secure/services.ts), so a plugin added here reaches both.
 */
export function connectPluginPath(artifacts: StackContext['artifacts']): string[] {
  return [artifacts['debezium-jdbc'], artifacts['apicurio-converter'], artifacts[connectTransformsId]].filter((dir): dir is string =>
    Boolean(dir),
  );
}

const connect: NativeService = {
  name: 'connect',
  ports: [defaultPorts.connect],
  managed: true,
  startupTimeoutMs: 150_000,
  async start(context) {
    const pluginPath = connectPluginPath(context.artifacts);
    const propsPath = join(context.paths.configDir, 'connect-distributed.properties');
    // The converter talks to Apicurio's own API (same server as the Confluent-compatible one).
    const registryApiUrl = `http://127.0.0.1:${defaultPorts.schemaRegistry}/apis/registry/v2`;
    await writeFile(propsPath, connectWorkerProperties({ pluginPath, registryApiUrl, dataDir: context.paths.dataDir }));
    await startDetached({
      service: 'connect',
      command: 'java',
      args: [
        heap.connect,
        ...commonJvmFlags,
        // The JDBC sink binds Connect Timestamps as wall-clock values in the JVM's zone; UTC keeps
        // timestamptz equal to the event time (see stack-facts: timestamps).
        '-Duser.timezone=UTC',
        `-Dlog4j2.configurationFile=${context.paths.log4jConfig}`,
        `-Dkafka.logs.dir=${context.paths.logsDir}`,
        '-cp',
        kafkaClasspath(context),
        'org.apache.kafka.connect.cli.ConnectDistributed',
        propsPath,
      ],
      cwd: context.paths.stackDir,
      runDir: context.paths.runDir,
      logPath: logFor(context, 'connect'),
    });
  },
};

const clickhouse: NativeService = {
  name: 'clickhouse',
  ports: [defaultPorts.clickhouseHttp],
  managed: true,
  startupTimeoutMs: 60_000,
  async start(context) {
    const dataDir = join(context.paths.dataDir, 'clickhouse');
    await mkdir(dataDir, { recursive: true });
    await startDetached({
      service: 'clickhouse',
      // One node process (tsx as a loader, not as a wrapper process) so the pid file is the server.
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(context.paths.repoRoot, 'infra/src/clickhouse-http/main.ts'),
        '--data',
        dataDir,
        '--port',
        String(defaultPorts.clickhouseHttp),
        '--host',
        '127.0.0.1',
        '--database',
        workshopNames.database,
      ],
      cwd: context.paths.repoRoot,
      runDir: context.paths.runDir,
      logPath: logFor(context, 'clickhouse'),
    });
  },
};

const postgres: NativeService = {
  name: 'postgres',
  ports: [defaultPorts.postgres],
  managed: false,
  startupTimeoutMs: 60_000,
  async start() {
    // The machine's server (Debian's cluster). Started the way the machine's own scripts start it.
    const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    const version = clusters.sort().at(-1);
    if (!version) {
      throw new KitError('postgres: no PostgreSQL cluster under /etc/postgresql', {
        hint: 'install PostgreSQL 15+ (apt-get install postgresql), or use the docker stack: STACK=docker npm run stack:up',
      });
    }
    const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { encoding: 'utf8' });
    if (result.status !== 0 && !/already running/i.test(result.stderr)) {
      throw new KitError(`postgres: pg_ctlcluster ${version} main start failed: ${result.stderr.trim() || result.error?.message}`, {
        hint: 'the cluster log says why; pg_lsclusters shows its state',
        logPath: `/var/log/postgresql/postgresql-${version}-main.log`,
      });
    }
  },
};

/** In start order: Kafka before the registry and Connect (Connect stores its state in Kafka topics). */
export const nativeServices: NativeService[] = [postgres, kafka, schemaRegistry, connect, clickhouse];

export function postgresLogHint(): string {
  const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  const version = clusters.sort().at(-1) ?? '15';
  return `/var/log/postgresql/postgresql-${version}-main.log`;
}
