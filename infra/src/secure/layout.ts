import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { stackPaths, type StackPaths } from '../native/paths.js';

/**
 * The secured local stack (`npm run stack:up -- --secure`, STACK=secure): the native services again, but with what the
 * cloud demands — TLS on every connection, a credential on every service. It is a second instance beside the plain
 * stack, in its own folder and on its own ports, so both run on one machine (CI runs the plain stack's checks and
 * this one's side by side).
 *
 * Its ports, in one place. A "front" port is what clients reach (TLS, with a credential); a "backend" port is the
 * plain service behind the kit's TLS proxy, on 127.0.0.1 only (Apicurio, Connect's REST API and the ClickHouse
 * HTTP tool have no TLS of their own here).
 */
export const secureStackPorts = {
  /** Kafka's SSL listener (client certificates required) and its controller (also SSL). */
  kafka: 19092,
  kafkaController: 19093,
  schemaRegistry: 18081,
  schemaRegistryBackend: 18082,
  connect: 18083,
  connectBackend: 18084,
  /** The kit's own PostgreSQL cluster: TLS only (hostssl), SCRAM passwords. */
  postgres: 15433,
  clickhouseHttp: 18123,
  clickhouseBackend: 18124,
  /** Step 08's app, should a step start it from the config (the plain stack's npm start may hold 8080). */
  buttonApp: 18080,
} as const;

/** Users the secured stack's services want (the passwords are generated: see secrets.ts). */
export const secureStackUsers = {
  /** PostgreSQL's superuser, deliberately not `postgres`: nothing may assume the local default name. */
  postgres: 'workshop_admin',
  /**
   * What a room's participants log in to PostgreSQL as (npm run room): no superuser — a superuser can run programs on
   * the presenter's laptop — but the right to make schemas (each one's namespace) in the workshop database.
   */
  postgresRoom: 'workshop_room',
  /** ClickHouse's admin, deliberately not `default` (Aiven's is avnadmin). */
  clickhouse: 'workshop_admin',
  schemaRegistry: 'workshop_registry',
  connect: 'workshop_connect',
} as const;

export interface SecureStackPaths extends StackPaths {
  /** CA, server and client certificates, keystores (keys 0600). */
  certsDir: string;
  secretsDir: string;
  /** The kit's `.env` for this stack: loadConfig reads it through WORKSHOP_ENV_FILE. */
  envFile: string;
  /** The kit-owned PostgreSQL cluster's data directory. */
  postgresDir: string;
}

/**
 * Inside the plain stack's folder, so it is git-ignored with it and "start over" (removing .stack/) takes it too;
 * its own logs/, data/, run/ and config/ keep the two instances apart.
 */
export const secureStackDir = join(repoRoot, '.stack', 'secure');

export function secureStackPaths(env: NodeJS.ProcessEnv = process.env): SecureStackPaths {
  const stackDir = secureStackDir;
  // Everything but the artifact cache (shared with the plain stack: same jars) lives in .stack/secure/.
  const paths = stackPaths({ ...env, WORKSHOP_STACK_DIR: stackDir });
  return {
    ...paths,
    certsDir: join(stackDir, 'certs'),
    secretsDir: join(stackDir, 'secrets'),
    envFile: join(stackDir, 'env'),
    postgresDir: join(paths.dataDir, 'postgres'),
  };
}
