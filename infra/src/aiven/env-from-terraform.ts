import { join } from 'node:path';
import { KitError, parseConfig } from '@workshop/shared';

/**
 * `npm run aiven:env`: `terraform output -json` of infra/terraform → the kit's `.env` and the TLS files it
 * names. Pure: takes the outputs and where the certificates go, returns the file contents; the command
 * (infra/src/commands/aiven-env.ts) writes them. Output names are those of infra/terraform/outputs.tf.
 */

/** The shape of `terraform output -json`. */
export type TerraformOutputs = Record<string, { value: unknown; sensitive?: boolean; type?: unknown }>;

export const requiredTerraformOutputs = [
  'ca_cert',
  'kafka_bootstrap',
  'kafka_access_cert',
  'kafka_access_key',
  'schema_registry_uri',
  'kafka_connect_uri',
  'pg_host',
  'pg_port',
  'pg_user',
  'pg_password',
  'pg_database',
  'clickhouse_https_url',
  'clickhouse_user',
  'clickhouse_password',
  'clickhouse_database',
  'grafana_uri',
] as const;

export type AivenOutputName = (typeof requiredTerraformOutputs)[number];

export interface AivenEnvFiles {
  /** Absolute path → content (the certificates and the key; the key must be written 0600). */
  files: Record<string, string>;
  /** The `.env` text. */
  env: string;
  /** The variables, for tests and for the summary line. */
  variables: Record<string, string>;
}

function read(outputs: TerraformOutputs, name: AivenOutputName): string {
  const output = outputs[name];
  if (!output || output.value === null || output.value === undefined || output.value === '') {
    throw new KitError(`terraform output "${name}" is missing — run terraform apply in infra/terraform first (outputs.tf lists it)`, {
      code: 'aiven-env',
    });
  }
  return String(output.value);
}

/** Aiven hands out HTTPS service URIs with the credentials inside: split them. */
export function splitCredentials(uri: string): { url: string; username?: string; password?: string } {
  const parsed = new URL(uri);
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/+$/, ''), username, password };
}

/** A .env value Node's parseEnv reads back as written. */
export function envValue(value: string): string {
  // Such values come from terraform output (a password, a URL): the fix is on the Aiven side, not here.
  const hint = 'terraform output -json in infra/terraform shows the values: change the one that has it (e.g. reset that password)';
  if (/[\r\n]/.test(value)) throw new KitError('a value with a line break cannot go in .env', { code: 'aiven-env', hint });
  if (/^[A-Za-z0-9_.:/@+=,%-]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new KitError('a value with both quote characters cannot go in .env', { code: 'aiven-env', hint });
}

export function aivenEnvFromTerraform(outputs: TerraformOutputs, certDir: string): AivenEnvFiles {
  for (const name of requiredTerraformOutputs) read(outputs, name);
  const ca = join(certDir, 'ca.pem');
  const cert = join(certDir, 'service.cert');
  const key = join(certDir, 'service.key');
  const registry = splitCredentials(read(outputs, 'schema_registry_uri'));
  const connect = splitCredentials(read(outputs, 'kafka_connect_uri'));
  const grafana = splitCredentials(read(outputs, 'grafana_uri'));
  const pg = { host: read(outputs, 'pg_host'), port: read(outputs, 'pg_port'), database: read(outputs, 'pg_database') };

  const variables: Record<string, string> = {
    // Kafka: TLS with the project's CA and the service's client certificate.
    KAFKA_BROKERS: read(outputs, 'kafka_bootstrap'),
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: ca,
    KAFKA_SSL_CERT_FILE: cert,
    KAFKA_SSL_KEY_FILE: key,
    // Karapace serves the Confluent API at its root (no /apis/ccompat/v7 as on Apicurio).
    SCHEMA_REGISTRY_URL: registry.url,
    ...(registry.username ? { SCHEMA_REGISTRY_USERNAME: registry.username, SCHEMA_REGISTRY_PASSWORD: registry.password ?? '' } : {}),
    CONNECT_URL: connect.url,
    ...(connect.username ? { CONNECT_USERNAME: connect.username, CONNECT_PASSWORD: connect.password ?? '' } : {}),
    // Aiven's Connect reaches Aiven's PostgreSQL over TLS, at its public address.
    CONNECT_JDBC_URL: `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?sslmode=require`,
    // Aiven's Connect has Aiven's JDBC sink, not Debezium's: the kit's Connect client translates step 05's config.
    CONNECT_JDBC_SINK: 'aiven',
    PGHOST: pg.host,
    PGPORT: pg.port,
    PGDATABASE: pg.database,
    PGUSER: read(outputs, 'pg_user'),
    PGPASSWORD: read(outputs, 'pg_password'),
    PGSSLMODE: 'verify-full',
    PGSSL_CA_FILE: ca,
    CLICKHOUSE_URL: read(outputs, 'clickhouse_https_url'),
    CLICKHOUSE_DATABASE: read(outputs, 'clickhouse_database'),
    CLICKHOUSE_USER: read(outputs, 'clickhouse_user'),
    CLICKHOUSE_PASSWORD: read(outputs, 'clickhouse_password'),
    GRAFANA_URL: grafana.url,
  };
  // The kit's own validation, now rather than at the first step.
  parseConfig(variables);

  const env = [
    '# Written by npm run aiven:env from terraform output (infra/terraform) — the Aiven profile. Rerun it after',
    `# terraform apply; remove this file to go back to the local stack. Certificates: ${certDir}`,
    `# If an HTTPS call fails with "unable to verify the first certificate": NODE_EXTRA_CA_CERTS=${ca} npm …`,
    'STACK=aiven',
    ...Object.entries(variables).map(([name, value]) => `${name}=${envValue(value)}`),
    '',
  ].join('\n');

  return {
    files: {
      [ca]: ensureTrailingNewline(read(outputs, 'ca_cert')),
      [cert]: ensureTrailingNewline(read(outputs, 'kafka_access_cert')),
      [key]: ensureTrailingNewline(read(outputs, 'kafka_access_key')),
    },
    env,
    variables,
  };
}

function ensureTrailingNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
