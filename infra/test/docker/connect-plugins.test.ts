import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactComponents, type ArtifactComponent } from '../../src/native/artifacts.js';
import { stackPaths } from '../../src/native/paths.js';
import { readStackVersions } from '../../src/native/versions.js';
import { composeNetwork } from '../../src/docker/compose-network.js';
import { connectPluginComponentIds, dockerConnectPaths, prepareDockerConnect } from '../../src/docker/connect-plugins.js';
import { mavenInDocker } from '../../src/docker/maven-in-docker.js';

/**
 * `npm run stack:plugins`: the docker stack's Connect gets the native stack's plugins, checked against the
 * same lock, copied into .stack/connect-plugins, plus the generated worker config. Stand-in components
 * (no Maven, no network) in a sandbox.
 */

async function sandbox() {
  const root = await mkdtemp(join(tmpdir(), 'docker-plugins-test-'));
  const paths = { ...stackPaths({ WORKSHOP_STACK_DIR: join(root, 'stack'), WORKSHOP_CACHE_DIR: join(root, 'cache') }), artifactsLock: join(root, 'lock.json') };
  return { root, paths };
}

/** A plugin archive that unpacks to `<folder>/<jar>` — the layout of the real two. */
function plugin(id: string, folder: string, content: () => string): ArtifactComponent {
  return {
    id,
    dir: `${id}-1.0`,
    source: 'test',
    fetch: async (into) => {
      await mkdir(join(into, folder), { recursive: true });
      await writeFile(join(into, folder, `${id}.jar`), content());
    },
  };
}

describe('docker stack: Connect plugins', () => {
  it('uses exactly the two Connect plugins of the native artifacts', () => {
    const ids = artifactComponents(stackPaths(), readStackVersions()).map((c) => c.id);
    for (const id of connectPluginComponentIds) expect(ids).toContain(id);
  });

  it('copies the verified plugins into .stack/connect-plugins (one folder per plugin) and writes the worker config', async () => {
    const { paths } = await sandbox();
    const components = [plugin('debezium-jdbc', 'debezium-connector-jdbc', () => 'sink'), plugin('apicurio-converter', 'apicurio-converter', () => 'converter')];
    const log: string[] = [];
    // No lock entries yet: refused, as on the native stack.
    const first = await prepareDockerConnect(paths, readStackVersions(), { log: (l) => log.push(l), components }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toMatch(/no checksums for debezium-jdbc-1.0 in infra\/native\/artifacts.lock.json/);

    await writeFile(
      paths.artifactsLock,
      JSON.stringify({
        components: {
          'debezium-jdbc-1.0': { source: 'test', files: { 'debezium-connector-jdbc/debezium-jdbc.jar': sha('sink') } },
          'apicurio-converter-1.0': { source: 'test', files: { 'apicurio-converter/apicurio-converter.jar': sha('converter') } },
        },
      }),
    );
    const prepared = await prepareDockerConnect(paths, readStackVersions(), { log: (l) => log.push(l), components });
    const { pluginsDir, workerConfig } = dockerConnectPaths(paths);
    expect(prepared).toEqual({ pluginsDir, workerConfig, copied: true });
    expect(await readFile(join(pluginsDir, 'debezium-connector-jdbc/debezium-jdbc.jar'), 'utf8')).toBe('sink');
    expect(await readFile(join(pluginsDir, 'apicurio-converter/apicurio-converter.jar'), 'utf8')).toBe('converter');
    const config = await readFile(workerConfig, 'utf8');
    expect(config).toContain(`plugin.path=${composeNetwork.containerPluginPath}\n`);
    expect(config).toContain(`bootstrap.servers=${composeNetwork.kafkaInternalBootstrap}\n`);

    // Second run: nothing to copy.
    expect((await prepareDockerConnect(paths, readStackVersions(), { log: () => undefined, components })).copied).toBe(false);

    // A tampered copy is replaced by a verified one.
    await writeFile(join(pluginsDir, 'debezium-connector-jdbc/debezium-jdbc.jar'), 'tampered');
    await writeFile(join(pluginsDir, 'debezium-connector-jdbc/extra.jar'), 'extra');
    expect((await prepareDockerConnect(paths, readStackVersions(), { log: () => undefined, components })).copied).toBe(true);
    expect(await readFile(join(pluginsDir, 'debezium-connector-jdbc/debezium-jdbc.jar'), 'utf8')).toBe('sink');
    expect(existsSync(join(pluginsDir, 'debezium-connector-jdbc/extra.jar'))).toBe(false);
  });

  it('refuses a download that does not match the lock, and leaves no partial copy', async () => {
    const { paths } = await sandbox();
    await writeFile(
      paths.artifactsLock,
      JSON.stringify({ components: { 'debezium-jdbc-1.0': { source: 'test', files: { 'debezium-connector-jdbc/debezium-jdbc.jar': sha('sink') } } } }),
    );
    const components = [plugin('debezium-jdbc', 'debezium-connector-jdbc', () => 'evil')];
    const error = await prepareDockerConnect(paths, readStackVersions(), { log: () => undefined, components }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/download does not match infra\/native\/artifacts.lock.json/);
    expect(existsSync(dockerConnectPaths(paths).pluginsDir)).toBe(false);
  });

  it('runs Maven in the pinned image when the machine has none, with every path mounted at itself', async () => {
    const { paths } = await sandbox();
    const runner = mavenInDocker(paths, 'maven:3.9.9-eclipse-temurin-17', { home: '/home/ada', uid: 1000, gid: 1000 });
    expect(runner.command).toBe('docker');
    const args = runner.prefixArgs;
    expect(args.slice(0, 4)).toEqual(['run', '--rm', '--user', '1000:1000']);
    for (const dir of ['/home/ada/.m2', paths.cacheDir, join(paths.repoRoot, 'infra/native/maven')]) {
      expect(args).toContain(`${dir}:${dir}`);
    }
    expect(args.slice(-3)).toEqual(['maven:3.9.9-eclipse-temurin-17', 'mvn', '-Dmaven.repo.local=/home/ada/.m2/repository']);
  });
});

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
