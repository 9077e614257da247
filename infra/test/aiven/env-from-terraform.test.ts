import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { apicurioConfluentApiPath, parseConfig } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import {
  aivenEnvFromTerraform,
  envValue,
  requiredTerraformOutputs,
  splitCredentials,
  type TerraformOutputs,
} from '../../src/aiven/env-from-terraform.js';

/** `npm run aiven:env`: terraform outputs → .env and certificate files, checked through the kit's own config. */

const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB${label.length}\n-----END ${label}-----`;

function outputs(overrides: Partial<Record<string, unknown>> = {}): TerraformOutputs {
  const values: Record<string, unknown> = {
    ca_cert: pem('CERTIFICATE'),
    kafka_bootstrap: 'button-workshop-kafka-proj.a.aivencloud.com:24947',
    kafka_access_cert: pem('CERTIFICATE'),
    kafka_access_key: pem('PRIVATE KEY'),
    schema_registry_uri: 'https://avnadmin:AVNS_reg%23pw@button-workshop-kafka-proj.a.aivencloud.com:24950',
    kafka_connect_uri: 'https://avnadmin:AVNS_connect@button-workshop-connect-proj.a.aivencloud.com:443',
    pg_host: 'button-workshop-pg-proj.a.aivencloud.com',
    pg_port: 24942,
    pg_user: 'avnadmin',
    pg_password: 'AVNS_pg',
    pg_database: 'workshop',
    clickhouse_https_url: 'https://button-workshop-clickhouse-proj.a.aivencloud.com:24948',
    clickhouse_user: 'avnadmin',
    clickhouse_password: 'AVNS_ch',
    clickhouse_database: 'workshop',
    grafana_uri: 'https://avnadmin:AVNS_gf@button-workshop-grafana-proj.a.aivencloud.com:443',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, sensitive: true, type: 'string' }]));
}

describe('aiven:env', () => {
  it("writes a .env the kit's config reads as the Aiven services, with TLS files beside it", () => {
    const { env, files } = aivenEnvFromTerraform(outputs(), '/repo/.stack/aiven');
    const parsed = parseEnv(env);
    expect(parsed.STACK).toBe('aiven');
    const config = parseConfig(parsed);

    expect(config.kafka.brokers).toEqual(['button-workshop-kafka-proj.a.aivencloud.com:24947']);
    expect(config.kafka.ssl).toEqual({
      caFile: '/repo/.stack/aiven/ca.pem',
      certFile: '/repo/.stack/aiven/service.cert',
      keyFile: '/repo/.stack/aiven/service.key',
    });
    // Karapace: the Confluent API at the root, credentials out of the URL.
    expect(config.schemaRegistry).toEqual({
      url: 'https://button-workshop-kafka-proj.a.aivencloud.com:24950',
      auth: { username: 'avnadmin', password: 'AVNS_reg#pw' },
    });
    expect(config.schemaRegistry.url).not.toContain(apicurioConfluentApiPath);
    expect(config.connect).toEqual({
      url: 'https://button-workshop-connect-proj.a.aivencloud.com',
      auth: { username: 'avnadmin', password: 'AVNS_connect' },
      postgresJdbcUrl: 'jdbc:postgresql://button-workshop-pg-proj.a.aivencloud.com:24942/workshop?sslmode=require',
      // Aiven's Connect has Aiven's JDBC sink: the kit's Connect client translates step 05's config for it.
      jdbcSink: 'aiven',
    });
    expect(config.postgres).toEqual({
      host: 'button-workshop-pg-proj.a.aivencloud.com',
      port: 24942,
      database: 'workshop',
      user: 'avnadmin',
      password: 'AVNS_pg',
      ssl: { rejectUnauthorized: true, caFile: '/repo/.stack/aiven/ca.pem' },
    });
    expect(config.clickhouse).toEqual({
      url: 'https://button-workshop-clickhouse-proj.a.aivencloud.com:24948',
      database: 'workshop',
      username: 'avnadmin',
      password: 'AVNS_ch',
    });
    expect(config.grafana.url).toBe('https://button-workshop-grafana-proj.a.aivencloud.com');
    expect(env).not.toContain('AVNS_gf');

    expect(Object.keys(files).sort()).toEqual([
      '/repo/.stack/aiven/ca.pem',
      '/repo/.stack/aiven/service.cert',
      '/repo/.stack/aiven/service.key',
    ]);
    expect(files['/repo/.stack/aiven/service.key']).toBe(`${pem('PRIVATE KEY')}\n`);
  });

  it('names the missing output and what to run', () => {
    for (const name of requiredTerraformOutputs) {
      const partial = outputs();
      delete partial[name];
      expect(() => aivenEnvFromTerraform(partial, '/c')).toThrow(
        `terraform output "${name}" is missing — run terraform apply in infra/terraform first`,
      );
    }
  });

  it('splits credentials out of a service URI', () => {
    expect(splitCredentials('https://u:p%40ss@h.example:1234/')).toEqual({
      url: 'https://h.example:1234',
      username: 'u',
      password: 'p@ss',
    });
    expect(splitCredentials('https://h.example:1234')).toEqual({ url: 'https://h.example:1234', username: undefined, password: undefined });
  });

  it('quotes .env values so that Node reads them back unchanged', () => {
    for (const value of ['plain', 'with space', 'a#b', "it's", 'say "hi"', 'x=y', '']) {
      expect(parseEnv(`K=${envValue(value)}`).K ?? '', value).toBe(value);
    }
    expect(() => envValue('a\nb')).toThrow(/line break/);
  });
});

describe('.env.example', () => {
  it('shows exactly what npm run aiven:env writes: the same variables, client-certificate TLS, absolute certificate paths', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    const aivenSection = example.slice(example.indexOf('# --- Aiven'));
    const shown = [...aivenSection.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name = '', value = '']) => ({ name, value }));
    const written = aivenEnvFromTerraform(outputs(), '/repo/.stack/aiven');
    expect(shown.map((v) => v.name)).toEqual(['STACK', ...Object.keys(written.variables)]);
    expect(example, 'aiven:env enables no SASL: Kafka takes the client certificate').not.toMatch(/KAFKA_SASL/);
    for (const { name, value } of shown.filter((v) => v.name.endsWith('_FILE'))) {
      expect(isAbsolute(value), `${name}: a relative path would resolve against the step's folder`).toBe(true);
      expect(basename(value)).toBe(basename(written.variables[name] ?? ''));
    }
  });
});
