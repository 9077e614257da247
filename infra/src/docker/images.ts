import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { readStackVersions, type StackVersions } from '../native/versions.js';

/**
 * The docker stack's images, from infra/stack-versions.json: Kafka, the Connect worker and the registry take
 * the native stack's versions (same software, in a container); the pieces the native stack has no
 * counterpart for (PostgreSQL's image, ClickHouse server, Grafana) are pinned in its "docker" section.
 */

export interface DockerPins {
  postgres: string;
  clickhouse: string;
  grafana: string;
  grafanaClickhousePlugin: string;
  maven: string;
}

export interface DockerImages {
  kafka: string;
  connect: string;
  'schema-registry': string;
  postgres: string;
  clickhouse: string;
  grafana: string;
}

export function readDockerPins(path = join(repoRoot, 'infra/stack-versions.json')): DockerPins {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { docker?: Record<string, unknown> };
  const docker = raw.docker ?? {};
  const keys = ['postgres', 'clickhouse', 'grafana', 'grafanaClickhousePlugin', 'maven'] as const;
  for (const key of keys) {
    if (typeof docker[key] !== 'string') throw new Error(`infra/stack-versions.json: "docker.${key}" is missing`);
  }
  return docker as unknown as DockerPins;
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
  };
}

/** Grafana's plugin spec for GF_PLUGINS_PREINSTALL_SYNC. */
export function grafanaClickhousePluginSpec(pins: DockerPins = readDockerPins()): string {
  return `grafana-clickhouse-datasource@${pins.grafanaClickhousePlugin}`;
}
