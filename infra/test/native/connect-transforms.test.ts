import { chmod, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { connectTransformsJar, connectTransformsLayout, ensureConnectTransforms } from '../../src/native/connect-transforms.js';
import { stackPaths } from '../../src/native/paths.js';
import { readStackVersions } from '../../src/native/versions.js';

/**
 * The build of the kit's own Connect plugin, with a stand-in `mvn` (a script that "packages" a jar and records its
 * arguments): built once, skipped while the sources stay the same, rebuilt when they change, a failure names its log.
 * The real Maven build (and its JUnit tests) runs at every native stack:up that starts Connect.
 */
async function sandbox(mvnExit = 0) {
  const root = await mkdtemp(join(tmpdir(), 'connect-transforms-'));
  // A copy of the real project: its hash is what decides.
  const repo = join(root, 'repo');
  await mkdir(join(repo, 'infra'), { recursive: true });
  await cp(join(repoRoot, 'infra/connect-transforms'), join(repo, 'infra/connect-transforms'), {
    recursive: true,
    filter: (source) => !source.includes('/target'),
  });
  const calls = join(root, 'calls');
  const mvn = join(root, 'mvn');
  await writeFile(
    mvn,
    `#!/usr/bin/env bash
echo "$*" >> ${calls}
echo "[INFO] pretend Maven output"
for arg in "$@"; do case "$arg" in -Dbuild.dir=*) out="\${arg#*=}" ;; esac; done
[ ${mvnExit} -eq 0 ] || { echo "[ERROR] Tests run: 9, Failures: 1"; exit ${mvnExit}; }
mkdir -p "$out" && echo jar > "$out/${connectTransformsJar}"
`,
  );
  await chmod(mvn, 0o755);
  const paths = { ...stackPaths({ WORKSHOP_STACK_DIR: join(repo, '.stack'), WORKSHOP_CACHE_DIR: join(root, 'cache') }), repoRoot: repo };
  const lines: string[] = [];
  const build = () =>
    ensureConnectTransforms(paths, readStackVersions(), { log: (line) => lines.push(line), maven: { command: mvn, prefixArgs: [] } });
  const mvnCalls = async () => (existsSync(calls) ? (await readFile(calls, 'utf8')).trim().split('\n') : []);
  return { repo, paths, lines, build, mvnCalls };
}

describe('ensureConnectTransforms (the kit’s Connect plugin, built by stack:up)', () => {
  it('builds once with the pinned Kafka, puts the jar alone in its plugin.path folder, and skips the build while the sources are unchanged', async () => {
    const box = await sandbox();
    const dir = await box.build();
    expect(dir).toBe(connectTransformsLayout(box.paths).pluginDir);
    expect(await readFile(join(dir, connectTransformsJar), 'utf8')).toBe('jar\n');
    const [call] = await box.mvnCalls();
    expect(call).toMatch(/^-B -C -q /);
    expect(call).toContain(`-Dkafka.version=${readStackVersions().kafka}`);
    expect(call).toMatch(/ package$/);
    expect(box.lines[0]).toMatch(
      /^connect-transforms: building workshop\.connect\.ValidateButtonPress .*log: \.stack\/logs\/connect-transforms-build\.log/,
    );
    expect(box.lines[1]).toMatch(/^connect-transforms: built in [\d.]+ s/);

    await box.build();
    expect(await box.mvnCalls(), 'unchanged sources: no second build').toHaveLength(1);

    const source = join(box.repo, 'infra/connect-transforms/src/main/java/workshop/connect/ValidateButtonPress.java');
    await writeFile(source, `${await readFile(source, 'utf8')}\n// changed\n`);
    await box.build();
    expect(await box.mvnCalls(), 'changed sources: built again').toHaveLength(2);
  });

  it('a failed build stops with the log’s path, keeps Maven’s output there, and leaves no plugin behind', async () => {
    const box = await sandbox(1);
    const error = await box.build().then(
      () => undefined,
      (thrown: unknown) => thrown as { message: string; logPath?: string },
    );
    expect(error?.message).toMatch(/building the Connect plugin failed \(mvn exit 1\)/);
    expect(error?.logPath).toBe('.stack/logs/connect-transforms-build.log');
    const log = await readFile(connectTransformsLayout(box.paths).logPath, 'utf8');
    expect(log).toContain('Failures: 1');
    expect(existsSync(connectTransformsLayout(box.paths).pluginDir)).toBe(false);
  });
});
