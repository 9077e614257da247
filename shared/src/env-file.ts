import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The kit's `.env` at the repository root: where it is and what it says. Commands run from the root, steps with their
 * own folder as cwd (two levels down); WORKSHOP_ENV_FILE names another file. Read on demand, never at import time.
 */
export function findEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WORKSHOP_ENV_FILE) return env.WORKSHOP_ENV_FILE;
  const candidates = [`${process.cwd()}/.env`, `${process.cwd()}/../../.env`];
  return candidates.find((candidate) => existsSync(candidate));
}

/** The variables of `envFile` ({} when there is none). */
export function readEnvFile(envFile: string | undefined): Record<string, string | undefined> {
  return envFile && existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
}
