import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apicurioConfluentApiPath, defaultPorts, hostPortVariables, parseConfig, workshopNames } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { requiredConnectPlugins } from '../../src/native/probes.js';
import { connectWorkerProperties, kafkaServerProperties } from '../../src/native/service-configs.js';
import { readStackVersions } from '../../src/native/versions.js';
import { composeNetwork } from '../../src/docker/compose-network.js';
import { dockerConnectWorkerProperties } from '../../src/docker/connect-plugins.js';
import { dockerImages, grafanaClickhousePluginSpec, readDockerPins, type DockerImages } from '../../src/docker/images.js';
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
 * shared/src/names.ts, move with WORKSHOP_*_PORT and are published on 127.0.0.1 only; every long-running service has a
 * healthcheck; the init services run before what needs them; Kafka's and Connect's configs are the native stack's;
 * the files it mounts exist. The init scripts themselves run in init-services.test.ts.
 */

const expectedServices = ['kafka', 'schema-registry', 'connect', 'postgres', 'clickhouse', 'grafana'] as const;
/** One-shot services: each runs to its end at every `up`; dependants wait for `service_completed_successfully`. */
const initServices = ['secrets-init', 'connect-plugins', 'postgres-init', 'registry-init'] as const;
/** Runs in Connect's network namespace: 127.0.0.1:<PostgreSQL host port> there reaches the postgres container. */
const link = 'connect-postgres-link';
const allServices = [...expectedServices, ...initServices, link] as const;
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

  it('has the native stack’s services plus Grafana, four init services and the link to PostgreSQL', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...allServices].sort());
  });

  it('pins every image to an exact tag, and the tags are those of infra/stack-versions.json', () => {
    const images = dockerImages();
    for (const name of allServices) {
      const image = service(name).image ?? '';
      expect(image, `${name}: image`).toMatch(/^[\w./-]+:[\w.-]+$/);
      const tag = image.split(':')[1] ?? '';
      expect(tag, `${name}: no "latest"`).not.toMatch(/latest/i);
      // An exact version: at least major.minor.patch (e.g. 4.1.2, 2.6.13.Final, 25.8.29.51, 15.18 for PostgreSQL).
      expect(tag, `${name}: an exact version`).toMatch(image.startsWith('postgres:') ? /^\d+\.\d+$/ : /^\d+\.\d+\.\d+/);
      expect(image, `${name}: the image pinned in infra/stack-versions.json`).toBe(images[name as keyof DockerImages]);
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

  it('publishes each service on the port of shared/src/names.ts, on 127.0.0.1 only (init services and the link: none)', () => {
    for (const name of expectedServices) {
      const ports = (service(name).ports ?? []).map(parsePort);
      expect(ports, `${name}: one published port`).toHaveLength(1);
      expect(ports[0], name).toEqual({ host: '127.0.0.1', ...publishedPorts[name] });
    }
    for (const name of [...initServices, link]) expect(service(name).ports, `${name}: publishes nothing`).toBeUndefined();
  });

  it('moves every host port with the WORKSHOP_*_PORT variable the kit’s config follows (shared/src/names.ts)', () => {
    const variableOf: Record<(typeof expectedServices)[number], string> = {
      kafka: hostPortVariables.kafka,
      'schema-registry': hostPortVariables.schemaRegistry,
      connect: hostPortVariables.connect,
      postgres: hostPortVariables.postgres,
      clickhouse: hostPortVariables.clickhouseHttp,
      grafana: hostPortVariables.grafana,
    };
    const moved = Object.fromEntries(Object.values(variableOf).map((name, i) => [name, String(41000 + i)]));
    const document = loadComposeDocument(undefined, moved) as ComposeFile;
    const config = parseConfig(moved);
    const kitPort: Record<(typeof expectedServices)[number], number> = {
      kafka: Number(config.kafka.brokers[0]?.split(':')[1]),
      'schema-registry': Number(new URL(config.schemaRegistry.url).port),
      connect: Number(new URL(config.connect.url).port),
      postgres: config.postgres.port,
      clickhouse: Number(new URL(config.clickhouse.url).port),
      grafana: Number(new URL(config.grafana.url).port),
    };
    for (const name of expectedServices) {
      const published = parsePort(String(document.services[name]?.ports?.[0]));
      expect(published.published, `${name}: ${variableOf[name]}`).toBe(Number(moved[variableOf[name]]));
      expect(published.target, `${name}: the container's port stays`).toBe(publishedPorts[name].target);
      expect(kitPort[name], `${name}: the kit's config follows ${variableOf[name]}`).toBe(published.published);
    }
    const kafka = document.services.kafka?.environment as Record<string, string>;
    expect(kafka.KAFKA_ADVERTISED_LISTENERS, 'Kafka advertises the moved port to the host').toContain(
      `PLAINTEXT://127.0.0.1:${moved[hostPortVariables.kafka]}`,
    );
    // Connect is given this machine's JDBC URL (config.connect.postgresJdbcUrl): the link must listen on its port.
    expect(config.connect.postgresJdbcUrl).toBe(
      `jdbc:postgresql://127.0.0.1:${moved[hostPortVariables.postgres]}/${workshopNames.database}`,
    );
    expect(document.services[link]?.command).toContain(`127.0.0.1:${moved[hostPortVariables.postgres]}`);
  });

  it('gives every long-running service a healthcheck; dependants wait for healthy services and for init services to succeed', () => {
    for (const name of [...expectedServices, link]) {
      const healthcheck = service(name).healthcheck;
      expect(healthcheck?.test, `${name}: healthcheck`).toBeDefined();
      expect(healthcheck?.disable, name).not.toBe(true);
    }
    for (const name of allServices) {
      const dependsOn = service(name).depends_on ?? {};
      expect(Array.isArray(dependsOn), `${name}: depends_on with conditions`).toBe(false);
      for (const [dependency, { condition }] of Object.entries(dependsOn as Record<string, { condition?: string }>)) {
        const expected = (initServices as readonly string[]).includes(dependency)
          ? 'service_completed_successfully'
          : name === link && dependency === 'connect'
            ? 'service_started'
            : 'service_healthy';
        expect(condition, `${name} → ${dependency}`).toBe(expected);
      }
    }
    const dependencies = (name: string) => Object.keys(service(name).depends_on ?? {}).sort();
    // The order `docker compose up` alone must follow: plugins and the BACKWARD rule before Connect, the registry's
    // database before the registry, the read-only role before Grafana logs in with it.
    expect(dependencies('connect')).toEqual(['connect-plugins', 'kafka', 'registry-init', 'schema-registry']);
    expect(dependencies('schema-registry')).toEqual(['postgres-init']);
    expect(dependencies('postgres-init')).toEqual(['postgres']);
    expect(dependencies('registry-init')).toEqual(['schema-registry']);
    expect(dependencies('grafana')).toEqual(['clickhouse', 'postgres-init', 'secrets-init']);
    // The passwords they read exist (secrets-init) before ClickHouse and Grafana start.
    expect(dependencies('clickhouse')).toEqual(['secrets-init']);
    expect(dependencies('secrets-init')).toEqual([]);
    expect(dependencies(link)).toEqual(['connect', 'postgres']);
    expect(dependencies('connect-plugins')).toEqual([]);
  });

  it('lets Connect reach PostgreSQL at the JDBC URL the kit gives it: the link shares Connect’s network and forwards to postgres', () => {
    const linkService = service(link);
    expect(linkService.network_mode).toBe('service:connect');
    const command = linkService.command as string[];
    const config = parseConfig({});
    const jdbc = new URL(config.connect.postgresJdbcUrl.replace(/^jdbc:/, ''));
    expect(command.slice(-2)).toEqual([`${jdbc.hostname}:${jdbc.port}`, composeNetwork.postgresAddress]);
    expect(command).toContain('/workshop/docker/TcpForward.java');
    const mounts = Object.fromEntries(bindMounts(link).map((m) => [relative(repoRoot, m.source), m.target]));
    expect(mounts).toEqual({ 'infra/docker': '/workshop/docker' });
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
    expect(mounts, 'nothing from .stack/: the engine would create missing folders there as root').toEqual({
      'infra/docker/connect': composeNetwork.containerConnectConfigDir,
    });
    const plugins = (connect.volumes ?? []).map(parseVolume).find((v) => v.target === composeNetwork.containerPluginPath);
    expect(plugins, 'the plugins volume connect-plugins fills').toEqual({
      source: 'connect-plugins',
      target: composeNetwork.containerPluginPath,
      mode: 'ro',
    });
    expect(Object.keys(compose.volumes ?? {})).toContain('connect-plugins');
    expect((service('connect-plugins').volumes ?? []).map(parseVolume).find((v) => v.source === 'connect-plugins')?.target).toBe(
      '/plugins',
    );

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

  it('creates database workshop, then (postgres-init, every start) the read-only role and the registry database, from the shared names', () => {
    expect(env('postgres').POSTGRES_DB).toBe(workshopNames.database);
    const init = service('postgres-init');
    const script = bindMounts('postgres-init').find((m) => relative(repoRoot, m.source) === 'infra/docker/postgres-init.sql');
    expect(script, 'postgres-init: mounts infra/docker/postgres-init.sql').toBeDefined();
    expect(init.command).toEqual(['psql', '-v', 'ON_ERROR_STOP=1', '-q', '-f', script?.target]);
    expect(env('postgres-init')).toEqual({ PGHOST: 'postgres', PGUSER: 'postgres', PGDATABASE: workshopNames.database });
    expect(
      readFileSync(script?.source ?? '', 'utf8'),
      'infra/docker/postgres-init.sql is out of date: npx tsx infra/src/docker/write-init-files.ts',
    ).toBe(postgresInitSql());
    expect(postgresInitSql()).toContain(`CREATE DATABASE %I', '${composeNetwork.registryDatasourceUrl.split('/').pop()}'`);
  });

  it('fetches Connect’s plugins at the versions of infra/stack-versions.json with the native pom (connect-plugins)', () => {
    const versions = readStackVersions();
    expect(env('connect-plugins')).toEqual({
      DEBEZIUM_JDBC_VERSION: versions.debeziumJdbc,
      APICURIO_VERSION: versions.apicurio,
      // The kit's transform is built against the Kafka Connect runs.
      KAFKA_VERSION: versions.kafka,
    });
    expect(service('connect-plugins').command).toEqual(['bash', '/workshop/docker/connect-plugins.sh']);
    const mounts = Object.fromEntries(bindMounts('connect-plugins').map((m) => [relative(repoRoot, m.source), m.target]));
    expect(mounts).toEqual({
      'infra/docker': '/workshop/docker',
      'infra/native/maven': '/workshop/maven',
      // Where connect-plugins.sh reads the kit's transform's sources (TRANSFORMS_SOURCES' default).
      'infra/connect-transforms': '/workshop/connect-transforms',
    });
    expect(readFileSync(join(repoRoot, 'infra/docker/connect-plugins.sh'), 'utf8')).toContain(
      'transforms_sources="${TRANSFORMS_SOURCES:-/workshop/connect-transforms}"',
    );
  });

  it("is healthy only when Connect lists every plugin the native probe requires — the kit's transform included", () => {
    const test = (service('connect').healthcheck?.test ?? []) as string[];
    for (const plugin of requiredConnectPlugins) expect(test.join(' '), plugin).toContain(`*${plugin}*`);
  });

  it('sets the registry’s BACKWARD rule through the Confluent API the steps use (registry-init)', () => {
    expect(env('registry-init')).toEqual({
      REGISTRY_HOST: 'schema-registry',
      REGISTRY_PORT: String(composeNetwork.registryContainerPort),
      REGISTRY_CONFIG_PATH: `${apicurioConfluentApiPath}/config`,
      // As the native stack's prepareSchemaRegistry() (infra/src/native/workshop-setup.ts).
      COMPATIBILITY: 'BACKWARD',
    });
    expect(service('registry-init').command).toEqual(['bash', '/workshop/registry-init.sh']);
  });

  it('creates database workshop in ClickHouse', () => {
    expect(env('clickhouse').CLICKHOUSE_DB).toBe(workshopNames.database);
  });

  it('runs Grafana for the room: anonymous viewers, the ClickHouse plugin pinned, the read-only PostgreSQL role', () => {
    const grafana = env('grafana');
    expect(grafana.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(grafana.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    // Installed in the background: Grafana turns healthy without the internet (a synchronous install would block it).
    expect(grafana.GF_PLUGINS_PREINSTALL).toBe(grafanaClickhousePluginSpec());
    expect(grafana.GF_PLUGINS_PREINSTALL).toMatch(/^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/);
    expect(grafana.GF_PLUGINS_PREINSTALL_SYNC, 'a synchronous install blocks start-up offline').toBeUndefined();
    expect(grafana.GF_INSTALL_PLUGINS, 'the entrypoint installs these before starting: blocks offline').toBeUndefined();
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
