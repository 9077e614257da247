import { readFileSync } from 'node:fs';
import { readEnvFile } from '@workshop/shared/env-file';
import { secureCertificatePaths } from './certificates.js';
import { ensureSecureSecrets } from './env-file.js';
import { secureStackPaths, secureStackUsers, type SecureStackPaths } from './layout.js';

/**
 * What `npm run join` is handed by the room (npm run room serves it, behind the room code): the secured stack's
 * connection settings and credentials, and the files its TLS wants — the CA (to trust the room's certificates) and
 * Kafka's client certificate and key (Kafka asks every client for one). The settings are the stack's own `.env`
 * (.stack/secure/env) less what only makes sense on the presenter's machine: its file paths (join writes its own) and
 * the room address the presenter's button app binds to.
 *
 * One set of credentials for the whole room: the secured stack has one user per service (layout.ts), so whoever joined
 * holds them all (README, "Running a room") — but for PostgreSQL, where the room gets a user of its own that is no
 * superuser (room-postgres-user.ts), at the room's address (the presenter's own clients use 127.0.0.1).
 */
export interface RoomJoinBundle {
  variables: Record<string, string>;
  files: { caPem: string; clientCert: string; clientKey: string };
}

/** The settings a participant's .env takes from the room; everything else stays the presenter's. */
export const roomSettingNames = [
  'KAFKA_BROKERS',
  'KAFKA_SSL',
  'SCHEMA_REGISTRY_URL',
  'SCHEMA_REGISTRY_USERNAME',
  'SCHEMA_REGISTRY_PASSWORD',
  'CONNECT_URL',
  'CONNECT_USERNAME',
  'CONNECT_PASSWORD',
  // How the room's Connect worker (on the presenter's machine) reaches PostgreSQL: the same for every participant.
  'CONNECT_JDBC_URL',
  'PGHOST',
  'PGPORT',
  'PGDATABASE',
  'PGUSER',
  'PGPASSWORD',
  'PGSSLMODE',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
] as const;

export function roomJoinBundle(paths: SecureStackPaths = secureStackPaths()): RoomJoinBundle {
  const env = readEnvFile(paths.envFile);
  const variables: Record<string, string> = {};
  for (const name of roomSettingNames) {
    const value = env[name];
    if (value !== undefined) variables[name] = value;
  }
  const roomHost = env.WORKSHOP_ROOM_BIND ?? variables.KAFKA_BROKERS?.slice(0, variables.KAFKA_BROKERS.lastIndexOf(':'));
  if (roomHost) variables.PGHOST = roomHost;
  variables.PGUSER = secureStackUsers.postgresRoom;
  variables.PGPASSWORD = ensureSecureSecrets(paths)['postgres-room-password'];
  const certs = secureCertificatePaths(paths.certsDir);
  return {
    variables,
    files: {
      caPem: readFileSync(certs.caFile, 'utf8'),
      clientCert: readFileSync(certs.clientCertFile, 'utf8'),
      clientKey: readFileSync(certs.clientKeyFile, 'utf8'),
    },
  };
}

/** The room's own server certificate and key (naming its address): the join endpoint shows it, as every front does. */
export function roomTlsKeyPair(paths: SecureStackPaths = secureStackPaths()): { cert: string; key: string } {
  const certs = secureCertificatePaths(paths.certsDir);
  return { cert: readFileSync(certs.serverCertFile, 'utf8'), key: readFileSync(certs.serverKeyFile, 'utf8') };
}
