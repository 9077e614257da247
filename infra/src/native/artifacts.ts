import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { z } from 'zod';
import { KitError, parseJsonFile } from '@workshop/shared';
import type { StackPaths } from './paths.js';
import type { StackVersions } from './versions.js';

/**
 * The native stack's Java artifacts, fetched from Maven Central with Maven (which verifies Central's
 * checksums: `-C`), then checked against the kit's own sha256 lock (infra/native/artifacts.lock.json)
 * before anything runs. Each component is assembled in a `.partial` folder and renamed into place only
 * after its checksums match, so a failed or corrupt download is never used.
 */

export interface ArtifactComponent {
  id: string;
  /** Folder under the cache dir. */
  dir: string;
  /** Where it comes from, for the lock file and for people. */
  source: string;
  fetch(into: string, log: (line: string) => void): Promise<void>;
}

/** The lock is what every download is trusted against: a malformed entry must stop stack:up, not match nothing. */
const artifactLockSchema = z.object({
  $comment: z.string().optional(),
  components: z.record(
    z.string(),
    z.object({
      source: z.string(),
      files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 (64 lowercase hex digits)' })),
    }),
  ),
});

export type ArtifactLock = z.infer<typeof artifactLockSchema>;

const lockHint = 'git checkout infra/native/artifacts.lock.json restores the committed lock (maintainers: npm run stack:lock rewrites it)';

/**
 * How Maven is run: the machine's `mvn` (native stack), or — for a docker-stack participant without Java —
 * `docker run … maven:<pinned> mvn` (infra/src/docker/maven-in-docker.ts). Same arguments, same
 * ~/.m2, same checksum checks either way.
 */
export interface MavenRunner {
  command: string;
  /** Arguments before Maven's own (e.g. `run --rm … <image> mvn`). */
  prefixArgs: string[];
}

export const localMaven: MavenRunner = { command: 'mvn', prefixArgs: [] };

