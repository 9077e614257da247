import type { WorkshopConfig } from './config.js';
import { KitError } from './errors.js';

/**
 * Step 05's connector on Aiven. A participant writes one connector config — the Debezium JDBC sink's keys
 * (solutions/05-postgres-sink/src/sink-config.ts) — and on the local stacks the worker already reads Avro
 * from the registry. Aiven's Kafka Connect has no Debezium JDBC sink and no Apicurio converter: it runs
 * Aiven's own JDBC sink (io.aiven.connect.jdbc.JdbcSinkConnector, a fork of Confluent's) with Confluent's
 * AvroConverter against Karapace. This pure function translates one into the other, so the logical
 * settings (table, upsert key, dead letters) are written once, by the participant. Which sink a stack runs is
 * the config's to say (CONNECT_JDBC_SINK=aiven, written by npm run aiven:env): the kit's Connect client
 * (connect-rest.ts) translates on the way out, so a step's code is the same on every stack.
 */

export const aivenJdbcSinkClass = 'io.aiven.connect.jdbc.JdbcSinkConnector';
export const confluentAvroConverterClass = 'io.confluent.connect.avro.AvroConverter';
export const debeziumJdbcSinkClass = 'io.debezium.connector.jdbc.JdbcSinkConnector';
/** What `stack:status` expects on Aiven's Connect (compare: requiredConnectPlugins of the native stack). */
export const aivenConnectPlugins = [aivenJdbcSinkClass, confluentAvroConverterClass] as const;

/** A config this translation cannot carry over: the participant's to fix (or, for an unmapped key, the kit's). */
function untranslatable(message: string, hint: string): KitError {
  return new KitError(message, { code: 'aiven-translation', hint });
}

/** Same key, same value: Kafka Connect's own settings, which every connector understands. */
const frameworkKeys = ['name', 'tasks.max', 'topics', 'topics.regex', 'connection.password', 'batch.size', 'delete.enabled'];
const frameworkPrefixes = ['errors.', 'consumer.override.', 'transforms', 'predicates', 'header.converter'];

/** Debezium key → Aiven JDBC sink key, values unchanged. */
const renamed: Record<string, string> = {
  'connection.username': 'connection.user',
  'insert.mode': 'insert.mode',
  'primary.key.mode': 'pk.mode',
  'primary.key.fields': 'pk.fields',
  'collection.name.format': 'table.name.format',
  'use.time.zone': 'db.timezone',
  'quote.identifiers': 'sql.quote.identifiers',
};

const insertModes = ['insert', 'upsert', 'update'];
const primaryKeyModes = ['none', 'kafka', 'record_key', 'record_value'];

/** Sets sslmode=require on a JDBC URL (replacing a weaker one), keeping its other parameters. */
export function withSslModeRequire(url: string): string {
  const [base, query = ''] = url.split('?', 2) as [string, string?];
  const params = query.split('&').filter((pair) => pair !== '' && !/^sslmode=/i.test(pair));
  const keep = query.split('&').find((pair) => /^sslmode=(require|verify-ca|verify-full)$/i.test(pair));
  return `${base}?${[...params, keep ?? 'sslmode=require'].join('&')}`;
}

/** Where the kit's own transforms live (infra/connect-transforms): on the local stacks' plugin path, nowhere on Aiven. */
const kitTransformPackage = 'workshop.connect.';

/**
 * Removes the transforms Aiven's Connect cannot load — the kit's own (step 05's ValidateButtonPress), which only the
 * local stacks build onto their plugin path — and keeps every other transform (Kafka's built-in ones run on Aiven too):
 * their aliases leave `transforms`, their `transforms.<alias>.*` keys go, and `transforms` goes when it is left empty.
 * Without the transform a record PostgreSQL refuses can stop the task on Aiven (step 05's README says so).
 * Its own function on purpose: this is the one place that decides which `transforms` keys reach Aiven.
 */
