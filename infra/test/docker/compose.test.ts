import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPorts, workshopNames } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { connectWorkerProperties, kafkaServerProperties } from '../../src/native/service-configs.js';
import { readStackVersions } from '../../src/native/versions.js';
import { composeNetwork } from '../../src/docker/compose-network.js';
import { dockerConnectWorkerProperties } from '../../src/docker/connect-plugins.js';
import { dockerImages, grafanaClickhousePluginSpec, readDockerPins } from '../../src/docker/images.js';
import { postgresInitSql } from '../../src/docker/postgres-init.js';
import {
  composeSchemaErrors,
  composeSpecPath,
  composeSpecSha256,
  formatSchemaErrors,
  interpolate,
  loadComposeDocument,
  parsePort,
  parseVolume,
  readComposeFile,
  type ComposeFile,
  type ComposeService,
} from './compose-file.js';

/**
 * docker-compose.yml cannot run here (no Docker engine), so this proves what can be proven without one:
 * the file is valid against the Compose Specification's schema; images are pinned and agree with infra/stack-versions.json; ports agree with
 * shared/src/names.ts and are published on 127.0.0.1 only; every service has a healthcheck and waits for
 * healthy dependencies; Kafka's and Connect's configs are the native stack's; the files it mounts exist.
 */

const expectedServices = ['kafka', 'schema-registry', 'connect', 'postgres', 'clickhouse', 'grafana'] as const;
/** Host port of each service (the native stack's, and Grafana's) → the port inside the container. */
const publishedPorts: Record<(typeof expectedServices)[number], { published: number; target: number }> = {
  kafka: { published: defaultPorts.kafka, target: defaultPorts.kafka },
  'schema-registry': { published: defaultPorts.schemaRegistry, target: composeNetwork.registryContainerPort },
  connect: { published: defaultPorts.connect, target: defaultPorts.connect },
  postgres: { published: defaultPorts.postgres, target: defaultPorts.postgres },
  clickhouse: { published: defaultPorts.clickhouseHttp, target: defaultPorts.clickhouseHttp },
  grafana: { published: defaultPorts.grafana, target: defaultPorts.grafana },
};

let compose: ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function env(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
}

function bindMounts(name: string) {
  return (service(name).volumes ?? []).map(parseVolume).filter((v) => v.source.startsWith('/'));
}

/** Properties text → map (comments and blank lines dropped). */
function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.trim() && !line.trimStart().startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

