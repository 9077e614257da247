import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { KitError } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { dockerEngineAnswers, type EngineAnswer } from '../docker/engine.js';
import { aivenProfile } from './aiven.js';
import { dockerProfile } from './docker.js';
import { nativeProfile } from './native.js';
import { secureStackEnvironment } from '../secure/stack.js';
import { roomProfile } from './room.js';
import { secureProfile } from './secure.js';
import { stackProfileNames, type StackProfile, type StackProfileName } from './profile.js';

/**
 * Which stack `npm run stack:*` works on. STACK=native|docker|aiven decides; without it, Docker when an
 * engine answers (`docker info` within a few seconds), else the native stack. Steps never ask: they read
 * the config, which is the same on every profile but for what `.env` says (infra/README.md).
 */

export interface ChosenProfile {
  profile: StackProfileName;
  /** Why, for the first line a command prints. */
  why: string;
}

export class StackProfileError extends KitError {
  override name = 'StackProfileError';
}

export async function chooseStackProfile(
  env: NodeJS.ProcessEnv = process.env,
  engineAnswers: () => Promise<EngineAnswer> = () => dockerEngineAnswers({ env }),
): Promise<ChosenProfile> {
  const wanted = env.STACK?.trim().toLowerCase();
  if (wanted) {
    if (!(stackProfileNames as readonly string[]).includes(wanted)) {
      throw new StackProfileError(`STACK must be one of ${stackProfileNames.join(', ')} (got "${env.STACK}")`, {
        hint: 'set STACK=native, STACK=docker, STACK=aiven or STACK=secure (in the shell or in .env), or leave it unset',
        code: 'config',
      });
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

const profileFactories: Record<StackProfileName, (why: string) => StackProfile> = {
  native: nativeProfile,
  docker: dockerProfile,
  aiven: aivenProfile,
  secure: secureProfile,
  room: roomProfile,
};

/** The stack every command works on: chosen once (STACK, else Docker if an engine answers, else native). */
export async function openStackProfile(env: NodeJS.ProcessEnv = profileEnvironment()): Promise<StackProfile> {
  const { profile, why } = await chooseStackProfile(env);
  return profileFactories[profile](why);
}

/**
 * `--secure` on a command line (npm run stack:up -- --secure, npm run verify -- --secure): the secured local stack,
 * for this process and the ones it starts (STACK=secure, its config file, trust in its CA). Returns the other
 * arguments. Call it at a command's edge, before openStackProfile.
 */
export function takeSecureFlag(args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (!args.includes('--secure')) return args;
  Object.assign(env, secureStackEnvironment());
  return args.filter((arg) => arg !== '--secure');
}
