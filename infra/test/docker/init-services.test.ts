import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { apicurioConfluentApiPath } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { readLock } from '../../src/native/artifacts.js';
import { stackPaths } from '../../src/native/paths.js';
import { readStackVersions } from '../../src/native/versions.js';
import { connectPluginsSha256, connectWorkerConfig, initFilePaths } from '../../src/docker/init-files.js';
import { type ComposeFile, loadComposeDocument } from './compose-file.js';

/**
 * What docker-compose.yml's init services and link run, run here without Docker: connect-plugins.sh with a stand-in
 * `mvn` (the files it "downloads" decide whether the lock accepts them), registry-init.sh against a stand-in registry,
 * TcpForward.java with this machine's JDK. And the generated files they read are what their generators say today.
 */

const run = promisify(execFile);
const script = (name: string) => join(repoRoot, 'infra/docker', name);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const composeEnv = (service: string) => (loadComposeDocument() as ComposeFile).services[service]?.environment as Record<string, string>;

describe('generated files the init services and Connect read', () => {
  it('connect-plugins.sha256 is the lock’s entries for the two plugins at the pinned versions', async () => {
    const lock = await readLock(stackPaths().artifactsLock);
    const committed = readFileSync(join(repoRoot, initFilePaths.connectPluginsSha256), 'utf8');
    expect(committed, 'out of date: npx tsx infra/src/docker/write-init-files.ts').toBe(connectPluginsSha256(lock, readStackVersions()));
    const versions = readStackVersions();
    const entries = {
      ...lock.components[`debezium-jdbc-${versions.debeziumJdbc}`]?.files,
      ...lock.components[`apicurio-converter-${versions.apicurio}`]?.files,
    };
    expect(committed.trim().split('\n')).toHaveLength(Object.keys(entries).length);
  });

  it('connect/connect-distributed.properties is the native worker config with container host names', () => {
    expect(
      readFileSync(join(repoRoot, initFilePaths.connectWorkerConfig), 'utf8'),
      'out of date: npx tsx infra/src/docker/write-init-files.ts',
    ).toBe(connectWorkerConfig());
  });
});

/** A sandbox with a stand-in `mvn` first on PATH that "downloads" the given plugin files (path → content). */
async function pluginSandbox(
  served: { debezium: Record<string, string>; apicurio: Record<string, string> },
  locked: Record<string, string>,
) {
  const root = await mkdtemp(join(tmpdir(), 'connect-plugins-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  const source = join(root, 'served');
  // The Debezium plugin archive, as Maven would put it in the local repository.
  await mkdir(join(source, 'debezium'), { recursive: true });
  for (const [path, content] of Object.entries(served.debezium)) {
    await mkdir(join(source, 'debezium', path, '..'), { recursive: true });
    await writeFile(join(source, 'debezium', path), content);
  }
  await mkdir(join(source, 'apicurio'), { recursive: true });
  for (const [path, content] of Object.entries(served.apicurio)) await writeFile(join(source, 'apicurio', path), content);
  const calls = join(root, 'mvn-calls');
  // Stand-in mvn: dependency:get writes the archive where -Dmaven.repo.local says; copy-dependencies copies jars.
  await writeFile(
    join(bin, 'mvn'),
    `#!/usr/bin/env bash
echo "$*" >> ${calls}
repo=; out=; artifact=
for arg in "$@"; do
  case "$arg" in
    -Dmaven.repo.local=*) repo="\${arg#*=}" ;;
    -DoutputDirectory=*) out="\${arg#*=}" ;;
    -Dartifact=*) artifact="\${arg#*=}" ;;
  esac
done
build=; pom=; previous=
for arg in "$@"; do
  case "$arg" in -Dbuild.dir=*) build="\${arg#*=}" ;; esac
  [[ "$previous" == -f ]] && pom="$arg"
  previous="$arg"
done
if [[ "$*" == *" package"* ]]; then
  # The kit's transform: a "jar" (the first line of the pom -f names); an empty pom fails as Maven would.
  [[ -s "$pom" ]] || { echo "[ERROR] Non-parseable POM $pom" >&2; exit 1; }
  mkdir -p "$build" && head -n 1 "$pom" > "$build/workshop-connect-transforms.jar"
elif [[ "$*" == *dependency:get* ]]; then
  IFS=: read -r group name version type classifier <<< "$artifact"
  dir="$repo/\${group//.//}/$name/$version"
  mkdir -p "$dir"
  tar -czf "$dir/$name-$version-$classifier.$type" -C ${join(source, 'debezium')} .
else
  mkdir -p "$out" && cp ${join(source, 'apicurio')}/* "$out"/
fi
`,
  );
  await chmod(join(bin, 'mvn'), 0o755);
  const expected = join(root, 'expected.sha256');
  await writeFile(
    expected,
    Object.entries(locked)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, content]) => `${sha(content)}  ${path}\n`)
      .join(''),
  );
  const plugins = join(root, 'plugins');
  await mkdir(plugins);
  // A copy of infra/connect-transforms (pom.xml and src/), so a test can change its sources.
  const transforms = join(root, 'connect-transforms');
  await cp(join(repoRoot, 'infra/connect-transforms/pom.xml'), join(transforms, 'pom.xml'), { recursive: true });
  await cp(join(repoRoot, 'infra/connect-transforms/src'), join(transforms, 'src'), { recursive: true });
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    ...composeEnv('connect-plugins'),
    PLUGINS_DIR: plugins,
    EXPECTED_SHA256: expected,
    MAVEN_POM: join(repoRoot, 'infra/native/maven/pom.xml'),
    MAVEN_REPOSITORY: join(root, 'repository'),
    TRANSFORMS_SOURCES: transforms,
    TRANSFORMS_BUILD_DIR: join(root, 'transforms-build'),
  };
  const runScript = () =>
    run('bash', [script('connect-plugins.sh')], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  const mvnCalls = async () => (existsSync(calls) ? (await readFile(calls, 'utf8')).trim().split('\n') : []);
  return { plugins, transforms, runScript, mvnCalls };
}

