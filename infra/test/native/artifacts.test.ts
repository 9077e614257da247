import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KitError } from '@workshop/shared';
import {
  artifactComponents,
  assertPlainArchive,
  compareWithLock,
  hashTree,
  ensureArtifacts,
  localRepositoryPath,
  readLock,
  type ArtifactComponent,
} from '../../src/native/artifacts.js';
import { stackPaths } from '../../src/native/paths.js';
import { readStackVersions } from '../../src/native/versions.js';

async function sandbox() {
  const root = await mkdtemp(join(tmpdir(), 'artifacts-test-'));
  const paths = {
    ...stackPaths({ WORKSHOP_STACK_DIR: join(root, 'stack'), WORKSHOP_CACHE_DIR: join(root, 'cache') }),
    artifactsLock: join(root, 'lock.json'),
  };
  return { root, paths };
}

/** A stand-in component whose "download" writes `content` into jar.jar. */
function fakeComponent(content: () => string): ArtifactComponent {
  return {
    id: 'fake',
    dir: 'fake-1.0',
    source: 'test',
    fetch: async (into) => {
      await mkdir(into, { recursive: true });
      await writeFile(join(into, 'jar.jar'), content());
    },
  };
}

describe('native stack artifacts', () => {
  it('the committed lock has checksums for every component of infra/stack-versions.json', async () => {
    const paths = stackPaths();
    const lock = await readLock(paths.artifactsLock);
    for (const component of artifactComponents(paths, readStackVersions())) {
      expect(Object.keys(lock.components[component.dir]?.files ?? {}).length, component.dir).toBeGreaterThan(0);
      expect(lock.components[component.dir]?.source).toContain('Maven Central');
    }
  });

  it('compareWithLock reports missing, changed and unexpected files', () => {
    expect(compareWithLock({ a: '1', b: '2' }, { a: '1', b: '2' })).toEqual([]);
    expect(compareWithLock({ a: '1', b: 'X', c: '3' }, { a: '1', b: '2', d: '4' })).toEqual([
      'checksum mismatch: b',
      'missing d',
      'unexpected file c',
    ]);
  });

  it('maps Maven coordinates to the local repository', () => {
    expect(localRepositoryPath('io.debezium:debezium-connector-jdbc:3.4.3.Final:tar.gz:plugin', '/m2')).toBe(
      '/m2/io/debezium/debezium-connector-jdbc/3.4.3.Final/debezium-connector-jdbc-3.4.3.Final-plugin.tar.gz',
    );
  });

  it('never uses a download whose checksum does not match the lock', async () => {
    const { paths } = await sandbox();
    let content = 'the real jar';
    const component = fakeComponent(() => content);
    const log: string[] = [];
    // Record the lock from a good download, as a maintainer does after a version change.
    await ensureArtifacts(paths, readStackVersions(), { log: (l) => log.push(l), updateLock: true, components: [component] });
    expect(JSON.parse(await readFile(paths.artifactsLock, 'utf8')).components['fake-1.0'].files['jar.jar']).toMatch(/^[0-9a-f]{64}$/);

    // The cached copy gets corrupted and the mirror now serves something else: refused, nothing left in place.
    await writeFile(join(paths.cacheDir, 'fake-1.0', 'jar.jar'), 'truncated');
    content = 'a tampered jar';
    await expect(ensureArtifacts(paths, readStackVersions(), { log: (l) => log.push(l), components: [component] })).rejects.toThrow(
      /fake: download does not match .*checksum mismatch: jar.jar.*not using it/,
    );
    expect(existsSync(join(paths.cacheDir, 'fake-1.0'))).toBe(false);
    expect(existsSync(join(paths.cacheDir, 'fake-1.0.partial'))).toBe(false);

    // A good download is accepted again.
    content = 'the real jar';
    const dirs = await ensureArtifacts(paths, readStackVersions(), { log: (l) => log.push(l), components: [component] });
    expect(await readFile(join(dirs.fake!, 'jar.jar'), 'utf8')).toBe('the real jar');
  });

  it('refuses a malformed lock, naming the file and the entry, before anything is fetched', async () => {
    const { paths } = await sandbox();
    const good = '0'.repeat(64);
    await writeFile(
      paths.artifactsLock,
      JSON.stringify({ components: { 'fake-1.0': { source: 'test', files: { 'a.jar': good, 'b.jar': 'not-a-sha' } } } }),
    );
    let fetched = false;
    const component: ArtifactComponent = {
      ...fakeComponent(() => ''),
      fetch: async () => {
        fetched = true;
      },
    };
    const error = await ensureArtifacts(paths, readStackVersions(), { log: () => undefined, components: [component] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KitError);
    expect((error as KitError).message).toBe(
      `${paths.artifactsLock}: components["fake-1.0"].files["b.jar"] must be a sha256 (64 lowercase hex digits)`,
    );
    expect((error as KitError).hint).toMatch(/git checkout infra\/native\/artifacts\.lock\.json/);
    expect(fetched).toBe(false);

    await writeFile(paths.artifactsLock, JSON.stringify({ components: { 'fake-1.0': { files: { 'a.jar': good } } } }));
    await expect(readLock(paths.artifactsLock)).rejects.toThrow(
      `${paths.artifactsLock}: components["fake-1.0"].source is missing (it must be a string)`,
    );
  });

  it('a failed download names the component and leaves nothing behind', async () => {
    const { paths } = await sandbox();
    await writeFile(
      paths.artifactsLock,
      JSON.stringify({ components: { 'fake-1.0': { source: 'test', files: { 'jar.jar': '0'.repeat(64) } } } }),
    );
    const failing: ArtifactComponent = {
      ...fakeComponent(() => ''),
      fetch: async () => Promise.reject(new Error('mvn … failed (exit 1): Could not find artifact')),
    };
    await expect(ensureArtifacts(paths, readStackVersions(), { log: () => undefined, components: [failing] })).rejects.toThrow(
      /Could not find artifact/,
    );
    expect(existsSync(join(paths.cacheDir, 'fake-1.0'))).toBe(false);
  });
});

describe('artifacts hold plain files only (issue 14)', () => {
  it('looks at an archive before unpacking it: a link, an absolute or a ../ path is refused', () => {
    const plain = '-rw-r--r-- a/a 10 2026-03-30 06:59 plugin/a.jar\ndrwxr-xr-x a/a 0 2026-03-30 06:59 plugin/';
    expect(() => assertPlainArchive('ok.tar.gz', plain)).not.toThrow();
    for (const member of [
      'lrwxrwxrwx a/a 0 2026-03-30 06:59 plugin/a.jar -> /home/me/.bashrc',
      '-rw-r--r-- a/a 10 2026-03-30 06:59 ../../.bashrc',
      '-rw-r--r-- a/a 10 2026-03-30 06:59 /etc/cron.d/x',
      'hrw-r--r-- a/a 0 2026-03-30 06:59 plugin/b.jar link to plugin/a.jar',
    ]) {
      expect(() => assertPlainArchive('bad.tar.gz', `${plain}\n${member}`), member).toThrow(KitError);
    }
  });

  it('refuses a symbolic link in a cached component instead of leaving it out of the checksums', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'artifacts-symlink-'));
    await writeFile(join(dir, 'a.jar'), 'jar');
    expect(Object.keys(await hashTree(dir))).toEqual(['a.jar']);
    await symlink('/etc/hostname', join(dir, 'b.jar'));
    await expect(hashTree(dir)).rejects.toThrow(/b\.jar is a symbolic link/);
  });
});
