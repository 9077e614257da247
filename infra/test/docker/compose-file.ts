import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * docker-compose.yml as Docker Compose itself reads it: `docker-compose config` (v1.29, the client Debian
 * ships; it needs no engine) validates the file, interpolates ${…} with their defaults and normalises the
 * short syntaxes. Its YAML is turned into JSON by the Python that runs docker-compose, with the YAML
 * library docker-compose itself depends on — so parsing adds nothing to install.
 */

export const composePath = join(repoRoot, 'docker-compose.yml');
const installHint = 'install docker-compose (Debian: apt-get install docker-compose) — it validates docker-compose.yml without an engine';

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; interval?: string; disable?: boolean };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function env(): NodeJS.ProcessEnv {
  // The file's defaults, not this shell's overrides.
  const { WORKSHOP_BIND: _bind, COMPOSE_FILE: _file, COMPOSE_PROJECT_NAME: _name, ...rest } = process.env;
  return rest;
}

/** An empty --env-file: a developer's .env (e.g. WORKSHOP_BIND=0.0.0.0) must not change what is checked. */
function emptyEnvFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'compose-test-')), 'empty.env');
  writeFileSync(path, '');
  return path;
}

/** `docker-compose -f docker-compose.yml config [args]`; throws "install docker-compose" when absent. */
export function runComposeConfig(args: string[] = []) {
  const result = spawnSync('docker-compose', ['--env-file', emptyEnvFile(), '-f', composePath, 'config', ...args], {
    cwd: repoRoot,
    env: env(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(installHint);
  return result;
}

export function readComposeFile(): ComposeFile {
  const config = runComposeConfig();
  if (config.status !== 0) throw new Error(`docker-compose config failed: ${config.stderr}`);
  const which = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  const script = which.stdout.trim();
  const shebang = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const python = shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/) : [];
  if (!python[0]?.includes('python')) throw new Error(`${script} is not the Python docker-compose 1.x — ${installHint}`);
  const toJson = spawnSync(python[0], [...python.slice(1), '-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: config.stdout,
    encoding: 'utf8',
  });
  if (toJson.status !== 0) throw new Error(`could not read docker-compose config's YAML: ${toJson.stderr}`);
  return JSON.parse(toJson.stdout) as ComposeFile;
}

/** `HOST:PUBLISHED:TARGET[/proto]` (docker-compose 1.x normalised short syntax). */
export function parsePort(spec: string): { host: string; published: number; target: number } {
  const match = /^(?:(.+):)?(\d+):(\d+)(?:\/\w+)?$/.exec(spec);
  if (!match) throw new Error(`unexpected port syntax: ${spec}`);
  return { host: match[1] ?? '0.0.0.0', published: Number(match[2]), target: Number(match[3]) };
}

/** `SOURCE:TARGET[:MODE]`. */
export function parseVolume(spec: string): { source: string; target: string; mode?: string } {
  const [source = '', target = '', mode] = spec.split(':');
  return { source, target, mode };
}
