import { findEnvFile, readEnvFile } from './env-file.js';
import { KitError } from './errors.js';

/**
 * Every name the workshop shares — topics, subjects, tables, connector, database — in one place.
 * Steps, solutions, the stack and its reset import these; nothing else spells them out.
 *
 * ## Participant namespaces (room mode: many participants on one stack)
 *
 * `WORKSHOP_PARTICIPANT=alice` (the shell, else the kit's `.env`) gives alice names of her own, with the steps' code and
 * tests unchanged — they read `workshopNames` (and the config) when they run, never a copy made at import:
 *
 * | what                           | default                          | alice                                     |
 * |--------------------------------|----------------------------------|-------------------------------------------|
 * | topics                         | `button_presses`, `…_json`, `…_dlq` | `alice.button_presses`, …              |
 * | registry subject               | `button_presses-value`           | `alice.button_presses-value` (still `<topic>-value`) |
 * | JDBC sink connector            | `button-presses-postgres-sink`   | `alice.button-presses-postgres-sink`      |
 * | consumer groups (any)          | as the code names them           | `alice.<group>` (createKafka, clients.ts) |
 * | PostgreSQL schema              | `public`                         | `workshop_alice` (the search_path)        |
 * | JDBC sink's table (Connect)    | as the config names it           | `workshop_alice.<table>` (connect-rest.ts) |
 * | ClickHouse database            | `workshop`                       | `workshop_alice` (unless CLICKHOUSE_DATABASE is set) |
 * | tables, view, roles, partitions | unchanged                       | unchanged                                 |
 *
 * PostgreSQL gets a schema, not a table prefix: the steps' SQL names `button_presses` and the `button_action` enum type
 * unqualified, and a connection whose search_path is alice's schema (and nothing else) resolves both there — so the SQL
 * stays as written, alice's enum can never clash with bob's, and a table alice has not made yet is "missing", never
 * someone else's. Kafka Connect gets the same schema through the JDBC URL (`currentSchema`), and — since Debezium's sink
 * looks an unqualified table up in every schema — the kit's Connect client qualifies her sink's table with her schema
 * (participant-clients.ts). The `.` after the
 * participant keeps topics, subjects and groups apart from the default names (which never contain one) and gives one
 * prefix for ACLs.
 *
 * The API (for room commands — join, board, rehearse — and the reset):
 * - `participantVariable` — the variable's name;
 * - `validateParticipant(name)` — the name, or a KitError saying what is allowed; `isValidParticipant(name)`;
 * - `participantFromEnv(env)` — the validated participant of an environment (undefined when unset or empty);
 * - `activeParticipant()` — this process's: `process.env`, else `.env` (a shell's empty value means "none");
 * - `namesFor(participant | undefined)` — every name for that namespace (undefined: exactly the default names);
 * - `workshopNames` — `namesFor(activeParticipant())`, read through getters at each use.
 */

/** The variable that names the participant, in the shell or `.env` (`npm run join` writes it). */
export const participantVariable = 'WORKSHOP_PARTICIPANT';

/**
 * Lowercase letters, digits and `-`, starting with a letter or digit (a leading `-` reads as a command-line flag), at
 * most 32 characters: safe unquoted in topic and group names, and — with `-` as `_` — in PostgreSQL and ClickHouse
 * identifiers (`workshop_` + 32 stays far below PostgreSQL's 63).
 */
const participantPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function isValidParticipant(name: string): boolean {
  return participantPattern.test(name);
}

/** `name` when it is a valid participant name; otherwise a KitError that says what is allowed. */
export function validateParticipant(name: string): string {
  if (isValidParticipant(name)) return name;
  throw new KitError(
    `${participantVariable}=${JSON.stringify(name)} is not a participant name: use lowercase letters, digits and "-" (at most 32, not starting with "-")`,
    {
      code: 'config',
      hint: `e.g. ${participantVariable}=alice-2 — set it in .env (npm run join writes it) or in your shell, or remove it to use the default names`,
    },
  );
}

/** The participant an environment names, validated; undefined when the variable is unset or empty. */
export function participantFromEnv(env: Record<string, string | undefined>): string | undefined {
  const value = env[participantVariable]?.trim();
  return value ? validateParticipant(value) : undefined;
}

const participantInEnvFile = new Map<string, string | undefined>();

/**
 * This process's participant: `process.env` (also when set empty: "none"), else the kit's `.env` — read once per
 * file, at the first use, like loadConfig() reads it.
 */
export function activeParticipant(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[participantVariable] !== undefined) return participantFromEnv(env);
  const envFile = findEnvFile(env);
  if (!envFile) return undefined;
  if (!participantInEnvFile.has(envFile)) participantInEnvFile.set(envFile, readEnvFile(envFile)[participantVariable]?.trim() || undefined);
  const fromFile = participantInEnvFile.get(envFile);
  return fromFile === undefined ? undefined : validateParticipant(fromFile);
}

