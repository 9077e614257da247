import type { WorkshopConfig } from '@workshop/shared';

export interface PostgresSinkOptions {
  /** The topic of Avro button presses to read. */
  topic: string;
  /** The PostgreSQL table to write (created by createButtonPressesTable). */
  table: string;
  /** Where records the sink cannot process go, with the reason in their headers. */
  deadLetterTopic: string;
  config: WorkshopConfig;
}

/** The kit's Single Message Transform (infra/connect-transforms), on Connect's plugin path on every local stack. */
export const validateButtonPressTransform = 'workshop.connect.ValidateButtonPress';

/**
 * The Debezium JDBC sink connector's configuration (README §2): every value a string, as Kafka Connect's
 * REST API wants it. No converters here: the Connect worker already reads keys as strings and values as
 * Avro from the schema registry, on every stack — so this same config works locally and in the cloud.
 */
export function postgresSinkConfig({ topic, table, deadLetterTopic, config }: PostgresSinkOptions): Record<string, string> {
  // TODO(step 05): return { 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector', topics: topic, … }:
  // the connection (config.connect.postgresJdbcUrl, config.postgres.user, config.postgres.password ?? ''), the
  // table, UTC, upsert on session_id,count, and errors to the dead-letter topic — the keys in README §2.
  // TODO(step 05): validate before the sink — transforms: 'validate' and 'transforms.validate.type':
  // validateButtonPressTransform — so a record PostgreSQL would refuse goes to the dead-letter topic too (README §2).
  throw new Error('TODO: write the JDBC sink connector config in postgresSinkConfig() (README §2)');
}

/**
 * Adds `name=value` to a JDBC URL's query string, keeping what is there (the cloud's URL already has
 * ?sslmode=…). For an enum column: withJdbcParameter(url, 'stringtype', 'unspecified') — README §2.
 */
export function withJdbcParameter(url: string, name: string, value: string): string {
  if (new RegExp(`[?&]${name}=`).test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${value}`;
}
