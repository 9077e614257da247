/**
 * Every name the workshop shares — topics, subjects, tables, connector, database — in one place.
 * Steps, solutions, the stack and its reset import these; nothing else spells them out.
 */
export const workshopNames = {
  /** Step 02–03: plain JSON events, keyed by session_id. */
  jsonTopic: 'button_presses_json',
  /** Step 04 on: Avro events in Confluent wire format. */
  avroTopic: 'button_presses',
  /** Records a sink could not process, with the reason in headers. */
  deadLetterTopic: 'button_presses_dlq',
  /** TopicNameStrategy: `<topic>-value`. */
  avroSubject: 'button_presses-value',
  /** PostgreSQL and ClickHouse table. */
  table: 'button_presses',
  /** ClickHouse materialized view (step 06): presses per country per minute. */
  pressesPerMinuteView: 'presses_per_country_minute',
  /** The JDBC sink connector of step 05. */
  postgresSinkConnector: 'button-presses-postgres-sink',
  /** PostgreSQL and ClickHouse database. */
  database: 'workshop',
  /** SELECT-only PostgreSQL role for dashboards. */
  dashboardReadRole: 'grafana_reader',
  /** Read-only ClickHouse user Grafana's datasource reads as (readonly=2; its password: .stack/secrets). */
  clickhouseDashboardUser: 'grafana_reader',
  /** Partitions of the workshop topics: enough to show keys keeping a session together. */
  topicPartitions: 3,
} as const;

/** Topics the workshop creates; `stack:reset` deletes exactly these (and nothing of the stack's own). */
export const workshopTopics = [workshopNames.jsonTopic, workshopNames.avroTopic, workshopNames.deadLetterTopic] as const;

/** Default local addresses (native and docker stacks publish the same ports on 127.0.0.1). */
export const defaultPorts = {
  kafka: 9092,
  kafkaController: 9093,
  schemaRegistry: 8081,
  connect: 8083,
  postgres: 5432,
  clickhouseHttp: 8123,
  grafana: 3000,
  buttonApp: 8080,
} as const;

/**
 * `.env` variables that move a local stack's host port when the default clashes (a laptop's own PostgreSQL on 5432):
 * docker-compose.yml publishes the service there (`${WORKSHOP_POSTGRES_PORT:-5432}`) and the kit's config follows
 * (shared/src/config.ts). infra/test/docker/compose.test.ts checks both use these names.
 */
export const hostPortVariables = {
  kafka: 'WORKSHOP_KAFKA_PORT',
  schemaRegistry: 'WORKSHOP_SCHEMA_REGISTRY_PORT',
  connect: 'WORKSHOP_CONNECT_PORT',
  postgres: 'WORKSHOP_POSTGRES_PORT',
  clickhouseHttp: 'WORKSHOP_CLICKHOUSE_HTTP_PORT',
  grafana: 'WORKSHOP_GRAFANA_PORT',
} as const satisfies Partial<Record<keyof typeof defaultPorts, string>>;

/** Apicurio serves the Confluent-compatible API under this prefix; Karapace/Confluent serve it at the root. */
/** The stack's services, as every command and probe names them. */
export type ServiceName = 'kafka' | 'schema-registry' | 'connect' | 'postgres' | 'clickhouse';

export const apicurioConfluentApiPath = '/apis/ccompat/v7';
