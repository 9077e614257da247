import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { KitError } from '@workshop/shared';
import { localMaven, type MavenRunner } from './artifacts.js';
import { serviceLogPath, type StackPaths } from './paths.js';
import type { StackVersions } from './versions.js';

/**
 * The kit's own Connect plugin (infra/connect-transforms: the ValidateButtonPress transform that step 05's sink puts
 * in front of PostgreSQL). Unlike the other plugins it is not downloaded but built from the checkout — so there is no
 * checksum to lock, only sources to compare: `mvn package` (its JUnit tests included) runs when the sources or the
 * Kafka version changed since the last build, and the jar lands in its own folder on Connect's plugin.path.
 */

/** The artifact id stackUp passes to the Connect service (beside those of artifacts.ts). */
export const connectTransformsId = 'connect-transforms';
/** The class Connect must list once the plugin is loaded (the probe checks it). */
export const validateButtonPressClass = 'workshop.connect.ValidateButtonPress';
export const connectTransformsJar = 'workshop-connect-transforms.jar';

export interface ConnectTransformsLayout {
  /** The Maven project (infra/connect-transforms). */
  sourceDir: string;
  /** The plugin.path entry: holds the jar and nothing else. */
  pluginDir: string;
  /** The sources' hash of the jar in pluginDir. */
  stampFile: string;
  /** Maven's target folder, kept out of the checkout. */
  buildDir: string;
  logPath: string;
}

export function connectTransformsLayout(paths: StackPaths): ConnectTransformsLayout {
  return {
    sourceDir: join(paths.repoRoot, 'infra/connect-transforms'),
    pluginDir: join(paths.stackDir, 'plugins', connectTransformsId),
    stampFile: join(paths.stackDir, 'plugins', `${connectTransformsId}.sources-sha256`),
    buildDir: join(paths.stackDir, 'build', connectTransformsId),
    logPath: serviceLogPath(paths, `${connectTransformsId}-build`),
  };
}

/** sha256 of the pom, every file under src/ (path and content) and the Kafka version the jar is built against. */
export async function connectTransformsSourceHash(sourceDir: string, kafkaVersion: string): Promise<string> {
  const hash = createHash('sha256').update(`kafka ${kafkaVersion}\n`);
  const srcDir = join(sourceDir, 'src');
  const entries = await readdir(srcDir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(sourceDir, join(entry.parentPath, entry.name)))
    .sort();
  for (const file of ['pom.xml', ...files])
    hash
      .update(`${file}\n`)
      .update(await readFile(join(sourceDir, file)))
      .update('\n');
  return hash.digest('hex');
}

/**
 * Builds the plugin when its sources changed (or it was never built) and returns its plugin.path folder. Reports one
 * line when it builds and one when done; a failed build names its log, which holds Maven's whole output.
 */
export async function ensureConnectTransforms(
  paths: StackPaths,
  versions: StackVersions,
  options: { log: (line: string) => void; maven?: MavenRunner },
): Promise<string> {
  const layout = connectTransformsLayout(paths);
  const sources = await connectTransformsSourceHash(layout.sourceDir, versions.kafka);
  const built = existsSync(layout.stampFile) ? (await readFile(layout.stampFile, 'utf8')).trim() : '';
  if (built === sources && existsSync(join(layout.pluginDir, connectTransformsJar))) return layout.pluginDir;

  const log = relative(paths.repoRoot, layout.logPath);
  options.log(`${connectTransformsId}: building ${validateButtonPressClass} (mvn package with its tests; log: ${log})`);
  const t0 = Date.now();
  await mkdir(join(layout.logPath, '..'), { recursive: true });
  const maven = options.maven ?? localMaven;
  const args = [
    ...maven.prefixArgs,
    '-B',
    '-C',
    '-q',
    '-Dstyle.color=never',
    '-f',
    join(layout.sourceDir, 'pom.xml'),
    `-Dkafka.version=${versions.kafka}`,
    `-Dbuild.dir=${layout.buildDir}`,
    'package',
  ];
  const code = await runLogged(maven.command, args, layout.logPath);
  if (code !== 0) {
    throw new KitError(
      `${connectTransformsId}: building the Connect plugin failed (mvn exit ${code}) — Connect would not find ${validateButtonPressClass}`,
      {
        code: 'artifacts',
        hint: `${log} holds Maven's output (a failing JUnit test, a compile error, or Maven Central unreachable); fix it, then npm run stack:up`,
        logPath: log,
      },
    );
  }
  // Replaced whole, and only by a finished build: Connect never sees a half-copied jar.
  const partial = `${layout.pluginDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await copyFile(join(layout.buildDir, connectTransformsJar), join(partial, connectTransformsJar));
  await rm(layout.pluginDir, { recursive: true, force: true });
  await rename(partial, layout.pluginDir);
  await writeFile(layout.stampFile, `${sources}\n`);
  options.log(
    `${connectTransformsId}: built in ${((Date.now() - t0) / 1000).toFixed(1)} s, tests passed (${relative(paths.repoRoot, layout.pluginDir)})`,
  );
  return layout.pluginDir;
}

/** Runs a command with its whole output in `logPath` (overwritten); resolves to its exit code (127: it could not run). */
function runLogged(command: string, args: string[], logPath: string): Promise<number> {
  return new Promise((resolve) => {
    const out = createWriteStream(logPath);
    out.write(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    let ended = false;
    const end = (line: string, code: number) => {
      if (ended) return;
      ended = true;
      out.end(line);
      resolve(code);
    };
    // A command that cannot start emits 'error' (then maybe 'close'): the first one ends the log.
    child.on('error', (error) => end(`${command} could not run: ${error.message}\n`, 127));
    child.on('close', (code) => end(`exit ${code}\n`, code ?? 1));
  });
}
