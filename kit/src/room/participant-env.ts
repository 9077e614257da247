import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KitError, parseConfig, participantVariable, validateParticipant } from '@workshop/shared';
import { readEnvFile } from '@workshop/shared/env-file';
import type { JoinAnswer } from './join-server.js';

/**
 * What `npm run join` leaves in a checkout: the room's CA and Kafka client certificate under `.stack/room/` (absolute
 * paths in `.env`: steps read it from their own folders), and a `.env` that points the kit at the room's stack in the
 * participant's namespace — STACK=room (nothing to start here: infra/src/profiles/room.ts), WORKSHOP_PARTICIPANT, and
 * WORKSHOP_CA_FILE so the HTTPS clients trust the room (shared/src/extra-ca.ts). A `.env` that points elsewhere is
 * someone's config (Aiven's, a moved port): it is replaced only when asked (--force), and kept as `.env.before-join`.
 */

export interface ParticipantEnvOptions {
  /** The checkout's root. */
  dir: string;
  answer: JoinAnswer;
  name: string;
  /** The room's address, for the file's first line. */
  address: string;
  force?: boolean;
}

export interface WrittenParticipantEnv {
  envFile: string;
  caFile: string;
  /** Where the .env it replaced was kept (--force). */
  keptAs?: string;
}

function envValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new KitError('the room sent a setting with a line break', { code: 'usage', hint: 'ask the presenter' });
  if (/^[A-Za-z0-9_.:/@+=,%-]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return JSON.stringify(value);
}

export function writeParticipantEnv(options: ParticipantEnvOptions): WrittenParticipantEnv {
  const name = validateParticipant(options.name);
  const dir = resolve(options.dir);
  const envFile = join(dir, '.env');
  const room = options.answer.variables;
  let keptAs: string | undefined;
  if (existsSync(envFile)) {
    const before = readEnvFile(envFile).KAFKA_BROKERS;
    if (before !== room.KAFKA_BROKERS) {
      if (!options.force) {
        throw new KitError(
          `.env points elsewhere (${before ? `KAFKA_BROKERS=${before}` : 'not at a room'}): npm run join leaves it as it is`,
          {
            code: 'usage',
            hint: 'to replace it with the room’s: the same command with --force (the old one is kept as .env.before-join)',
          },
        );
      }
      keptAs = join(dir, '.env.before-join');
      copyFileSync(envFile, keptAs);
    }
  }

  const roomDir = join(dir, '.stack', 'room');
  mkdirSync(roomDir, { recursive: true, mode: 0o700 });
  chmodSync(roomDir, 0o700);
  const caFile = join(roomDir, 'ca.pem');
  const certFile = join(roomDir, 'service.cert');
  const keyFile = join(roomDir, 'service.key');
  writeFileSync(caFile, options.answer.files.caPem);
  writeFileSync(certFile, options.answer.files.clientCert);
  writeFileSync(keyFile, options.answer.files.clientKey, { mode: 0o600 });
  chmodSync(keyFile, 0o600);

  const variables: Record<string, string> = {
    STACK: 'room',
    [participantVariable]: name,
    ...room,
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_SSL_CERT_FILE: certFile,
    KAFKA_SSL_KEY_FILE: keyFile,
    PGSSL_CA_FILE: caFile,
    WORKSHOP_CA_FILE: caFile,
  };
  // The kit's own validation now, rather than at the first step's test.
  parseConfig(variables);
  const text = [
    `# Written by npm run join for the room at ${options.address} (its stack runs on the presenter's machine).`,
    '# npm run join again rewrites it; remove it to use a stack of your own again.',
    ...Object.entries(variables).map(([key, value]) => `${key}=${envValue(value)}`),
    '',
  ].join('\n');
  // 0600: it holds the room's passwords.
  writeFileSync(envFile, text, { mode: 0o600 });
  chmodSync(envFile, 0o600);
  return { envFile, caFile, ...(keptAs ? { keptAs } : {}) };
}
