import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.js';
import { KitError } from '../src/errors.js';
import { defaultPorts, workshopNames } from '../src/names.js';

describe('config', () => {
  it('defaults to the local stack, with every port from the one table of names and ports', () => {
    const config = parseConfig({});
    expect(config.kafka.brokers).toEqual([`127.0.0.1:${defaultPorts.kafka}`]);
    expect(config.kafka.ssl).toBe(false);
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.connect.url).toBe('http://127.0.0.1:8083');
    expect(config.connect.postgresJdbcUrl).toBe('jdbc:postgresql://127.0.0.1:5432/workshop');
    expect(config.postgres).toMatchObject({ host: '127.0.0.1', port: 5432, database: workshopNames.database, ssl: false });
    expect(config.clickhouse).toMatchObject({ url: 'http://127.0.0.1:8123', database: 'workshop' });
    expect(config.buttonApp).toEqual({ host: '127.0.0.1', port: 8080, trustedProxies: [] });
  });

  it('accepts a cloud profile: several brokers, TLS files, SASL, registry credentials, verified PostgreSQL TLS', () => {
    const config = parseConfig({
      KAFKA_BROKERS: 'a.example:1, b.example:2',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/certs/ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'avnadmin',
      KAFKA_SASL_PASSWORD: 's3cret',
      SCHEMA_REGISTRY_URL: 'https://registry.example:443/',
      SCHEMA_REGISTRY_USERNAME: 'avnadmin',
      SCHEMA_REGISTRY_PASSWORD: 's3cret',
      PGSSLMODE: 'verify-full',
      PGSSL_CA_FILE: '/certs/ca.pem',
      BUTTON_APP_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8',
    });
    expect(config.buttonApp.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(config.kafka.brokers).toEqual(['a.example:1', 'b.example:2']);
    expect(config.kafka.ssl).toEqual({ caFile: '/certs/ca.pem', certFile: undefined, keyFile: undefined });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'avnadmin', password: 's3cret' });
    expect(config.schemaRegistry).toEqual({ url: 'https://registry.example:443', auth: { username: 'avnadmin', password: 's3cret' } });
    expect(config.postgres.ssl).toEqual({ rejectUnauthorized: true, caFile: '/certs/ca.pem' });
  });

  it('rejects invalid values with a message naming the variable', () => {
    expect(() => parseConfig({ PGPORT: 'five' })).toThrow(KitError);
    expect(() => parseConfig({ PGPORT: 'five' })).toThrow(/PGPORT/);
    expect(() => parseConfig({ SCHEMA_REGISTRY_URL: 'not a url' })).toThrow(/SCHEMA_REGISTRY_URL/);
    expect(() => parseConfig({ CLICKHOUSE_DATABASE: 'workshop; DROP TABLE x' })).toThrow(/CLICKHOUSE_DATABASE/);
    expect(() => parseConfig({ KAFKA_SASL_USERNAME: 'only-a-user' })).toThrow(/KAFKA_SASL/);
    expect(() => parseConfig({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('reads .env, and a variable set in the environment wins over the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
    const envFile = join(dir, '.env');
    await writeFile(envFile, 'PGDATABASE=from_file\nCLICKHOUSE_DATABASE=from_file\n');
    const config = loadConfig({ envFile, env: { CLICKHOUSE_DATABASE: 'from_env' } });
    expect(config.postgres.database).toBe('from_file');
    expect(config.clickhouse.database).toBe('from_env');
  });
});
