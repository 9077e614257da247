import { isValidParticipant, participantVariable } from '@workshop/shared';
import { findEnvFile, readEnvFile } from '@workshop/shared/env-file';

/**
 * Whether a test run is published to the board, and as whom. The participant is WORKSHOP_PARTICIPANT (written into .env
 * by `npm run join`); without one there is no room and nothing is published. WORKSHOP_BOARD=off opts out; the default
 * publishes runs of the participant's own code (steps/NN/src) only — not `verify`'s runs on the reference solution or its
 * mistakes; WORKSHOP_BOARD=on publishes every run (the rehearsal: simulated participants run the reference solutions).
 */
export type BoardMode = 'auto' | 'on' | 'off';

export interface BoardSettings {
  participant?: string;
  mode: BoardMode;
}

/** process.env over the checkout's .env (a variable set in the shell wins, as in loadConfig). */
export function roomEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...readEnvFile(findEnvFile(env)), ...env };
}

export function boardSettings(env: NodeJS.ProcessEnv = roomEnv()): BoardSettings {
  const raw = (env.WORKSHOP_BOARD ?? 'auto').trim().toLowerCase();
  const mode: BoardMode = ['off', 'false', '0', 'no'].includes(raw) ? 'off' : ['on', 'true', '1', 'yes'].includes(raw) ? 'on' : 'auto';
  // An invalid name publishes nothing here: the run itself says what is wrong with it (loadConfig, names.ts).
  const participant = env[participantVariable]?.trim();
  return { mode, ...(participant && isValidParticipant(participant) ? { participant } : {}) };
}

/** Should this run be published? `target` is what the tests ran against (exercise-target.ts). */
export function shouldPublish(
  settings: BoardSettings,
  target: 'starter' | 'solution' | 'other',
): settings is BoardSettings & { participant: string } {
  if (!settings.participant || settings.mode === 'off') return false;
  return settings.mode === 'on' || target === 'starter';
}
