import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { findEnvFile, readEnvFile } from './env-file.js';
import { KitError } from './errors.js';
import { trustCaFile } from './extra-ca.js';
import { apicurioConfluentApiPath, defaultPorts, hostPortVariables, namesFor, participantFromEnv, workshopNames } from './names.js';
import { repoRoot } from './repo-root.js';

/**
 * The kit's one configuration: read from the environment and an optional `.env` file, validated, typed.
 * Only command-line edges call `loadConfig()`; libraries and steps receive a `WorkshopConfig` (style: kafkajs).
 * Every default is the local stack (native or docker — same ports); a cloud profile (Aiven) sets the
 * variables below, including TLS and SASL, from `.env`.
 */

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const portFromEnv = z.coerce.number().int().min(1).max(65535);

const rawEnvSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default(`127.0.0.1:${defaultPorts.kafka}`),
  KAFKA_CLIENT_ID: z.string().min(1).default('button-workshop'),
  KAFKA_SSL: booleanFromEnv.default(false),
  /** PEM files for TLS (Aiven: ca.pem, service.cert, service.key). */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),

  SCHEMA_REGISTRY_URL: z.url().default(`http://127.0.0.1:${defaultPorts.schemaRegistry}${apicurioConfluentApiPath}`),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),

  CONNECT_URL: z.url().default(`http://127.0.0.1:${defaultPorts.connect}`),
  CONNECT_USERNAME: z.string().optional(),
  CONNECT_PASSWORD: z.string().optional(),
  /** How Kafka Connect reaches PostgreSQL (inside docker-compose that is not 127.0.0.1). */
  CONNECT_JDBC_URL: z.string().startsWith('jdbc:postgresql://').optional(),
  /**
   * Which JDBC sink the stack's Connect runs: Debezium's on the local stacks, Aiven's own on Aiven (npm run aiven:env
   * writes `aiven`). The kit's Connect client translates a step's Debezium config for it (shared/src/aiven-jdbc-sink.ts).
   */
  CONNECT_JDBC_SINK: z.enum(['debezium', 'aiven']).default('debezium'),

  PGHOST: z.string().min(1).default('127.0.0.1'),
  PGPORT: portFromEnv.default(defaultPorts.postgres),
  PGDATABASE: z.string().min(1).default(workshopNames.database),
  PGUSER: z.string().min(1).default('postgres'),
  PGPASSWORD: z.string().optional(),
  PGSSLMODE: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  PGSSL_CA_FILE: z.string().optional(),

  CLICKHOUSE_URL: z.url().default(`http://127.0.0.1:${defaultPorts.clickhouseHttp}`),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier')
    .default(workshopNames.database),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),

  /**
   * The one setting that opens the kit to the room: the button app (and, on Docker, Grafana read-only) listen on
   * this address. Kafka, the registry, Connect, PostgreSQL and ClickHouse stay on 127.0.0.1 whatever it says — but for
   * the secured stack under `npm run room`, which serves them there with TLS and credentials and writes it here.
   */
  WORKSHOP_ROOM_BIND: z.string().min(1).optional(),
  /** Default: WORKSHOP_ROOM_BIND when set, else 127.0.0.1. */
  BUTTON_APP_HOST: z.string().min(1).optional(),
  BUTTON_APP_PORT: portFromEnv.default(defaultPorts.buttonApp),
  /** Reverse proxies whose X-Forwarded-For the button app believes (addresses or CIDRs, comma-separated). */
  BUTTON_APP_TRUST_PROXY: z.string().default(''),
  GRAFANA_URL: z.url().default(`http://127.0.0.1:${defaultPorts.grafana}`),
  /** A CA to trust for HTTPS besides the system's (extra-ca.ts): a room's, written by npm run join. */
  WORKSHOP_CA_FILE: z.string().min(1).optional(),
});

export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface WorkshopConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    ssl: false | TlsFiles;
    sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  };
  schemaRegistry: { url: string; auth?: { username: string; password: string } };
  connect: {
    url: string;
    auth?: { username: string; password: string };
    /** JDBC URL of the workshop database as Kafka Connect's worker sees it. */
    postgresJdbcUrl: string;
    /** The JDBC sink the worker has: a step's Debezium config is sent as is, or translated for Aiven's sink. */
    jdbcSink: 'debezium' | 'aiven';
  };
  postgres: {
    host: string;
    port: number;
    database: string;
    user: string;
    password?: string;
    ssl: false | { rejectUnauthorized: boolean; caFile?: string };
    /** A participant's schema (names.ts): her connections' only search_path. Unset: the server's default (`public`). */
    schema?: string;
  };
  clickhouse: { url: string; database: string; username: string; password: string };
  /** WORKSHOP_PARTICIPANT (names.ts): whose namespace the clients work in; unset for the default names. */
  participant?: string;
  /** The address opened to the room (WORKSHOP_ROOM_BIND), when the presenter opened one. */
  roomBind?: string;
  /** trustedProxies empty: X-Forwarded-For is ignored (a client could claim any address). */
  buttonApp: { host: string; port: number; trustedProxies: string[] };
  grafana: { url: string };
  /** WORKSHOP_CA_FILE: loadConfig makes this process trust it for HTTPS (extra-ca.ts). */
  extraCaFile?: string;
}