const goodFiles = {
  debezium: { 'debezium-connector-jdbc/debezium-connector-jdbc.jar': 'sink', 'debezium-connector-jdbc/LICENSE.txt': 'licence' },
  apicurio: { 'apicurio-registry-utils-converter.jar': 'converter' },
};
const lockOfGoodFiles = {
  'debezium-connector-jdbc/debezium-connector-jdbc.jar': 'sink',
  'debezium-connector-jdbc/LICENSE.txt': 'licence',
  'apicurio-converter/apicurio-registry-utils-converter.jar': 'converter',
};

describe('connect-plugins.sh (the init service connect-plugins)', () => {
  it('fetches both plugins with the native Maven command lines, one folder per plugin, and accepts them when the lock agrees', async () => {
    const box = await pluginSandbox(goodFiles, lockOfGoodFiles);
    const first = await box.runScript();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/3 files fetched and verified/);
    expect(await readFile(join(box.plugins, 'debezium-connector-jdbc/debezium-connector-jdbc.jar'), 'utf8')).toBe('sink');
    expect(await readFile(join(box.plugins, 'apicurio-converter/apicurio-registry-utils-converter.jar'), 'utf8')).toBe('converter');
    expect(existsSync(join(box.plugins, '.partial'))).toBe(false);
    const versions = readStackVersions();
    const calls = await box.mvnCalls();
    expect(calls[0]).toContain(`-Dartifact=io.debezium:debezium-connector-jdbc:${versions.debeziumJdbc}:tar.gz:plugin`);
    expect(calls[1]).toContain(`-P apicurio-converter dependency:copy-dependencies -DincludeScope=runtime`);
    expect(calls[1]).toContain(`-Dapicurio.version=${versions.apicurio}`);
    for (const call of calls) expect(call, 'Maven checks Central’s checksums').toMatch(/^-B -C /);

    // The next `docker compose up`: the volume matches, nothing is fetched or built (works offline).
    const second = await box.runScript();
    expect(second.stdout).toMatch(/already in place \(3 files/);
    expect(second.stdout).toMatch(/the kit's transform is built/);
    expect(await box.mvnCalls()).toHaveLength(3);
  });

  it("builds the kit's transform (step 05's ValidateButtonPress) into its own plugin.path folder, against Connect's Kafka, again only when its sources change", async () => {
    const box = await pluginSandbox(goodFiles, lockOfGoodFiles);
    const first = await box.runScript();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/the kit's transform built, its tests passed/);
    const jar = join(box.plugins, 'connect-transforms/workshop-connect-transforms.jar');
    expect(await readFile(jar, 'utf8')).toMatch(/<\?xml/);
    const build = (await box.mvnCalls())[2] ?? '';
    expect(build).toMatch(/^-B -C /);
    expect(build).toContain(`-f ${join(box.transforms, 'pom.xml')}`);
    expect(build).toContain(`-Dkafka.version=${readStackVersions().kafka}`);
    expect(build).toMatch(/ package$/);

    // Its jar is not in the lock, and the lock check leaves it alone.
    expect((await box.runScript()).stdout).toMatch(/already in place \(3 files/);
    expect(await box.mvnCalls()).toHaveLength(3);

    // A changed source (a participant never does this; a maintainer does): rebuilt at the next up.
    await writeFile(join(box.transforms, 'src/main/java/workshop/connect/ValidateButtonPress.java'), '// changed\n', { flag: 'a' });
    const rebuilt = await box.runScript();
    expect(rebuilt.stdout).toMatch(/already in place \(3 files/);
    expect(rebuilt.stdout).toMatch(/the kit's transform built/);
    expect(await box.mvnCalls()).toHaveLength(4);
    expect(existsSync(join(box.plugins, '.partial'))).toBe(false);
  });

  it('a failing transform build (a red JUnit test, Maven Central away) fails the init service: Connect does not start without it', async () => {
    const box = await pluginSandbox(goodFiles, lockOfGoodFiles);
    await writeFile(join(box.transforms, 'pom.xml'), '');
    const result = await box.runScript();
    expect(result.code).not.toBe(0);
    expect(existsSync(join(box.plugins, 'connect-transforms'))).toBe(false);
  });

  it('refuses a download the lock does not list (exit 1: Connect does not start), and keeps nothing of it', async () => {
    const box = await pluginSandbox(
      { ...goodFiles, debezium: { ...goodFiles.debezium, 'debezium-connector-jdbc/debezium-connector-jdbc.jar': 'evil' } },
      lockOfGoodFiles,
    );
    const result = await box.runScript();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not match infra\/native\/artifacts.lock.json/);
    expect(result.stderr).toMatch(/debezium-connector-jdbc\.jar/);
    expect(existsSync(join(box.plugins, 'debezium-connector-jdbc'))).toBe(false);
    expect(existsSync(join(box.plugins, '.partial'))).toBe(false);
  });

  it('replaces a tampered or extended copy in the volume with a verified one', async () => {
    const box = await pluginSandbox(goodFiles, lockOfGoodFiles);
    await box.runScript();
    await writeFile(join(box.plugins, 'debezium-connector-jdbc/debezium-connector-jdbc.jar'), 'tampered');
    await writeFile(join(box.plugins, 'apicurio-converter/extra.jar'), 'extra');
    const result = await box.runScript();
    expect(result.code).toBe(0);
    expect(await readFile(join(box.plugins, 'debezium-connector-jdbc/debezium-connector-jdbc.jar'), 'utf8')).toBe('sink');
    expect(existsSync(join(box.plugins, 'apicurio-converter/extra.jar'))).toBe(false);
  });
});

describe('registry-init.sh (the init service registry-init)', () => {
  async function standInRegistry(status: number) {
    const requests: { method?: string; url?: string; type?: string; body: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ method: request.method, url: request.url, type: request.headers['content-type'], body });
        response.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? body : '{"error_code":500}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const runScript = () =>
      run('bash', [script('registry-init.sh')], {
        env: { ...process.env, ...composeEnv('registry-init'), REGISTRY_HOST: '127.0.0.1', REGISTRY_PORT: String(port) },
      }).then(
        ({ stdout }) => ({ code: 0, out: stdout }),
        (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
      );
    return { requests, runScript, close: () => server.close() };
  }

  it('PUTs {"compatibility":"BACKWARD"} to the Confluent API’s /config, as the native stack does', async () => {
    const registry = await standInRegistry(200);
    try {
      const result = await registry.runScript();
      expect(result).toEqual({ code: 0, out: 'registry-init: compatibility BACKWARD set\n' });
      expect(registry.requests).toEqual([
        {
          method: 'PUT',
          url: `${apicurioConfluentApiPath}/config`,
          type: 'application/vnd.schemaregistry.v1+json',
          body: '{"compatibility":"BACKWARD"}',
        },
      ]);
    } finally {
      registry.close();
    }
  });

  it('fails (so Connect, which waits for it, does not start) when the registry refuses', async () => {
    const registry = await standInRegistry(500);
    try {
      const result = await registry.runScript();
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/setting BACKWARD compatibility failed: HTTP\/1\.1 500/);
    } finally {
      registry.close();
    }
  });
});

describe('TcpForward.java (connect-postgres-link)', () => {
  it('forwards a connection both ways, byte for byte, and ends it when the far side ends', async () => {
    const target = createTcpServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const free = createTcpServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const listenPort = (free.address() as AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));

    const forward = spawn('java', [script('TcpForward.java'), `127.0.0.1:${listenPort}`, `127.0.0.1:${targetPort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        forward.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('forwarding') && resolve());
        forward.on('exit', (code) => reject(new Error(`TcpForward exited with ${code}`)));
      });
      const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
      const echoed = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = tcpConnect(listenPort, '127.0.0.1', () => socket.end(payload));
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
        socket.on('error', reject);
      });
      expect(echoed.equals(payload)).toBe(true);
    } finally {
      forward.kill();
      target.close();
    }
  }, 30_000);
});
