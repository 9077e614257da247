import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KitError } from '@workshop/shared';
import {
  artifactComponents,
  compareWithLock,
  ensureArtifacts,
  hashTree,
  localMaven,
  readLock,
  type ArtifactComponent,
  type MavenRunner,
} from '../native/artifacts.js';
import type { StackPaths } from '../native/paths.js';
import { connectWorkerProperties } from '../native/service-configs.js';
import type { StackVersions } from '../native/versions.js';
import { composeNetwork } from './compose-network.js';

/**
 * `npm run stack:plugins` (and the first step of the docker stack's `stack:up`): the Connect container gets
 * the very plugins the native stack runs — the Debezium JDBC sink and Apicurio's Avro converter, fetched
 * from Maven Central and checked against infra/native/artifacts.lock.json — and the same generated worker
 * config, with container host names. Both land in the git-ignored .stack/, mounted by docker-compose.yml.
 */

/** The two artifact components that are Connect plugins (ids of infra/src/native/artifacts.ts). */
export const connectPluginComponentIds = ['debezium-jdbc', 'apicurio-converter'] as const;

export function dockerConnectPaths(paths: StackPaths) {
  return {
    /** One plugin.path entry: each sub-folder is one plugin (debezium-connector-jdbc/, apicurio-converter/). */
    pluginsDir: join(paths.stackDir, 'connect-plugins'),
    configDir: join(paths.stackDir, 'docker', 'connect'),
    workerConfig: join(paths.stackDir, 'docker', 'connect', composeNetwork.connectWorkerConfigFile),
  };
}

/** The native generator, pointed at the compose network. */
export function dockerConnectWorkerProperties(): string {
  return connectWorkerProperties({
    pluginPath: [composeNetwork.containerPluginPath],
    registryApiUrl: composeNetwork.registryApiUrl,
    dataDir: '/var/lib/kafka/data',
    network: { bootstrapServers: composeNetwork.kafkaInternalBootstrap, listenHost: '0.0.0.0', advertisedHost: composeNetwork.connectHost },
  });
}

export interface PreparedConnect {
  pluginsDir: string;
  workerConfig: string;
  /** False when the copy in .stack/ already matched the lock. */
  copied: boolean;
}

export async function prepareDockerConnect(
  paths: StackPaths,
  versions: StackVersions,
  options: { log: (line: string) => void; maven?: MavenRunner; components?: ArtifactComponent[] },
): Promise<PreparedConnect> {
  const components =
    options.components ??
    artifactComponents(paths, versions, options.maven ?? localMaven).filter((component) =>
      (connectPluginComponentIds as readonly string[]).includes(component.id),
    );
  const cacheDirs = await ensureArtifacts(paths, versions, { log: options.log, components });

  // What .stack/connect-plugins must hold, file for file: the union of the components' lock entries.
  const lock = await readLock(paths.artifactsLock);
  const expected: Record<string, string> = {};
  for (const component of components) Object.assign(expected, lock.components[component.dir]?.files ?? {});

  const { pluginsDir, configDir, workerConfig } = dockerConnectPaths(paths);
  let copied = false;
  const current = existsSync(pluginsDir) ? compareWithLock(await hashTree(pluginsDir), expected) : ['missing'];
  if (current.length > 0) {
    // A copy, not a link: a bind mount cannot follow a symlink to the cache outside the mounted folder.
    const partial = `${pluginsDir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    for (const component of components) {
      const from = cacheDirs[component.id];
      // ensureArtifacts above returns every component or throws: a missing one is a bug.
      if (!from) throw new Error(`${component.id}: not in the artifact cache`);
      for (const entry of await readdir(from)) await cp(join(from, entry), join(partial, entry), { recursive: true });
    }
    const problems = compareWithLock(await hashTree(partial), expected);
    if (problems.length > 0) {
      await rm(partial, { recursive: true, force: true });
      throw new KitError(`connect plugins: the copy in .stack/ does not match infra/native/artifacts.lock.json (${problems.slice(0, 3).join('; ')})`, {
        code: 'docker-stack',
        hint: 'the cache changed while it was copied, or the disk is full (df -h .stack): npm run stack:plugins copies it again',
      });
    }
    await rm(pluginsDir, { recursive: true, force: true });
    await rename(partial, pluginsDir);
    copied = true;
    options.log(`connect plugins: ${Object.keys(expected).length} files verified in ${pluginsDir}`);
  }
  await mkdir(configDir, { recursive: true });
  await writeFile(workerConfig, dockerConnectWorkerProperties());
  return { pluginsDir, workerConfig, copied };
}