/** Where a bad setting comes from: the shell's environment or the kit's `.env` (written by aiven:env, or by hand). */
const configHint = 'fix it in .env at the repository root (see .env.example) or in your shell; remove .env to use the local stack';

function configError(message: string): KitError {
  return new KitError(message, { code: 'config', hint: configHint });
}

function credentials(username: string | undefined, password: string | undefined, what: string) {
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) {
    throw configError(`${what}: set both the username and the password, or neither`);
  }
  return { username, password };
}

/**
 * WORKSHOP_*_PORT (names.ts hostPortVariables) moves a local service's host port: the addresses it implies become the
 * defaults, and a variable set explicitly (KAFKA_BROKERS, PGPORT, …) still wins.
 */
function hostPortDefaults(env: Record<string, string | undefined>): Record<string, string> {
  const port = (service: keyof typeof hostPortVariables): number | undefined => {
    const name = hostPortVariables[service];
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const parsed = portFromEnv.safeParse(value);
    if (!parsed.success) throw configError(`${name}: must be a port number (1–65535), got "${value}"`);
    return parsed.data;
  };
  const at = (service: keyof typeof hostPortVariables, address: (port: number) => string) => {
    const value = port(service);
    return value === undefined ? undefined : address(value);
  };
  const implied: Record<string, string | undefined> = {
    KAFKA_BROKERS: at('kafka', (p) => `127.0.0.1:${p}`),
    SCHEMA_REGISTRY_URL: at('schemaRegistry', (p) => `http://127.0.0.1:${p}${apicurioConfluentApiPath}`),
    CONNECT_URL: at('connect', (p) => `http://127.0.0.1:${p}`),
    PGPORT: at('postgres', String),
    CLICKHOUSE_URL: at('clickhouseHttp', (p) => `http://127.0.0.1:${p}`),
    GRAFANA_URL: at('grafana', (p) => `http://127.0.0.1:${p}`),
  };
  return Object.fromEntries(
    Object.entries(implied).filter((entry): entry is [string, string] => entry[1] !== undefined && env[entry[0]] === undefined),
  );
}

/** Validates an environment (e.g. `process.env` merged with `.env`) into a `WorkshopConfig`. */
export function parseConfig(env: Record<string, string | undefined>): WorkshopConfig {
  const participant = participantFromEnv(env);
  const names = namesFor(participant);
  // A participant's ClickHouse database is the default one; CLICKHOUSE_DATABASE set explicitly still wins (a test's
  // own database, a cloud user's). Her PostgreSQL schema applies whatever the database (names.ts says why).
  const participantDefaults = participant && env.CLICKHOUSE_DATABASE === undefined ? { CLICKHOUSE_DATABASE: names.clickhouseDatabase } : {};
  const parsed = rawEnvSchema.safeParse({ ...env, ...hostPortDefaults(env), ...participantDefaults });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw configError(`Invalid workshop configuration (environment or .env): ${problems}`);
  }
  const e = parsed.data;
  const sasl = credentials(e.KAFKA_SASL_USERNAME, e.KAFKA_SASL_PASSWORD, 'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD');
  if (sasl && !e.KAFKA_SASL_MECHANISM) throw configError('KAFKA_SASL_MECHANISM is required with SASL credentials');
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS.split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
      clientId: e.KAFKA_CLIENT_ID,
      ssl: e.KAFKA_SSL ? { caFile: e.KAFKA_SSL_CA_FILE, certFile: e.KAFKA_SSL_CERT_FILE, keyFile: e.KAFKA_SSL_KEY_FILE } : false,
      sasl: sasl && e.KAFKA_SASL_MECHANISM ? { mechanism: e.KAFKA_SASL_MECHANISM, ...sasl } : undefined,
    },
    schemaRegistry: {
      url: e.SCHEMA_REGISTRY_URL.replace(/\/+$/, ''),
      auth: credentials(e.SCHEMA_REGISTRY_USERNAME, e.SCHEMA_REGISTRY_PASSWORD, 'SCHEMA_REGISTRY_USERNAME/PASSWORD'),
    },
    connect: {
      url: e.CONNECT_URL.replace(/\/+$/, ''),
      auth: credentials(e.CONNECT_USERNAME, e.CONNECT_PASSWORD, 'CONNECT_USERNAME/PASSWORD'),
      postgresJdbcUrl: inSchema(
        e.CONNECT_JDBC_URL ?? `jdbc:postgresql://${e.PGHOST}:${e.PGPORT}/${e.PGDATABASE}`,
        participant && names.postgresSchema,
      ),
      jdbcSink: e.CONNECT_JDBC_SINK,
    },
    postgres: {
      host: e.PGHOST,
      port: e.PGPORT,
      database: e.PGDATABASE,
      user: e.PGUSER,
      password: e.PGPASSWORD,
      ssl: e.PGSSLMODE === 'disable' ? false : { rejectUnauthorized: e.PGSSLMODE === 'verify-full', caFile: e.PGSSL_CA_FILE },
      ...(participant ? { schema: names.postgresSchema } : {}),
    },
    clickhouse: {
      url: e.CLICKHOUSE_URL.replace(/\/+$/, ''),
      database: e.CLICKHOUSE_DATABASE,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
    },
    buttonApp: {
      host: e.BUTTON_APP_HOST ?? e.WORKSHOP_ROOM_BIND ?? '127.0.0.1',
      port: e.BUTTON_APP_PORT,
      trustedProxies: e.BUTTON_APP_TRUST_PROXY.split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    },
    grafana: { url: e.GRAFANA_URL.replace(/\/+$/, '') },
    ...(e.WORKSHOP_ROOM_BIND ? { roomBind: e.WORKSHOP_ROOM_BIND } : {}),
    ...(e.WORKSHOP_CA_FILE ? { extraCaFile: e.WORKSHOP_CA_FILE } : {}),
    ...(participant ? { participant } : {}),
  };
}

