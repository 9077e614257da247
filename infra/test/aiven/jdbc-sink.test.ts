import { describe, expect, it } from 'vitest';
import { KitError, parseConfig, workshopNames } from '@workshop/shared';
import { toAivenJdbcSinkConfig, withoutKitTransforms, withSslModeRequire } from '@workshop/shared';

/**
 * Step 05's Debezium JDBC sink config → Aiven's JDBC sink. The Debezium config below uses the keys of
 * stack-facts.md, as a participant's solution would on the local stacks.
 */

const aivenConfig = parseConfig({
  KAFKA_BROKERS: 'kafka-x.aivencloud.com:12345',
  SCHEMA_REGISTRY_URL: 'https://kafka-x.aivencloud.com:12347',
  SCHEMA_REGISTRY_USERNAME: 'avnadmin',
  SCHEMA_REGISTRY_PASSWORD: 's3cret',
  PGHOST: 'pg-x.aivencloud.com',
  PGPORT: '12349',
  PGUSER: 'avnadmin',
  PGPASSWORD: 'pgpass',
  CONNECT_JDBC_URL: 'jdbc:postgresql://pg-x.aivencloud.com:12349/workshop?sslmode=require',
});

/** A representative step-05 config: Debezium's keys, upsert on the event's identity, dead letters. */
function debeziumConfig(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: workshopNames.avroTopic,
    'connection.url': 'jdbc:postgresql://pg-x.aivencloud.com:12349/workshop?stringtype=unspecified',
    'connection.username': 'avnadmin',
    'connection.password': 'pgpass',
    'collection.name.format': workshopNames.table,
    'schema.evolution': 'none',
    'use.time.zone': 'UTC',
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_value',
    'primary.key.fields': 'session_id,count',
    'errors.tolerance': 'all',
    'errors.log.enable': 'true',
    'errors.deadletterqueue.topic.name': workshopNames.deadLetterTopic,
    'errors.deadletterqueue.context.headers.enable': 'true',
    'errors.deadletterqueue.topic.replication.factor': '-1',
    'consumer.override.auto.offset.reset': 'earliest',
    ...overrides,
  };
}

describe('toAivenJdbcSinkConfig', () => {
  it("maps a step-05 Debezium config to Aiven's JDBC sink with Confluent's Avro converter on Karapace", () => {
    expect(toAivenJdbcSinkConfig(debeziumConfig(), aivenConfig)).toEqual({
      'connector.class': 'io.aiven.connect.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: workshopNames.avroTopic,
      // TLS only on Aiven; the participant's own parameters stay.
      'connection.url': 'jdbc:postgresql://pg-x.aivencloud.com:12349/workshop?stringtype=unspecified&sslmode=require',
      'connection.user': 'avnadmin',
      'connection.password': 'pgpass',
      'table.name.format': workshopNames.table,
      'auto.create': 'false',
      'auto.evolve': 'false',
      'db.timezone': 'UTC',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'session_id,count',
      // Kafka Connect's own error handling: unchanged.
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.deadletterqueue.topic.name': workshopNames.deadLetterTopic,
      'errors.deadletterqueue.context.headers.enable': 'true',
      'errors.deadletterqueue.topic.replication.factor': '-1',
      'consumer.override.auto.offset.reset': 'earliest',
      // What the local stacks' worker does for every connector.
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': 'https://kafka-x.aivencloud.com:12347',
      'value.converter.basic.auth.credentials.source': 'USER_INFO',
      'value.converter.basic.auth.user.info': 'avnadmin:s3cret',
    });
  });

  it('schema.evolution=basic lets the sink create and alter the table', () => {
    const out = toAivenJdbcSinkConfig(debeziumConfig({ 'schema.evolution': 'basic' }), aivenConfig);
    expect([out['auto.create'], out['auto.evolve']]).toEqual(['true', 'true']);
    const withoutKey = debeziumConfig();
    delete withoutKey['schema.evolution'];
    expect(toAivenJdbcSinkConfig(withoutKey, aivenConfig)['auto.create'], "Debezium's default: none").toBe('false');
  });

  it('adds no registry credentials when the registry needs none', () => {
    const out = toAivenJdbcSinkConfig(debeziumConfig(), parseConfig({ SCHEMA_REGISTRY_URL: 'https://registry.example' }));
    expect(out['value.converter.schema.registry.url']).toBe('https://registry.example');
    expect(Object.keys(out).filter((key) => key.includes('basic.auth'))).toEqual([]);
  });

  it('refuses what it cannot translate, naming it', () => {
    expect(() =>
      toAivenJdbcSinkConfig(debeziumConfig({ 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector' }), aivenConfig),
    ).toThrow(/expected a Debezium JDBC sink config/);
    expect(() => toAivenJdbcSinkConfig(debeziumConfig({ 'primary.key.mode': 'record_header' }), aivenConfig)).toThrow(KitError);
    expect(() => toAivenJdbcSinkConfig(debeziumConfig({ 'hibernate.c3p0.max_size': '5', 'field.include.list': 'a' }), aivenConfig)).toThrow(
      'no Aiven JDBC sink equivalent for hibernate.c3p0.max_size, field.include.list — add a mapping in shared/src/aiven-jdbc-sink.ts',
    );
  });

  it('connection.url: sslmode=require replaces a weaker mode and keeps a stronger one', () => {
    expect(withSslModeRequire('jdbc:postgresql://h:1/db')).toBe('jdbc:postgresql://h:1/db?sslmode=require');
    expect(withSslModeRequire('jdbc:postgresql://h:1/db?sslmode=disable&stringtype=unspecified')).toBe(
      'jdbc:postgresql://h:1/db?stringtype=unspecified&sslmode=require',
    );
    expect(withSslModeRequire('jdbc:postgresql://h:1/db?sslmode=verify-full')).toBe('jdbc:postgresql://h:1/db?sslmode=verify-full');
  });
});

describe('withoutKitTransforms (Aiven cannot load the kit’s own plugin)', () => {
  const validate = { transforms: 'validate', 'transforms.validate.type': 'workshop.connect.ValidateButtonPress' };

  it('drops step 05’s validating transform, so the translated config has no transforms key', () => {
    const translated = toAivenJdbcSinkConfig(debeziumConfig(validate), aivenConfig);
    expect(Object.keys(translated).filter((key) => key.startsWith('transforms'))).toEqual([]);
    expect(translated).toEqual(toAivenJdbcSinkConfig(debeziumConfig(), aivenConfig));
  });

  it('keeps every other transform, with its alias in order', () => {
    const config = {
      transforms: 'route, validate,mask',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '.*',
      'transforms.validate.type': 'workshop.connect.ValidateButtonPress',
      'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
      'transforms.mask.fields': 'city_name',
      topics: 'x',
    };
    expect(withoutKitTransforms(config)).toEqual({
      transforms: 'route,mask',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '.*',
      'transforms.mask.type': 'org.apache.kafka.connect.transforms.MaskField$Value',
      'transforms.mask.fields': 'city_name',
      topics: 'x',
    });
  });
});
