import { chmodSync, writeFileSync } from 'node:fs';
import { apicurioConfluentApiPath, ensureGeneratedSecrets, ensureLocalSecrets, parseConfig, workshopNames } from '@workshop/shared';
import { envValue } from '../aiven/env-from-terraform.js';
import type { SecureCertificates } from './certificates.js';
import { secureStackPorts as ports, secureStackUsers as users, type SecureStackPaths } from './layout.js';

/**
 * The secured stack's configuration, written as a `.env` of its own (.stack/secure/env) with the same variables
 * `npm run aiven:env` writes for Aiven (infra/src/aiven/env-from-terraform.ts): Kafka over TLS with a client
 * certificate, HTTPS with Basic auth for the registry and Connect, PostgreSQL with verify-full and a CA file, ClickHouse
 * over HTTPS with a user and password, absolute certificate paths. Steps read it through WORKSHOP_ENV_FILE, so their
 * tests run the cloud's code path against this machine.
 */

export const secureSecretNames = [
  'postgres-password',
  'postgres-room-password',
  'schema-registry-password',
  'connect-password',
  'keystore-password',
] as const;
export type SecureSecrets = Record<(typeof secureSecretNames)[number], string>;

export function ensureSecureSecrets(paths: SecureStackPaths): SecureSecrets {
  return ensureGeneratedSecrets(paths.secretsDir, secureSecretNames);
}

/**
 * `host`: where clients reach the stack — 127.0.0.1, or the room's address under `npm run room` (then also
 * WORKSHOP_ROOM_BIND, so the button app and the board listen there). PostgreSQL stays 127.0.0.1 for this machine's own
 * clients: its superuser may log in from there only (postgres-cluster.ts); the room's participants get its address
 * and the room's user instead (room-bundle.ts).
 */
export function secureStackVariables(
  paths: SecureStackPaths,
  certs: SecureCertificates,
  // The room's PostgreSQL password is not in this file: only the join endpoint hands it out (room-bundle.ts).
  secrets: Omit<SecureSecrets, 'postgres-room-password'>,
  host = '127.0.0.1',
): Record<string, string> {
  // The ClickHouse tool reads its admin password where loadConfig keeps the local one (WORKSHOP_STACK_DIR's secrets/).
  const clickhousePassword = ensureLocalSecrets(paths.secretsDir)['clickhouse-password'];
  return {
    KAFKA_BROKERS: `${host}:${ports.kafka}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: certs.caFile,
    KAFKA_SSL_CERT_FILE: certs.clientCertFile,
    KAFKA_SSL_KEY_FILE: certs.clientKeyFile,
    SCHEMA_REGISTRY_URL: `https://${host}:${ports.schemaRegistry}${apicurioConfluentApiPath}`,
    SCHEMA_REGISTRY_USERNAME: users.schemaRegistry,
    SCHEMA_REGISTRY_PASSWORD: secrets['schema-registry-password'],
    CONNECT_URL: `https://${host}:${ports.connect}`,
    CONNECT_USERNAME: users.connect,
    CONNECT_PASSWORD: secrets['connect-password'],
    // As on Aiven: Connect's worker reaches PostgreSQL over TLS (sslmode=require: encrypted, server not verified).
    CONNECT_JDBC_URL: `jdbc:postgresql://127.0.0.1:${ports.postgres}/${workshopNames.database}?sslmode=require`,
    PGHOST: '127.0.0.1',
    PGPORT: String(ports.postgres),
    PGDATABASE: workshopNames.database,
    PGUSER: users.postgres,
    PGPASSWORD: secrets['postgres-password'],
    PGSSLMODE: 'verify-full',
    PGSSL_CA_FILE: certs.caFile,
    CLICKHOUSE_URL: `https://${host}:${ports.clickhouseHttp}`,
    CLICKHOUSE_DATABASE: workshopNames.database,
    CLICKHOUSE_USER: users.clickhouse,
    CLICKHOUSE_PASSWORD: clickhousePassword,
    BUTTON_APP_PORT: String(ports.buttonApp),
    ...(host === '127.0.0.1' ? {} : { WORKSHOP_ROOM_BIND: host }),
  };
}

/** Writes .stack/secure/env (0600: it holds passwords) and returns its variables. */
export function writeSecureEnvFile(
  paths: SecureStackPaths,
  certs: SecureCertificates,
  secrets: SecureSecrets,
  host = '127.0.0.1',
): Record<string, string> {
  const variables = secureStackVariables(paths, certs, secrets, host);
  // The kit's own validation, now rather than at the first step.
  parseConfig(variables);
  const text = [
    '# Written by npm run stack:up -- --secure (infra/src/secure) at every start — edits here are overwritten.',
    '# The secured local stack: the same variables npm run aiven:env writes for Aiven. Steps read it when',
    `# WORKSHOP_ENV_FILE=${paths.envFile} (npm run verify -- --secure sets it, and NODE_EXTRA_CA_CERTS=${certs.caFile}).`,
    'STACK=secure',
    ...Object.entries(variables).map(([name, value]) => `${name}=${envValue(value)}`),
    '',
  ].join('\n');
  writeFileSync(paths.envFile, text, { mode: 0o600 });
  chmodSync(paths.envFile, 0o600);
  return variables;
}