/** Kafka Connect's JDBC sink writes where the participant's own connections do: currentSchema is its search_path. */
function inSchema(jdbcUrl: string, schema: string | undefined): string {
  if (!schema || /[?&]currentSchema=/.test(jdbcUrl)) return jdbcUrl;
  return `${jdbcUrl}${jdbcUrl.includes('?') ? '&' : '?'}currentSchema=${schema}`;
}

/**
 * Reads `.env` (if present) under the real environment — a variable set in the shell wins over the file —
 * and validates the result; a WORKSHOP_CA_FILE it names is trusted from then on, in this process. Call it at a
 * command's edge, never at import time: the first call in a checkout
 * also generates the local stack's passwords (ensureLocalSecrets).
 */
export function loadConfig(options: { envFile?: string; env?: NodeJS.ProcessEnv } = {}): WorkshopConfig {
  const env = options.env ?? process.env;
  const fromFile = readEnvFile(options.envFile ?? findEnvFile(env));
  // The local stack's generated password is a default, like any other: .env (Aiven) or the shell wins.
  const local = { CLICKHOUSE_PASSWORD: ensureLocalSecrets(localSecretsDir(env))['clickhouse-password'] };
  const config = parseConfig({ ...local, ...fromFile, ...env });
  // Whoever loads a config with its own CA is about to call those HTTPS services (a room's: npm run join).
  if (config.extraCaFile) trustCaFile(config.extraCaFile);
  return config;
}

/**
 * Passwords of the local stack (native and docker), generated once per checkout like a server's password at
 * install, kept in `.stack/secrets/` (git-ignored): the ClickHouse `default` user's, the read-only ClickHouse user
 * Grafana reads as, and Grafana's admin. One file each, so Docker mounts them as secrets (`*_FILE` variables).
 */
export const localSecretNames = ['clickhouse-password', 'clickhouse-grafana-password', 'grafana-admin-password'] as const;
export type LocalSecretName = (typeof localSecretNames)[number];

export function localSecretsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resolve(env.WORKSHOP_STACK_DIR ?? join(repoRoot, '.stack')), 'secrets');
}

/**
 * Reads the local secrets, creating any that is missing (the first command after a clone does). Safe when
 * several processes start at once: each secret is written to a private file and linked into place, and
 * whoever links second reads the winner's. The folder is the owner's only (0700); the files are readable
 * (0644) because the docker stack's containers read them as their own users, not as the owner.
 */
export function ensureLocalSecrets(dir: string): Record<LocalSecretName, string> {
  return ensureGeneratedSecrets(dir, localSecretNames);
}

/** ensureLocalSecrets for any list of names (the secured stack keeps more: infra/src/secure/env-file.ts). */
export function ensureGeneratedSecrets<Name extends string>(dir: string, names: readonly Name[]): Record<Name, string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const secrets = {} as Record<Name, string>;
  for (const name of names) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(draft, randomBytes(24).toString('base64url'), { mode: 0o644 });
      try {
        linkSync(draft, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        rmSync(draft, { force: true });
      }
    }
    secrets[name] = readFileSync(path, 'utf8').trim();
  }
  return secrets;
}