beforeAll(() => {
  compose = readComposeFile();
});

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema (the vendored compose-spec.json, unmodified)', () => {
    const sha256 = createHash('sha256').update(readFileSync(composeSpecPath)).digest('hex');
    expect(sha256, 'infra/test/docker/compose-spec.json differs from the upstream file named in compose-file.ts').toBe(composeSpecSha256);
    const errors = composeSchemaErrors(loadComposeDocument());
    expect(formatSchemaErrors(errors), 'docker-compose.yml against compose-spec.json').toBe('');
  });

  it('the schema check rejects what Compose rejects: an unknown service key, a wrong type', () => {
    const document = loadComposeDocument() as ComposeFile;
    const kafka = document.services.kafka as ComposeService;
    const broken = { ...document, services: { ...document.services, kafka: { ...kafka, restart_policy: 'always', ports: 9092 } } };
    const messages = formatSchemaErrors(composeSchemaErrors(broken));
    expect(messages).toContain('restart_policy');
    expect(messages).toContain('/services/kafka/ports must be array');
  });

  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Compose's own ${…} syntax, as docker-compose.yml writes it
  it("interpolates ${…} as Compose does: the file's defaults, $$ as a literal $", () => {
    expect(interpolate('${WORKSHOP_BIND:-127.0.0.1}:9092:9092', {})).toBe('127.0.0.1:9092:9092');
    expect(interpolate('${WORKSHOP_BIND:-127.0.0.1}:9092:9092', { WORKSHOP_BIND: '0.0.0.0' })).toBe('0.0.0.0:9092:9092');
    expect(interpolate('${A:-x}|${A-x}|${A}|$A', { A: '' })).toBe('x|||');
    expect(interpolate('body=$$(cat <&3) && [[ $$body ]]', {})).toBe('body=$(cat <&3) && [[ $body ]]');
    expect(() => interpolate('${A:?required}', {})).toThrow(/unsupported interpolation/);
  });
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of the Compose syntax

  it('has the native stack’s services plus Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...expectedServices].sort());
  });

  it('pins every image to an exact tag, and the tags are those of infra/stack-versions.json', () => {
    const images = dockerImages();
    for (const name of expectedServices) {
      const image = service(name).image ?? '';
      expect(image, `${name}: image`).toMatch(/^[\w./-]+:[\w.-]+$/);
      const tag = image.split(':')[1] ?? '';
      expect(tag, `${name}: no "latest"`).not.toMatch(/latest/i);
      // An exact version: at least major.minor.patch (e.g. 4.1.2, 2.6.13.Final, 25.8.29.51, 15.18 for PostgreSQL).
      expect(tag, `${name}: an exact version`).toMatch(name === 'postgres' ? /^\d+\.\d+$/ : /^\d+\.\d+\.\d+/);
      expect(image, `${name}: the image pinned in infra/stack-versions.json`).toBe(images[name]);
    }
  });

  it('runs the versions of the native stack: Kafka and Connect on the same Kafka, Apicurio on the same line, PostgreSQL on the same major', () => {
    const versions = readStackVersions();
    expect(service('kafka').image).toBe(`apache/kafka:${versions.kafka}`);
    expect(service('connect').image).toBe(`apache/kafka:${versions.kafka}`);
    expect(service('schema-registry').image).toBe(`apicurio/apicurio-registry-sql:${versions.apicurio}`);
    expect(readDockerPins().postgres.split(':')[1]?.split('.')[0]).toBe(versions.postgresMajor);
    expect(service('clickhouse').image).toMatch(/^clickhouse\/clickhouse-server:25\.\d+\.\d+\.\d+$/);
    expect(service('grafana').image).toMatch(/^grafana\/grafana:12\.\d+\.\d+$/);
  });

  it('publishes each service on the port of shared/src/names.ts, on 127.0.0.1 only', () => {
    for (const name of expectedServices) {
      const ports = (service(name).ports ?? []).map(parsePort);
      expect(ports, `${name}: one published port`).toHaveLength(1);
      expect(ports[0], name).toEqual({ host: '127.0.0.1', ...publishedPorts[name] });
    }
  });

  it('gives every service a healthcheck, and starts dependants only once what they need is healthy', () => {
    for (const name of expectedServices) {
      const healthcheck = service(name).healthcheck;
      expect(healthcheck?.test, `${name}: healthcheck`).toBeDefined();
      expect(healthcheck?.disable, name).not.toBe(true);
      const dependsOn = service(name).depends_on ?? {};
      expect(Array.isArray(dependsOn), `${name}: depends_on with conditions`).toBe(false);
      for (const [dependency, { condition }] of Object.entries(dependsOn as Record<string, { condition?: string }>)) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
      }
    }
    expect(Object.keys(service('connect').depends_on ?? {}).sort()).toEqual(['kafka', 'schema-registry']);
    expect(Object.keys(service('schema-registry').depends_on ?? {})).toEqual(['postgres']);
  });

  it('keeps data in named volumes, and mounts nothing from outside the repository', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const dataDirs: Record<string, string> = {
      kafka: '/var/lib/kafka/data',
      postgres: '/var/lib/postgresql/data',
      clickhouse: '/var/lib/clickhouse',
      grafana: '/var/lib/grafana',
    };
    for (const [name, target] of Object.entries(dataDirs)) {
      const mount = (service(name).volumes ?? []).map(parseVolume).find((v) => v.target === target);
      expect(mount, `${name}: a volume at ${target}`).toBeDefined();
      expect(declared, `${name}: ${mount?.source} is a named volume`).toContain(mount?.source);
    }
    for (const name of expectedServices) {
      for (const mount of bindMounts(name)) {
        expect(relative(repoRoot, mount.source).startsWith('..'), `${name}: ${mount.source} is inside the repository`).toBe(false);
        expect(mount.mode, `${name}: ${mount.source} read-only`).toBe('ro');
      }
    }
  });

  it("configures Kafka as the native stack's kafkaServerProperties(), but for its two listeners", () => {
    const excluded = new Set(['KAFKA_HEAP_OPTS', 'KAFKA_OPTS', 'KAFKA_LOG4J_OPTS', 'KAFKA_JMX_OPTS']);
    const fromCompose = new Map(
      Object.entries(env('kafka'))
        .filter(([key]) => key.startsWith('KAFKA_') && !excluded.has(key))
        // The image's rule: KAFKA_FOO_BAR → foo.bar.
        .map(([key, value]) => [key.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.'), value]),
    );
    const native = properties(kafkaServerProperties({ dataDir: '/var/lib/kafka/data' }));
    const networkKeys = ['listeners', 'advertised.listeners', 'listener.security.protocol.map', 'inter.broker.listener.name'];
    for (const [key, value] of native) {
      if (networkKeys.includes(key)) continue;
      expect(fromCompose.get(key), `kafka: ${key}`).toBe(value);
    }
    expect(
      [...fromCompose.keys()].filter((key) => !native.has(key)),
      'kafka: settings the native stack does not have',
    ).toEqual([]);
    expect(env('kafka').KAFKA_ADVERTISED_LISTENERS?.split(',').sort()).toEqual(
      [`PLAINTEXT://127.0.0.1:${defaultPorts.kafka}`, `INTERNAL://${composeNetwork.kafkaInternalBootstrap}`].sort(),
    );
    expect(env('kafka').KAFKA_LISTENERS).toContain(`INTERNAL://0.0.0.0:${composeNetwork.kafkaInternalPort}`);
    expect(env('kafka').KAFKA_INTER_BROKER_LISTENER_NAME).toBe('INTERNAL');
  });

  it("runs Connect with the native stack's generated worker config, plugins and JVM time zone", () => {
    const connect = service('connect');
    const command = Array.isArray(connect.command) ? connect.command : String(connect.command).split(' ');
    expect(command).toEqual([
      '/opt/kafka/bin/connect-distributed.sh',
      `${composeNetwork.containerConnectConfigDir}/${composeNetwork.connectWorkerConfigFile}`,
    ]);
    expect(env('connect').KAFKA_OPTS).toContain('-Duser.timezone=UTC');
    const mounts = Object.fromEntries(bindMounts('connect').map((m) => [relative(repoRoot, m.source), m.target]));
    expect(mounts).toEqual({
      '.stack/connect-plugins': composeNetwork.containerPluginPath,
      '.stack/docker/connect': composeNetwork.containerConnectConfigDir,
    });

    const docker = properties(dockerConnectWorkerProperties());
    expect(docker.get('bootstrap.servers')).toBe(composeNetwork.kafkaInternalBootstrap);
    expect(docker.get('plugin.path')).toBe(composeNetwork.containerPluginPath);
    expect(docker.get('listeners')).toBe(`http://0.0.0.0:${defaultPorts.connect}`);
    expect(docker.get('value.converter.apicurio.registry.url')).toBe(composeNetwork.registryApiUrl);
    const native = properties(connectWorkerProperties({ pluginPath: ['/x'], registryApiUrl: 'http://r', dataDir: '/d' }));
    const differ = [...native.keys()].filter((key) => native.get(key) !== docker.get(key)).sort();
    expect(differ, 'only the network and paths differ from the native worker').toEqual(
      ['bootstrap.servers', 'listeners', 'plugin.path', 'rest.advertised.host.name', 'value.converter.apicurio.registry.url'].sort(),
    );
    expect([...docker.keys()].sort()).toEqual([...native.keys()].sort());
  });

  it('stores the registry in its own PostgreSQL database', () => {
    expect(env('schema-registry').REGISTRY_DATASOURCE_URL).toBe(composeNetwork.registryDatasourceUrl);
  });

  it('creates database workshop and the read-only role at PostgreSQL init, from the shared names', () => {
    expect(env('postgres').POSTGRES_DB).toBe(workshopNames.database);
    const init = bindMounts('postgres').find((m) => m.target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(init, 'postgres: an init script').toBeDefined();
    expect(relative(repoRoot, init?.source ?? '')).toBe('infra/docker/postgres-init.sql');
    expect(
      readFileSync(init?.source ?? '', 'utf8'),
      'infra/docker/postgres-init.sql is out of date: regenerate it from infra/src/docker/postgres-init.ts (npx tsx -e "import(\'./infra/src/docker/postgres-init.ts\').then(m => process.stdout.write(m.postgresInitSql()))" > infra/docker/postgres-init.sql)',
    ).toBe(postgresInitSql());
    expect(composeNetwork.connectJdbcUrl).toBe(`jdbc:postgresql://postgres:${defaultPorts.postgres}/${workshopNames.database}`);
  });

  it('creates database workshop in ClickHouse', () => {
    expect(env('clickhouse').CLICKHOUSE_DB).toBe(workshopNames.database);
  });

  it('runs Grafana for the room: anonymous viewers, the ClickHouse plugin pinned, the read-only PostgreSQL role', () => {
    const grafana = env('grafana');
    expect(grafana.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(grafana.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(grafana.GF_PLUGINS_PREINSTALL_SYNC).toBe(grafanaClickhousePluginSpec());
    expect(grafana.GF_PLUGINS_PREINSTALL_SYNC).toMatch(/^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/);
    expect(grafana.WORKSHOP_POSTGRES_USER).toBe(workshopNames.dashboardReadRole);
    expect(grafana.WORKSHOP_POSTGRES_DATABASE).toBe(workshopNames.database);
    expect(grafana.WORKSHOP_POSTGRES_HOST).toBe(`postgres:${defaultPorts.postgres}`);
    expect(grafana.WORKSHOP_CLICKHOUSE_DATABASE).toBe(workshopNames.database);
    const mounts = Object.fromEntries(bindMounts('grafana').map((m) => [relative(repoRoot, m.source), m.target]));
    expect(mounts).toEqual({ 'grafana/provisioning': '/etc/grafana/provisioning', 'grafana/dashboards': '/etc/grafana/dashboards' });
  });

  // Step 07 writes these files; until it lands, this fails on purpose.
  it("mounts Grafana provisioning that exists: datasources, a dashboard provider, and the dashboards (step 07's files)", () => {
    const root = join(repoRoot, 'grafana');
    const yamlIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : []);
    expect(yamlIn(join(root, 'provisioning/datasources')), 'grafana/provisioning/datasources/*.yaml').not.toEqual([]);
    expect(yamlIn(join(root, 'provisioning/dashboards')), 'grafana/provisioning/dashboards/*.yaml').not.toEqual([]);
    const dashboards = existsSync(join(root, 'dashboards'))
      ? readdirSync(join(root, 'dashboards'), { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.json'))
      : [];
    expect(dashboards, 'grafana/dashboards/**/*.json').not.toEqual([]);
    const providers = yamlIn(join(root, 'provisioning/dashboards'))
      .map((f) => readFileSync(join(root, 'provisioning/dashboards', f), 'utf8'))
      .join('\n');
    expect(providers, 'the dashboard provider reads the folder docker-compose.yml mounts').toContain('/etc/grafana/dashboards');
  });
});
