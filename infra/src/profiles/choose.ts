import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { repoRoot } from '@workshop/shared/repo-root';
import { dockerEngineAnswers, type EngineAnswer } from '../docker/engine.js';

/**
 * Which stack `npm run stack:*` works on. STACK=native|docker|aiven decides; without it, Docker when an
 * engine answers (`docker info` within a few seconds), else the native stack. Steps never ask: they read
 * the config, which is the same on every profile but for what `.env` says (infra/README.md).
 */
export const stackProfileNames = ['native', 'docker', 'aiven'] as const;
export type StackProfileName = (typeof stackProfileNames)[number];

export interface ChosenProfile {
  profile: StackProfileName;
  /** Why, for the first line a command prints. */
  why: string;
}

export class StackProfileError extends Error {
  override name = 'StackProfileError';
}

export async function chooseStackProfile(
  env: NodeJS.ProcessEnv = process.env,
  engineAnswers: () => Promise<EngineAnswer> = () => dockerEngineAnswers({ env }),
): Promise<ChosenProfile> {
  const wanted = env.STACK?.trim().toLowerCase();
  if (wanted) {
    if (!(stackProfileNames as readonly string[]).includes(wanted)) {
      throw new StackProfileError(`STACK must be one of ${stackProfileNames.join(', ')} (got "${env.STACK}")`);
    }
    return { profile: wanted as StackProfileName, why: `STACK=${wanted}` };
  }
  const engine = await engineAnswers();
  return engine.answers
    ? { profile: 'docker', why: 'a Docker engine answers (STACK=native to use the native stack)' }
    : { profile: 'native', why: `no Docker engine (${engine.reason ?? 'docker info failed'})` };
}

/** The environment the profile is chosen from: STACK from the shell, else from `.env` (which `aiven:env` writes). */
export function profileEnvironment(): NodeJS.ProcessEnv {
  if (process.env.STACK) return process.env;
  const envPath = join(repoRoot, '.env');
  const fromFile = existsSync(envPath) ? parseEnv(readFileSync(envPath, 'utf8')).STACK : undefined;
  return fromFile ? { ...process.env, STACK: fromFile } : process.env;
}