export function artifactComponents(paths: StackPaths, versions: StackVersions, maven: MavenRunner = localMaven): ArtifactComponent[] {
  const mavenCopy = (profile: string, properties: Record<string, string>) => async (into: string, log: (l: string) => void) => {
    const args = [
      '-B',
      '-C',
      '-f',
      paths.mavenPom,
      '-P',
      profile,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${into}`,
      ...Object.entries(properties).map(([k, v]) => `-D${k}=${v}`),
    ];
    await runMaven(maven, args, log);
  };
  const mavenArchive = (coordinates: string) => async (into: string, log: (l: string) => void) => {
    await runMaven(maven, ['-B', '-C', 'dependency:get', `-Dartifact=${coordinates}`, '-Dtransitive=false'], log);
    const archive = localRepositoryPath(coordinates);
    await mkdir(into, { recursive: true });
    // Looked at before it is unpacked: only plain files and folders inside `into` (no links, no absolute or ../ paths).
    assertPlainArchive(archive, spawnSync('tar', ['-tzvf', archive], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout);
    await runCommand('tar', ['-xzf', archive, '-C', into, '--no-same-owner', '--no-same-permissions'], log);
  };
  return [
    {
      id: 'kafka',
      dir: `kafka-${versions.kafka}`,
      source: `Maven Central: org.apache.kafka:kafka_2.13:${versions.kafka}, org.apache.kafka:connect-runtime:${versions.kafka}, org.apache.logging.log4j:log4j-core+log4j-slf4j-impl:${versions.log4j} (with transitive dependencies)`,
      fetch: mavenCopy('kafka', { 'kafka.version': versions.kafka, 'log4j.version': versions.log4j }),
    },
    {
      // Not run by the stack: `npm run bench` measures the kit's producer against Kafka's own ProducerPerformance,
      // on the kafka component's classpath (same version), so only this one jar is added.
      id: 'kafka-tools',
      dir: `kafka-tools-${versions.kafka}`,
      source: `Maven Central: org.apache.kafka:kafka-tools:${versions.kafka} (the jar alone: it runs on the kafka component's classpath)`,
      fetch: mavenCopy('kafka-tools', { 'kafka.version': versions.kafka }),
    },
    {
      id: 'debezium-jdbc',
      dir: `debezium-jdbc-${versions.debeziumJdbc}`,
      source: `Maven Central: io.debezium:debezium-connector-jdbc:${versions.debeziumJdbc}:tar.gz:plugin`,
      fetch: mavenArchive(`io.debezium:debezium-connector-jdbc:${versions.debeziumJdbc}:tar.gz:plugin`),
    },
    {
      id: 'apicurio-converter',
      dir: `apicurio-converter-${versions.apicurio}`,
      source: `Maven Central: io.apicurio:apicurio-registry-utils-converter:${versions.apicurio} (with transitive dependencies, minus the Kafka and slf4j jars the Connect worker provides)`,
      // One plugin = one sub-folder of a plugin.path entry.
      fetch: (into, log) =>
        mavenCopy('apicurio-converter', { 'apicurio.version': versions.apicurio })(join(into, 'apicurio-converter'), log),
    },
    {
      id: 'apicurio-registry',
      dir: `apicurio-registry-${versions.apicurio}`,
      source: `Maven Central: io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`,
      fetch: mavenArchive(`io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`),
    },
  ];
}

/** `group:artifact:version:type:classifier` → its path in Maven's local repository. */
export function localRepositoryPath(coordinates: string, repository = join(homedir(), '.m2/repository')): string {
  const [group, artifact, version, type = 'jar', classifier] = coordinates.split(':');
  // The coordinates are built in this file from validated versions: a bad one is a bug here.
  if (!group || !artifact || !version) throw new Error(`Bad Maven coordinates: ${coordinates}`);
  const file = `${artifact}-${version}${classifier ? `-${classifier}` : ''}.${type}`;
  return join(repository, ...group.split('.'), artifact, version, file);
}

async function runMaven(maven: MavenRunner, args: string[], log: (line: string) => void): Promise<void> {
  await runCommand(maven.command, [...maven.prefixArgs, ...args], (line) => {
    // Maven's own progress: one line per file downloaded; errors pass through.
    if (/^\[ERROR\]|Downloaded from|BUILD/.test(line)) log(line.replace(/^\[INFO\] /, ''));
  });
}

function runCommand(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) =>
      reject(
        new KitError(`${command} could not run: ${error.message}`, {
          code: 'artifacts',
          hint: `install ${command} and put it on PATH (infra/README.md lists what each stack needs)`,
          cause: error,
        }),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(
            new KitError(`${command} ${args.slice(0, 6).join(' ')} … failed (exit ${code}): ${tail.slice(-3).join(' | ')}`, {
              code: 'artifacts',
              hint: 'the lines above say why (often: Maven Central unreachable); npm run stack:up again resumes the download',
            }),
          ),
    );
  });
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * An archive's listing (`tar -tzv`): every member must be a plain file or a folder with a relative path that
 * stays inside. A link would point the stack at any file of the machine, and the lock checks files' contents only.
 */
export function assertPlainArchive(archive: string, listing: string): void {
  for (const line of listing.split('\n').filter((l) => l.trim() !== '')) {
    const type = line[0];
    const path = line.split(/\s+/).slice(5).join(' ');
    const unsafe = (type !== '-' && type !== 'd') || path.startsWith('/') || path.split('/').includes('..');
    if (unsafe) {
      throw new KitError(
        `${archive}: "${path}" is not a plain file inside the archive (${type === 'l' || type === 'h' ? 'a link' : 'outside it'}) — not unpacking it`,
        {
          code: 'artifacts',
          hint: 'remove the archive from ~/.m2 and npm run stack:up fetches it again; if it comes back the same, tell the workshop maintainers',
        },
      );
    }
  }
}

/** Every entry but folders; a symbolic link (or anything not a plain file) is refused, never followed or skipped. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const odd = entries.find((entry) => !entry.isFile() && !entry.isDirectory());
  if (odd) {
    throw new KitError(
      `${join(odd.parentPath, odd.name)} is ${odd.isSymbolicLink() ? 'a symbolic link' : 'not a plain file'}: the stack's artifacts are plain files only`,
      {
        code: 'artifacts',
        hint: `remove ${dir} and npm run stack:up fetches it again`,
      },
    );
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

export async function hashTree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const file of await listFiles(dir)) result[file] = await sha256File(join(dir, file));
  return result;
}

/** Compares a folder with its lock entry; returns the problems (empty when it matches exactly). */
export function compareWithLock(actual: Record<string, string>, expected: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, sha] of Object.entries(expected)) {
    if (!(file in actual)) problems.push(`missing ${file}`);
    else if (actual[file] !== sha) problems.push(`checksum mismatch: ${file}`);
  }
  for (const file of Object.keys(actual)) if (!(file in expected)) problems.push(`unexpected file ${file}`);
  return problems;
}

