import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * infra/stack-versions.json, the one place the stack's versions are pinned. Every value becomes part of a
 * Maven coordinate, a folder name or an image tag, so each must look like what it is: a typo here would
 * otherwise surface minutes later as a Maven "artifact not found" or a docker pull of the wrong tag.
 */
export const stackVersionsFile = join(repoRoot, 'infra/stack-versions.json');

function version(example: string, pattern: RegExp) {
  const message = `must be a version like ${example}`;
  return z.string({ error: message }).regex(pattern, { error: message });
}

const release = /^\d+\.\d+\.\d+$/;
const finalRelease = /^\d+\.\d+\.\d+\.Final$/;

/** An image with an exact tag: the tag starts with a digit, so never `latest` or another moving name. */
const pinnedImage = (example: string) => {
  const message = `must be an image with an exact tag, like ${example}`;
  return z.string({ error: message }).regex(/^[a-z0-9][a-z0-9._/-]*:\d[\w.-]*$/, { error: message });
};

const stackVersionsSchema = z.object({
  kafka: version('4.1.2', release),
  log4j: version('2.24.3', release),
  debeziumJdbc: version('3.4.3.Final', finalRelease),
  apicurio: version('2.6.13.Final', finalRelease),
  chdb: version('3.4.0', release),
  postgresMajor: version('15', /^\d+$/),
});

const dockerPinsSchema = z.object({
  postgres: pinnedImage('postgres:15.18'),
  clickhouse: pinnedImage('clickhouse/clickhouse-server:25.8.29.51'),
  grafana: pinnedImage('grafana/grafana:12.3.1'),
  grafanaClickhousePlugin: version('4.14.0', release),
  maven: pinnedImage('maven:3.9.9-eclipse-temurin-17'),
});

export type StackVersions = z.infer<typeof stackVersionsSchema>;
/** The docker stack's images that the native stack has no counterpart for (see infra/src/docker/images.ts). */
export type DockerPins = z.infer<typeof dockerPinsSchema>;

const hint = 'fix the value in infra/stack-versions.json (git diff infra/stack-versions.json shows what changed)';

/** The native stack's versions (Kafka, Debezium, Apicurio, chDB, PostgreSQL's major); the docker section is not read. */
export function readStackVersions(path = stackVersionsFile): StackVersions {
  return readJsonFile(path, stackVersionsSchema, { hint });
}

/** The file's "docker" section, read on its own so a broken docker pin never stops the native stack. */
export function readDockerPins(path = stackVersionsFile): DockerPins {
  return readJsonFile(path, z.object({ docker: dockerPinsSchema }), { hint }).docker;
}