export function withoutKitTransforms(connectorConfig: Record<string, string>): Record<string, string> {
  const aliases = (connectorConfig.transforms ?? '')
    .split(',')
    .map((alias) => alias.trim())
    .filter(Boolean);
  const dropped = new Set(aliases.filter((alias) => connectorConfig[`transforms.${alias}.type`]?.startsWith(kitTransformPackage)));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(connectorConfig)) {
    const alias = /^transforms\.([^.]+)\./.exec(key)?.[1];
    if (alias !== undefined && dropped.has(alias)) continue;
    if (key === 'transforms') {
      const kept = aliases.filter((name) => !dropped.has(name));
      if (kept.length > 0) out[key] = kept.join(',');
      continue;
    }
    out[key] = value;
  }
  return out;
}

export function toAivenJdbcSinkConfig(debeziumConfig: Record<string, string>, config: WorkshopConfig): Record<string, string> {
  const connectorClass = debeziumConfig['connector.class'];
  if (connectorClass !== debeziumJdbcSinkClass) {
    throw untranslatable(
      `expected a Debezium JDBC sink config (connector.class=${debeziumJdbcSinkClass}), got ${connectorClass ?? 'no connector.class'}`,
      "on Aiven too, write the Debezium JDBC sink config of step 05 (the kit translates it for Aiven's own sink)",
    );
  }
  const out: Record<string, string> = { 'connector.class': aivenJdbcSinkClass };
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(withoutKitTransforms(debeziumConfig))) {
    if (key === 'connector.class') continue;
    if (frameworkKeys.includes(key) || frameworkPrefixes.some((prefix) => key.startsWith(prefix))) {
      out[key] = value;
    } else if (key === 'connection.url') {
      // Aiven's PostgreSQL takes TLS connections only.
      out['connection.url'] = withSslModeRequire(value);
    } else if (renamed[key] !== undefined) {
      const aivenKey = renamed[key];
      if (key === 'insert.mode' && !insertModes.includes(value)) {
        throw untranslatable(
          `insert.mode=${value} has no Aiven JDBC sink equivalent (${insertModes.join('|')})`,
          `set insert.mode to one of ${insertModes.join(', ')}`,
        );
      }
      if (key === 'primary.key.mode' && !primaryKeyModes.includes(value)) {
        throw untranslatable(
          `primary.key.mode=${value} has no Aiven JDBC sink equivalent (${primaryKeyModes.join('|')})`,
          `set primary.key.mode to one of ${primaryKeyModes.join(', ')}`,
        );
      }
      out[aivenKey] = value;
    } else if (key === 'schema.evolution') {
      // Debezium: none | basic. Aiven: create the table, add columns.
      const evolve = value === 'basic' ? 'true' : 'false';
      out['auto.create'] = evolve;
      out['auto.evolve'] = evolve;
    } else {
      unknown.push(key);
    }
  }
  if (unknown.length > 0) {
    throw untranslatable(
      `no Aiven JDBC sink equivalent for ${unknown.join(', ')} — add a mapping in shared/src/aiven-jdbc-sink.ts`,
      'leave those keys out of the sink config, or run this step on a local stack (STACK=native or STACK=docker)',
    );
  }
  if (!('auto.create' in out)) {
    // Debezium's default is schema.evolution=none: the table is the participant's.
    out['auto.create'] = 'false';
    out['auto.evolve'] = 'false';
  }
  // Converters: the local stacks set them on the worker; on Aiven they go on the connector. Keys are the
  // session ids as strings; values are Avro in Confluent wire format, looked up in Karapace.
  out['key.converter'] = 'org.apache.kafka.connect.storage.StringConverter';
  out['value.converter'] = confluentAvroConverterClass;
  out['value.converter.schema.registry.url'] = config.schemaRegistry.url;
  const auth = config.schemaRegistry.auth;
  if (auth) {
    out['value.converter.basic.auth.credentials.source'] = 'USER_INFO';
    out['value.converter.basic.auth.user.info'] = `${auth.username}:${auth.password}`;
  }
  return out;
}
