import { readDockerPins, readStackVersions, type DockerPins, type StackVersions } from '../native/versions.js';

/**
 * The docker stack's images, from infra/stack-versions.json: Kafka, the Connect worker and the registry take
 * the native stack's versions (same software, in a container); the pieces the native stack has no
 * counterpart for (PostgreSQL's image, ClickHouse server, Grafana) are pinned in its "docker" section.
 */

// Read and validated with the rest of the file in infra/src/native/versions.ts; here for the docker stack's callers.
export { readDockerPins, type DockerPins };

/** The id Grafana knows the ClickHouse datasource plugin by. */
export const grafanaClickhousePluginId = 'grafana-clickhouse-datasource';

export interface DockerImages {
  kafka: string;
  connect: string;
  'schema-registry': string;
  postgres: string;
  clickhouse: string;
  grafana: string;
  /** Init services and the link: images the stack already pulls for the services above, or Maven's. */
  'connect-plugins': string;
  'connect-postgres-link': string;
  'postgres-init': string;
  'registry-init': string;
  'secrets-init': string;
}

export function dockerImages(versions: StackVersions = readStackVersions(), pins: DockerPins = readDockerPins()): DockerImages {
  return {
    // The official image of the same Kafka release runs both the broker and the Connect worker.
    kafka: `apache/kafka:${versions.kafka}`,
    connect: `apache/kafka:${versions.kafka}`,
    // Apicurio 2.x publishes one image per storage; -sql keeps schemas (and their ids) in PostgreSQL, so they
    // survive a restart like the native stack's H2 file does.
    'schema-registry': `apicurio/apicurio-registry-sql:${versions.apicurio}`,
    postgres: pins.postgres,
    clickhouse: pins.clickhouse,
    grafana: pins.grafana,
    // The same Maven as a docker participant's `mvn`: it runs the native stack's command lines, and its JDK the link.
    'connect-plugins': pins.maven,
    'connect-postgres-link': pins.maven,
    'postgres-init': pins.postgres,
    // The Kafka image has bash (no curl): enough for one HTTP PUT.
    'registry-init': `apache/kafka:${versions.kafka}`,
    // Runs as root (bash, coreutils): it may have to hand a .stack/ that Docker created as root to the checkout's owner.
    'secrets-init': pins.postgres,
  };
}

/** Grafana's plugin spec for GF_PLUGINS_PREINSTALL. */
export function grafanaClickhousePluginSpec(pins: DockerPins = readDockerPins()): string {
  return `${grafanaClickhousePluginId}@${pins.grafanaClickhousePlugin}`;
}