/** infra/native/artifacts.lock.json (or `path`), validated; no file yet is an empty lock (stack:lock writes one). */
export async function readLock(path: string): Promise<ArtifactLock> {
  if (!existsSync(path)) return { components: {} };
  return parseJsonFile(await readFile(path, 'utf8'), path, artifactLockSchema, { hint: lockHint });
}

/**
 * Makes sure every component is in the cache and matches the lock; fetches what is missing.
 * With `updateLock` (maintainers, after changing a version) it records the fetched checksums instead.
 */
export async function ensureArtifacts(
  paths: StackPaths,
  versions: StackVersions,
  options: { log: (line: string) => void; updateLock?: boolean; components?: ArtifactComponent[] },
): Promise<Record<string, string>> {
  const lock = await readLock(paths.artifactsLock);
  const dirs: Record<string, string> = {};
  let lockChanged = false;
  for (const component of options.components ?? artifactComponents(paths, versions)) {
    const finalDir = join(paths.cacheDir, component.dir);
    const expected = lock.components[component.dir];
    if (!expected && !options.updateLock) {
      throw new KitError(
        `${component.id}: no checksums for ${component.dir} in infra/native/artifacts.lock.json — a version was changed without updating the lock (maintainers: npm run stack:lock)`,
        { code: 'artifacts', hint: 'infra/stack-versions.json and the lock must change together: git diff infra/ shows which one did' },
      );
    }
    if (existsSync(finalDir)) {
      const problems = expected ? compareWithLock(await hashTree(finalDir), expected.files) : [];
      if (problems.length === 0) {
        dirs[component.id] = finalDir;
        if (!expected) {
          lock.components[component.dir] = { source: component.source, files: await hashTree(finalDir) };
          lockChanged = true;
        }
        continue;
      }
      options.log(`${component.id}: cached copy does not match the lock (${problems[0]}) — fetching it again`);
      await rm(finalDir, { recursive: true, force: true });
    }
    options.log(`${component.id}: fetching ${component.source}`);
    const partialDir = `${finalDir}.partial`;
    await rm(partialDir, { recursive: true, force: true });
    await mkdir(partialDir, { recursive: true });
    let downloaded = 0;
    await component.fetch(partialDir, (line) => {
      if (line.startsWith('Downloaded from')) {
        downloaded += 1;
        if (downloaded % 10 === 1) options.log(`${component.id}: downloading… (${downloaded} files so far)`);
      } else if (/ERROR|FAIL/.test(line)) options.log(`${component.id}: ${line}`);
    });
    const actual = await hashTree(partialDir);
    if (expected) {
      const problems = compareWithLock(actual, expected.files);
      if (problems.length > 0) {
        await rm(partialDir, { recursive: true, force: true });
        throw new KitError(
          `${component.id}: download does not match infra/native/artifacts.lock.json (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; +${problems.length - 3} more` : ''}) — not using it`,
          {
            code: 'artifacts',
            hint: 'npm run stack:up again fetches it afresh; if it still differs, the Maven mirror serves other files than the lock records — tell the workshop maintainers',
          },
        );
      }
    } else {
      lock.components[component.dir] = { source: component.source, files: actual };
      lockChanged = true;
    }
    await rename(partialDir, finalDir);
    options.log(`${component.id}: ready (${Object.keys(actual).length} files verified)`);
    dirs[component.id] = finalDir;
  }
  if (lockChanged) {
    lock.$comment =
      'sha256 of every file of each native-stack component, as fetched from Maven Central (source says what). Written by `npm run stack:lock` after a version change; checked at every stack:up.';
    await writeFile(paths.artifactsLock, `${JSON.stringify(lock, null, 2)}\n`);
    options.log(`recorded checksums in ${relative(paths.repoRoot, paths.artifactsLock)}`);
  }
  return dirs;
}
