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
  return {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: topic,

    // How Connect (not this machine) reaches PostgreSQL. stringtype=unspecified lets PostgreSQL cast the
    // string the sink sends for `action` into the button_action enum.
    'connection.url': withJdbcParameter(config.connect.postgresJdbcUrl, 'stringtype', 'unspecified'),
    'connection.username': config.postgres.user,
    'connection.password': config.postgres.password ?? '',
    'collection.name.format': table,
    // The table is ours (README §1): the sink must not invent or alter columns.
    'schema.evolution': 'none',
    // The zone for temporal columns *without* a time zone. A timestamptz stores the instant, so for ours it
    // changes nothing; UTC is also Debezium's default — spelled out so that nobody has to wonder.
    'use.time.zone': 'UTC',
    // #region sink-upsert-dlq

    // Kafka delivers at least once: a record can come twice. Upsert on the event's identity makes the second
    // delivery update the row it wrote the first time (the table's UNIQUE (session_id, count)).
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_value',
    'primary.key.fields': 'session_id,count',

    // A record that cannot be read (not Avro, a schema the registry does not know) or that the transform
    // rejects goes to the dead-letter topic with the reason in headers (__connect.errors.*), and the
    // connector carries on. Without this, one bad record stops the task.
    'errors.tolerance': 'all',
    'errors.log.enable': 'true',
    'errors.deadletterqueue.topic.name': deadLetterTopic,
    'errors.deadletterqueue.context.headers.enable': 'true',
    // -1: the cluster's default replication factor — 1 on a single local broker, more in the cloud.
    'errors.deadletterqueue.topic.replication.factor': '-1',
    // #endregion sink-upsert-dlq
    // #region sink-validate

    // Only valid rows may reach the sink: errors.tolerance covers the converter and the transforms, never the
    // sink's own write, so a record PostgreSQL refuses (session_id not a UUID, a negative count, another
    // schema) would stop the task. The kit's transform checks each record against the event's rules and
    // throws for a bad one — a TRANSFORMATION error, which the settings above tolerate.
    transforms: 'validate',
    'transforms.validate.type': validateButtonPressTransform,
    // #endregion sink-validate
  };
}

/**
 * Adds `name=value` to a JDBC URL's query string, keeping what is there (the cloud's URL already has
 * ?sslmode=…). For an enum column: withJdbcParameter(url, 'stringtype', 'unspecified') — README §2.
 */
export function withJdbcParameter(url: string, name: string, value: string): string {
  if (new RegExp(`[?&]${name}=`).test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${value}`;
}
