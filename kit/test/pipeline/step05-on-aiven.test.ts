import { describe, expect, it } from 'vitest';
import { aivenJdbcSinkClass, createConnectRestClient, parseConfig, toAivenJdbcSinkConfig, workshopNames } from '@workshop/shared';
import { deployPostgresSink } from '../../../solutions/05-postgres-sink/src/connector.js';
import { postgresSinkConfig } from '../../../solutions/05-postgres-sink/src/sink-config.js';

/**
 * Step 05's own code, unchanged, against a Connect that runs Aiven's JDBC sink: the reference solution writes the
 * Debezium config and deploys it with the kit's client; the config that .env names (CONNECT_JDBC_SINK=aiven, as npm run
 * aiven:env writes it) decides what reaches Connect — nothing in the step asks which stack it is on.
 */

const aiven = parseConfig({
  CONNECT_URL: 'https://connect.example:443',
  CONNECT_USERNAME: 'avnadmin',
  CONNECT_PASSWORD: 'c',
  CONNECT_JDBC_SINK: 'aiven',
  CONNECT_JDBC_URL: 'jdbc:postgresql://pg.example:1234/workshop?sslmode=require',
  SCHEMA_REGISTRY_URL: 'https://registry.example:444',
  SCHEMA_REGISTRY_USERNAME: 'avnadmin',
  SCHEMA_REGISTRY_PASSWORD: 'r',
  PGHOST: 'pg.example',
  PGPORT: '1234',
  PGUSER: 'avnadmin',
  PGPASSWORD: 'p',
  PGSSLMODE: 'verify-full',
});

function connectKeepingConfigs() {
  const configs = new Map<string, Record<string, string>>();
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const name = decodeURIComponent(/\/connectors\/([^/]+)\/config$/.exec(url)?.[1] ?? '');
    if (init.method === 'PUT') configs.set(name, JSON.parse(init.body as string) as Record<string, string>);
    const stored = configs.get(name);
    return new Response(JSON.stringify({ ...stored, name }), { status: stored ? 200 : 404 });
  }) as unknown as typeof fetch;
  return { configs, fetchImpl };
}

describe("step 05's solution on Aiven, its code unchanged", () => {
  it("deploys Aiven's JDBC sink with TLS and the registry's credentials from the config, and reads back its own config", async () => {
    const connect = connectKeepingConfigs();
    const client = createConnectRestClient(aiven, connect.fetchImpl);
    const { avroTopic: topic, table, deadLetterTopic, postgresSinkConnector: name } = workshopNames;
    const written = postgresSinkConfig({ topic, table, deadLetterTopic, config: aiven });

    await deployPostgresSink(client, name, written);

    const running = connect.configs.get(name) ?? {};
    expect(running).toEqual(toAivenJdbcSinkConfig(written, aiven));
    expect(running['connector.class']).toBe(aivenJdbcSinkClass);
    expect(running['connection.url']).toMatch(/^jdbc:postgresql:\/\/pg\.example:1234\/workshop\?.*sslmode=require/);
    expect(running['connection.user']).toBe('avnadmin');
    expect(running['value.converter.schema.registry.url']).toBe('https://registry.example:444');
    expect(running['value.converter.basic.auth.user.info']).toBe('avnadmin:r');
    expect(Object.keys(running).filter((key) => key.startsWith('transforms'))).toEqual([]);
    // Step 05's test compares what Connect runs with what the participant deployed: the same, but for `name`.
    expect(await client.getConnectorConfig(name)).toEqual({ ...written, name });
  });
});