/** The names of one namespace; see the table above. */
export interface WorkshopNames {
  /** The participant these names belong to; undefined for the default names. */
  readonly participant: string | undefined;
  /** Step 02–03: plain JSON events, keyed by session_id. */
  readonly jsonTopic: string;
  /** Step 04 on: Avro events in Confluent wire format. */
  readonly avroTopic: string;
  /** Records a sink could not process, with the reason in headers. */
  readonly deadLetterTopic: string;
  /** TopicNameStrategy: `<topic>-value`. */
  readonly avroSubject: string;
  /** PostgreSQL and ClickHouse table (in the namespace's schema / database). */
  readonly table: string;
  /** ClickHouse materialized view (step 06): presses per country per minute. */
  readonly pressesPerMinuteView: string;
  /** The JDBC sink connector of step 05. */
  readonly postgresSinkConnector: string;
  /** PostgreSQL database (shared by every namespace: each has its schema in it), and ClickHouse's default database. */
  readonly database: string;
  /** PostgreSQL schema the namespace's tables live in (`public` for the default names). */
  readonly postgresSchema: string;
  /** ClickHouse database of the namespace (the default for CLICKHOUSE_DATABASE). */
  readonly clickhouseDatabase: string;
  /** What the namespace's topics, subjects, connector and consumer groups start with ('' for the default names). */
  readonly kafkaPrefix: string;
  /** SELECT-only PostgreSQL role for dashboards. */
  readonly dashboardReadRole: string;
  /** Read-only ClickHouse user Grafana's datasource reads as (readonly=2; its password: .stack/secrets). */
  readonly clickhouseDashboardUser: string;
  /** Partitions of the workshop topics: enough to show keys keeping a session together. */
  readonly topicPartitions: number;
}

const baseNames = {
  jsonTopic: 'button_presses_json',
  avroTopic: 'button_presses',
  deadLetterTopic: 'button_presses_dlq',
  table: 'button_presses',
  pressesPerMinuteView: 'presses_per_country_minute',
  postgresSinkConnector: 'button-presses-postgres-sink',
  database: 'workshop',
  dashboardReadRole: 'grafana_reader',
  clickhouseDashboardUser: 'grafana_reader',
  topicPartitions: 3,
} as const;

/** Every name of `participant`'s namespace; `namesFor(undefined)` is exactly the default names. */
export function namesFor(participant: string | undefined): WorkshopNames {
  const id = participant === undefined ? undefined : validateParticipant(participant);
  const kafkaPrefix = id === undefined ? '' : `${id}.`;
  const ownDatabase = id === undefined ? baseNames.database : `${baseNames.database}_${id.replaceAll('-', '_')}`;
  return {
    ...baseNames,
    participant: id,
    jsonTopic: kafkaPrefix + baseNames.jsonTopic,
    avroTopic: kafkaPrefix + baseNames.avroTopic,
    deadLetterTopic: kafkaPrefix + baseNames.deadLetterTopic,
    avroSubject: `${kafkaPrefix + baseNames.avroTopic}-value`,
    postgresSinkConnector: kafkaPrefix + baseNames.postgresSinkConnector,
    postgresSchema: id === undefined ? 'public' : ownDatabase,
    clickhouseDatabase: ownDatabase,
    kafkaPrefix,
  };
}

const namesByParticipant = new Map<string | undefined, WorkshopNames>();

/** namesFor, made once per namespace: a getter may run once per message in a loop. */
function cachedNamesFor(participant: string | undefined): WorkshopNames {
  const known = namesByParticipant.get(participant);
  if (known) return known;
  const names = namesFor(participant);
  namesByParticipant.set(participant, names);
  return names;
}

/** The default names (no participant), whatever this process's environment says. */
export const defaultNames: WorkshopNames = namesFor(undefined);

/**
 * The names of this process's namespace (activeParticipant()). Each property is a getter, so the participant is
 * read when a name is used — importing this module reads nothing.
 */
export const workshopNames: WorkshopNames = Object.defineProperties(
  {} as WorkshopNames,
  Object.fromEntries(
    (Object.keys(defaultNames) as (keyof WorkshopNames)[]).map((key) => [
      key,
      { enumerable: true, get: () => cachedNamesFor(activeParticipant())[key] },
    ]),
  ),
);

/** The topics a namespace's steps create; `stack:reset` deletes these (and nothing of the stack's own). */
export function workshopTopicsOf(names: WorkshopNames): string[] {
  return [names.jsonTopic, names.avroTopic, names.deadLetterTopic];
}

/** The default namespace's topics. */
export const workshopTopics = workshopTopicsOf(defaultNames);

/**
 * The room's one shared topic (room mode): every participant's test runs write their progress there, only the board
 * reads it. Never namespaced — it is how the namespaces meet — and never deleted by a participant's reset.
 */
export const roomProgressTopic = 'workshop_progress';

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
