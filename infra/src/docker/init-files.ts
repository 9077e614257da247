import type { ArtifactLock } from '../native/artifacts.js';
import type { StackVersions } from '../native/versions.js';
import { dockerConnectWorkerProperties } from './connect-plugins.js';

/**
 * Files the docker stack's init services and Connect read from infra/docker/, generated from the kit's one sources
 * and committed, so `docker compose up` alone needs nothing the kit writes first. infra/test/docker/init-services.test.ts
 * checks each committed file equals its generator: regenerate with
 * `npx tsx infra/src/docker/write-init-files.ts` after changing a version, the lock or the worker config.
 */

export const initFilePaths = {
  /** What connect-plugins.sh accepts: `<sha256>  <path>` per file, byte-ordered (sha256sum's format). */
  connectPluginsSha256: 'infra/docker/connect-plugins.sha256',
  /** The Connect worker config: the native generator with container host names. */
  connectWorkerConfig: 'infra/docker/connect/connect-distributed.properties',
} as const;

/** The lock entries of the two Connect plugins at the pinned versions, as connect-plugins.sha256 lists them. */
export function connectPluginsSha256(lock: ArtifactLock, versions: StackVersions): string {
  const components = [`debezium-jdbc-${versions.debeziumJdbc}`, `apicurio-converter-${versions.apicurio}`];
  const files: [string, string][] = [];
  for (const component of components) {
    const entry = lock.components[component];
    // The lock is checked against stack-versions.json by the native tests: a missing entry is a maintainer's slip.
    if (!entry) throw new Error(`infra/native/artifacts.lock.json has no ${component} (npm run stack:lock)`);
    files.push(...Object.entries(entry.files));
  }
  // Byte order, as `LC_ALL=C sort` orders the listing the script compares with (paths are ASCII).
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return files.map(([path, sha]) => `${sha}  ${path}\n`).join('');
}

export function connectWorkerConfig(): string {
  return dockerConnectWorkerProperties();
}
