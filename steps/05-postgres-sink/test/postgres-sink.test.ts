import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Partitioners, type IHeaders } from 'kafkajs';
import pg from 'pg';
import {
  basicAuthHeaders,
  buttonActions,
  createConnectRestClient,
  createKafka,
  createPostgresPool,
  createSchemaRegistry,
  ensureAvroTopic,
  loadConfig,
  produceAvroVisits,
  registerButtonPressSchema,
  seededSampleVisits,
  type ButtonPressEvent,
  type WorkshopConfig,
} from '@workshop/shared';
import { HintError, assertWithHint, describeUnreachable, pollUntil, uniqueName, uniqueSessionId, withHint } from '@workshop/shared/testing';
import { createButtonPressesTable } from '../src/table.js';
import { postgresSinkConfig, validateButtonPressTransform } from '../src/sink-config.js';
import { deployPostgresSink } from '../src/connector.js';

/**
 * Step 05: a table with real types, a Debezium JDBC sink deployed through Kafka Connect's REST API, rows
 * with true timestamptz values, upserts that make redelivery harmless, and a dead-letter topic that keeps
 * the connector running past a bad record. Everything here has names of its own (topic, table,
 * dead-letter topic, connector) and is deleted afterwards, so the tests re-run on a used stack and never
 * touch the workshop's button_presses.
 */
const config = loadConfig();
const base = uniqueName('button_presses_sink').replaceAll('-', '_');
// Topic and table differ on purpose: the sink's default table is the topic's name, so with equal names a
// config without 'collection.name.format' would pass here and write the wrong table for real.
const topic = `${base}_topic`;
const table = `${base}_table`;
const deadLetterTopic = `${base}_dlq`;
const connectorName = base.replaceAll('_', '-');

/**
 * The config the participant's functions get: as on the Docker stack, this machine and Connect reach
 * PostgreSQL by different addresses. `postgres.host`/`port` (this machine's view) lead nowhere from Connect,
 * so only `connect.postgresJdbcUrl` works; its own parameter (as the cloud's ?sslmode=…) must be kept.
 */
const participantConfig: WorkshopConfig = {
  ...config,
  postgres: { ...config.postgres, host: 'postgres-as-this-machine-sees-it.invalid', port: 6543 },
  connect: { ...config.connect, postgresJdbcUrl: withUrlParameter(config.connect.postgresJdbcUrl, 'ApplicationName', 'step05tests') },
};
const sinkInputs = { topic, table, deadLetterTopic, config: participantConfig };

function withUrlParameter(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${value}`;
}

/** The query parameters of a JDBC URL, as the PostgreSQL driver reads them: after the first '?', split on '&'. */
function jdbcParameters(url: string): Map<string, string> {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  return new Map(
    query
      .split('&')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

const db = createPostgresPool(config, { max: 2 });
/** The tests' own view of Connect. */
const connect = createConnectRestClient(config);
/**
 * What deployPostgresSink() gets: a client for a Connect that wants credentials, as in the cloud — a
 * guard in front of the real Connect answers 401 to any request without them.
 */
const connectAuth = { username: 'step05', password: 'tests-only' };
let guard: Server;
let participantConnect: ReturnType<typeof createConnectRestClient>;
let requestsWithoutCredentials = 0;
const registry = createSchemaRegistry(config);
const kafka = createKafka(config);
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
/** Consumer groups the tests create to read the dead-letter topic (deleted afterwards). */
const deadLetterReaderGroups: string[] = [];

/** Produced before the connector exists: a new sink must read the topic from its start. */
const firstVisits = seededSampleVisits({ visits: 8, seed: 505, newSessionId: uniqueSessionId });
const sessionsOf = (events: ButtonPressEvent[]) => [...new Set(events.map((event) => event.session_id))];

const hints = {
  table: 'Write createButtonPressesTable(): CREATE TABLE IF NOT EXISTS with the columns of README §1',
  config: 'Write postgresSinkConfig(): the connector configuration of README §2',
  deploy: 'Write deployPostgresSink(): PUT the config to /connectors/{name}/config — README §3',
};

/**
 * Runs a participant's function: a starter's TODO gets `writeIt`; a function that was written but failed gets
 * `itFailed` (telling someone who wrote it to write it points the wrong way).
 */
function attempt<T>(writeIt: string, itFailed: string, work: () => T | Promise<T>): Promise<T> {
  return withHint(writeIt, work).catch((error: unknown) => {
    if (error instanceof HintError && !/TODO/.test(error.detail ?? '')) throw new HintError(itFailed, error.detail);
    throw error;
  });
}

beforeAll(async () => {
  guard = await startCredentialGuard();
  const { port } = guard.address() as { port: number };
  participantConnect = createConnectRestClient({
    ...config,
    connect: { ...config.connect, url: `http://127.0.0.1:${port}`, auth: connectAuth },
  });
  await withHint(describeUnreachable('kafka', config.kafka.brokers.join(','), 'could not set up the test topic'), async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureAvroTopic(admin, topic);
  });
  await withHint(describeUnreachable('schema-registry', config.schemaRegistry.url, 'could not register the schema'), () =>
    registerButtonPressSchema(registry, topic),
  );
  await produceAvroVisits(producer, registry, topic, firstVisits);
});

afterAll(async () => {
  const quietly = <T>(work: Promise<T>) => work.catch(() => undefined);
  // Every connector reading the test topic, whatever it is called: each one left behind is a running task.
  const connectors = new Set([connectorName, ...((await quietly(connectorsReading(topic))) ?? [])]);
  for (const name of connectors) await quietly(connect.deleteConnector(name));
  // The topic's name too: a sink without 'collection.name.format' (and schema evolution on) creates that table.
  for (const name of [table, topic]) await quietly(db.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(name)}`));
  await quietly(db.end());
  // Only topics that exist: kafkajs retries a missing one for seconds.
  const existing = (await quietly(admin.listTopics())) ?? [];
  const ourTopics = [topic, deadLetterTopic].filter((name) => existing.includes(name));
  if (ourTopics.length) await quietly(admin.deleteTopics({ topics: ourTopics }));
  // A sink task's consumer group is connect-<connector name>; it empties once the task has stopped.
  const ours = new Set([...connectors].map((name) => `connect-${name}`).concat(deadLetterReaderGroups));
  const deleteOurGroups = async () => {
    const left = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => ours.has(id));
    if (left.length) await admin.deleteGroups(left);
    return left.length === 0 ? true : undefined;
  };
  await quietly(pollUntil(deleteOurGroups, { timeoutMs: 10_000, intervalMs: 500, hint: 'cleanup' }));
  await quietly(Promise.all([admin.disconnect(), producer.disconnect()]));
  for (const query of ['', '?permanent=true']) {
    const headers = basicAuthHeaders(config.schemaRegistry.auth);
    await quietly(
      fetch(`${config.schemaRegistry.url}/subjects/${encodeURIComponent(`${topic}-value`)}${query}`, { method: 'DELETE', headers }),
    );
  }
  await new Promise((done) => guard?.close(done));
});

/** A proxy to Kafka Connect that refuses (401) every request without the credentials the client was given. */
async function startCredentialGuard(): Promise<Server> {
  const expected = `Basic ${Buffer.from(`${connectAuth.username}:${connectAuth.password}`).toString('base64')}`;
  const upstreamHeaders: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const { auth } = config.connect;
  if (auth) upstreamHeaders.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (request.headers.authorization !== expected) {
        requestsWithoutCredentials += 1;
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error_code":401,"message":"Unauthorized"}');
        return;
      }
      try {
        const body = Buffer.concat(chunks);
        const upstream = await fetch(`${config.connect.url}${request.url}`, {
          method: request.method,
          headers: upstreamHeaders,
          body: body.length > 0 ? body : undefined,
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(answer);
      } catch (error) {
        response.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return server;
}

// ---------------------------------------------------------------------------------------------------------
// Looking at PostgreSQL and Kafka Connect.

interface Column {
  column_name: string;
  data_type: string;
  udt_name: string;
  udt_schema: string;
  is_nullable: 'YES' | 'NO';
  is_identity: 'YES' | 'NO';
  column_default: string | null;
}

async function columnsOf(name: string): Promise<Map<string, Column>> {
  const { rows } = await db.query<Column>(
    `SELECT column_name, data_type, udt_name, udt_schema, is_nullable, is_identity, column_default
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [name],
  );
  return new Map(rows.map((column) => [column.column_name, column]));
}

/** The table's indexes: which columns each covers, whether it is unique / the primary key / partial. */
async function indexesOf(name: string) {
  const { rows } = await db.query<{ columns: string[]; unique: boolean; primary: boolean; partial: boolean }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns, i.indisunique AS unique,
            i.indisprimary AS primary, i.indpred IS NOT NULL AS partial
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = to_regclass($1)
      GROUP BY i.indexrelid, i.indisunique, i.indisprimary, i.indpred`,
    [pg.escapeIdentifier(name)],
  );
  return rows;
}

/** The labels of the enum type a column uses: by schema and name (the database may hold a same-named type in another schema). */
async function enumLabels(column: Column): Promise<string[]> {
  const { rows } = await db.query<{ label: string }>(
    `SELECT e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typname = $1 AND n.nspname = $2 ORDER BY e.enumsortorder`,
    [column.udt_name, column.udt_schema],
  );
  return rows.map((row) => row.label);
}

interface Row {
  session_id: string;
  timestamp: unknown;
  timestamp_type: string;
  action: string;
  count: number;
  country_code: string;
  country_name: string;
  subdivision_name: string | null;
  city_name: string | null;
  cohort: number | null;
}

/** The rows of these visits, in a shape comparable to the events (whatever integer or enum types the table uses). */
async function rowsOf(sessionIds: string[]): Promise<Row[]> {
  const { rows } = await db.query<Row>(
    `SELECT session_id::text AS session_id, "timestamp", pg_typeof("timestamp")::text AS timestamp_type,
            action::text AS action, count::int AS count, country_code::text AS country_code,
            country_name::text AS country_name, subdivision_name::text AS subdivision_name,
            city_name::text AS city_name, cohort::int AS cohort
       FROM ${pg.escapeIdentifier(table)} WHERE session_id::text = ANY ($1::text[]) ORDER BY session_id, count`,
    [sessionIds],
  );
  return rows;
}

async function connectorsReading(topicName: string): Promise<string[]> {
  const reading: string[] = [];
  for (const name of await connect.listConnectors()) {
    const connectorConfig = await connect.getConnectorConfig(name);
    if (
      connectorConfig?.topics
        ?.split(',')
        .map((t) => t.trim())
        .includes(topicName)
    )
      reading.push(name);
  }
  return reading;
}

/** Why the connector or one of its tasks FAILED (first lines of the trace), or undefined while nothing failed. */
async function failure(name: string): Promise<string | undefined> {
  const status = await connect.getConnectorStatus(name);
  if (status?.connector.state === 'FAILED') return `connector FAILED: ${firstLines(status.connector.trace)}`;
  const failed = status?.tasks.find((task) => task.state === 'FAILED');
  return failed ? `task ${failed.id} FAILED: ${firstLines(failed.trace)}` : undefined;
}

function firstLines(trace: string | undefined): string {
  const lines = (trace ?? 'no trace').split('\n');
  // PostgreSQL's own words, when it refused the write ("ERROR: column … is of type …"), say the most.
  const postgresError = [...(trace ?? '').matchAll(/ERROR: [^\n]*?(?=\s+Call getNextException|\n|$)/g)].at(-1)?.[0];
  if (postgresError) return `PostgreSQL said: ${postgresError}`;
  // Otherwise the root cause is at the end of the chain of "Caused by:" lines.
  const causes = lines.filter((line) => line.startsWith('Caused by:')).slice(-1);
  return [lines[0], ...causes].join(' … ').slice(0, 600);
}

/**
 * What to fix, for the failures participants meet: PostgreSQL's or Connect's words, mapped to the setting or
 * column that causes them. Undefined when the failure is none of these (the caller's hint then applies).
 */
function explainFailure(failed: string): string | undefined {
  const known: [RegExp, string][] = [
    [
      /column "action" is of type \S+ but expression is of type character varying/,
      "action is an enum, and the sink sends a string: PostgreSQL casts it only when connection.url says stringtype=unspecified — withJdbcParameter(config.connect.postgresJdbcUrl, 'stringtype', 'unspecified') — README §2",
    ],
    [
      /no unique or exclusion constraint matching the ON CONFLICT/,
      "The upsert's key must be exactly the table's unique key: 'primary.key.fields': 'session_id,count' (README §2) with UNIQUE (session_id, count) in the table (README §1)",
    ],
    [
      /duplicate key value violates unique constraint/,
      "A redelivered record collided with its row: 'insert.mode': 'upsert' with 'primary.key.mode': 'record_value' and 'primary.key.fields': 'session_id,count' — README §2",
    ],
    [
      /postgres-as-this-machine-sees-it|6543|UnknownHost|Connection refused|connection attempt failed/i,
      "Connect could not reach PostgreSQL: 'connection.url' must be config.connect.postgresJdbcUrl — how Connect reaches the database (Connect may run elsewhere), not the address this machine uses — README §2",
    ],
    [
      new RegExp(`${topic}\\b(?!_)|does not exist|Could not find table`, 'i'),
      `The sink looked for a table that is not ${table}: set 'collection.name.format' to the table you are given (the default is the topic's name) — README §2`,
    ],
    [
      /invalid input syntax for type uuid|violates check constraint|null value in column|invalid input value for enum/,
      "PostgreSQL refused a record that decodes, and that stops the sink: errors.tolerance does not cover the sink's own write — validate before the sink with transforms: 'validate', 'transforms.validate.type': validateButtonPressTransform — README §2",
    ],
    [
      /replication factor/i,
      "Connect could not create the dead-letter topic: 'errors.deadletterqueue.topic.replication.factor': '-1' (the cluster's default) — README §2",
    ],
  ];
  return known.find(([pattern]) => pattern.test(failed))?.[1];
}

/**
 * Waits until `ready(rows)` holds for these visits' rows. Stops early when the connector fails: a FAILED
 * task does not recover by itself, and its trace says what went wrong.
 */
async function waitForRows(
  sessionIds: string[],
  ready: (rows: Row[]) => boolean,
  hint: string,
  failedHint = "The connector's task FAILED writing to PostgreSQL: the error below names the column or constraint — fix the table (README §1) or the configuration (README §2)",
): Promise<Row[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const failed = await failure(connectorName);
    assertWithHint(!failed, explainFailure(failed ?? '') ?? failedHint, failed);
    const rows = await rowsOf(sessionIds);
    if (ready(rows)) return rows;
    assertWithHint(Date.now() < deadline, hint, `after 60 s: ${rows.length} rows; connector ${connectorName}: ${await describeStatus()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function describeStatus(): Promise<string> {
  const status = await connect.getConnectorStatus(connectorName).catch(() => undefined);
  return status ? `${status.connector.state}, tasks ${status.tasks.map((task) => task.state).join(', ') || 'none'}` : 'not found';
}

const isText = (column: Column) => ['text', 'character varying'].includes(column.data_type);
const isInteger = (column: Column) => ['integer', 'bigint', 'smallint'].includes(column.data_type);
const sameMembers = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);

const memo = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

// The steps build on each other; each is done once, and a test further down that needs one runs it (again
// failing with its hint if it fails).

/** §1: the table, created twice (npm start runs it every time). */
const tableCreated = memo(async () => {
  await attempt(
    hints.table,
    // The database is shared: the enum type (or another table's objects) may exist already, from an earlier run.
    "createButtonPressesTable() failed — PostgreSQL's error below. It must work when its objects exist already (npm start runs it every time): CREATE TABLE IF NOT EXISTS, and CREATE TYPE inside DO $$ … EXCEPTION WHEN duplicate_object — README §1",
    () => createButtonPressesTable(db, table),
  );
  await withHint(
    'createButtonPressesTable() must work a second time (npm start runs it every time): CREATE TABLE IF NOT EXISTS, and an enum type created only if missing — README §1',
    () => createButtonPressesTable(db, table),
  );
  const columns = await columnsOf(table);
  assertWithHint(columns.size > 0, `${hints.table}: create the table under the name you are given (${table})`);
  return columns;
});

/**
 * §2–3: the connector, deployed as a participant does: a first version of the configuration, then the
 * edited one, then the edited one again (npm start deploys at every run).
 */
const deployed = memo(async () => {
  const sinkConfig = await attempt(hints.config, 'postgresSinkConfig() threw — its error below — README §2', () =>
    postgresSinkConfig(sinkInputs),
  );
  // The first version differs from the final one in a key that changes nothing the tests look at.
  const firstVersion = { ...sinkConfig, 'errors.log.include.messages': 'true' };
  const deploy = (connectorConfig: Record<string, string>) => deployPostgresSink(participantConnect, connectorName, connectorConfig);
  await attempt(hints.deploy, 'deployPostgresSink() failed — its error below — README §3', () => deploy(firstVersion)).catch(
    blameMissingCredentials,
  );
  await withHint(
    'Deploying again with an edited configuration must be fine: PUT /connectors/{name}/config creates the connector or replaces its configuration (POST /connectors refuses an existing name) — README §3',
    () => deploy(sinkConfig),
  ).catch(blameMissingCredentials);
  await withHint(
    'Deploying a second time must be fine: PUT /connectors/{name}/config creates the connector or updates it (POST /connectors refuses an existing name) — README §3',
    () => deploy(sinkConfig),
  ).catch(blameMissingCredentials);
  assertWithHint(
    requestsWithoutCredentials === 0,
    'Your request reached Connect without credentials and was refused (401), as a cloud Connect does: deploy with connect.putConnectorConfig(name, config) — the client sends the credentials; a fetch of your own does not — README §3',
    `${requestsWithoutCredentials} request(s) without an Authorization header`,
  );
  return sinkConfig;
});

function blameMissingCredentials(error: unknown): never {
  if (requestsWithoutCredentials > 0) {
    throw new HintError(
      'Your request reached Connect without credentials and was refused (401), as a cloud Connect does: deploy with connect.putConnectorConfig(name, config) — the client sends the credentials; a fetch of your own does not — README §3',
      error instanceof HintError ? (error.detail ?? error.hint) : String(error),
    );
  }
  throw error;
}

/** §4: the rows of the visits produced before the connector existed. */
const firstRows = memo(async () => {
  await tableCreated();
  await deployed();
  return waitForRows(
    sessionsOf(firstVisits),
    (rows) => rows.length >= firstVisits.length,
    `No rows (or not all) for the events produced before the connector started, in table ${table}: check 'topics', 'collection.name.format' (the table you are given) and the connection settings — README §2`,
  );
});

// ---------------------------------------------------------------------------------------------------------
describe('§1 the table', () => {
  it('is created, and creating it again is fine', async () => {
    await tableCreated();
  });

  it('"timestamp" is a timestamptz: a point in time, not text and not a number', async () => {
    const column = (await tableCreated()).get('timestamp');
    assertWithHint(
      column,
      'Add the column "timestamp" (quoted: it is also a type name) — README §1',
      `columns: ${[...(await tableCreated()).keys()].join(', ')}`,
    );
    assertWithHint(
      column.data_type === 'timestamp with time zone',
      'Make "timestamp" a timestamptz (timestamp with time zone). The seed repo stored text and then bigint and lost every date function; the Avro timestamp-millis arrives as a real timestamp — README §1',
      `"timestamp" is ${column.data_type}`,
    );
  });

  it('session_id is a uuid, action an enum of the three actions (or text), count and cohort integers, the place text', async () => {
    const columns = await tableCreated();
    const expectations: [name: string, ok: (column: Column) => boolean | Promise<boolean>, what: string][] = [
      ['session_id', (c) => c.data_type === 'uuid', 'uuid'],
      [
        'action',
        async (c) => (c.data_type === 'USER-DEFINED' ? sameMembers(await enumLabels(c), [...buttonActions]) : isText(c)),
        `an enum of ${buttonActions.join(', ')} — or text`,
      ],
      ['count', (c) => isInteger(c), 'integer'],
      ['country_code', isText, 'text'],
      ['country_name', isText, 'text'],
      ['subdivision_name', (c) => isText(c) && c.is_nullable === 'YES', 'text, nullable (the lookup may not know it)'],
      ['city_name', (c) => isText(c) && c.is_nullable === 'YES', 'text, nullable (the lookup may not know it)'],
      ['cohort', (c) => isInteger(c) && c.is_nullable === 'YES', 'integer, nullable (null = simulated visitor)'],
    ];
    for (const [name, ok, what] of expectations) {
      const column = columns.get(name);
      assertWithHint(
        column,
        `Add the column ${name} (${what}): one column per field of the event, same name — README §1`,
        `columns: ${[...columns.keys()].join(', ')}`,
      );
      assertWithHint(
        await ok(column),
        `Make ${name} ${what} — README §1`,
        `${name} is ${column.data_type} (${column.udt_name}), nullable: ${column.is_nullable}`,
      );
    }
  });

  it('has an identity primary key of its own, which the database fills in', async () => {
    const columns = await tableCreated();
    const primary = (await indexesOf(table)).find((index) => index.primary);
    assertWithHint(primary, 'Give the table a primary key: id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY — README §1');
    const column = primary.columns.length === 1 ? columns.get(primary.columns[0]!) : undefined;
    assertWithHint(
      column && (column.is_identity === 'YES' || column.column_default?.startsWith('nextval(')),
      "Make the primary key one identity column (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY): the sink writes only the event's fields, the database numbers the rows — README §1",
      `primary key: (${primary.columns.join(', ')})`,
    );
  });

  it('(session_id, count) is unique: the key the sink upserts on', async () => {
    await tableCreated();
    const indexes = await indexesOf(table);
    assertWithHint(
      indexes.some((index) => index.unique && !index.partial && sameMembers(index.columns, ['count', 'session_id'])),
      "Add UNIQUE (session_id, count) to the table: it is an event's identity, and the upsert (ON CONFLICT (session_id, count)) needs it — without it Kafka's redeliveries become duplicate rows — README §1",
      `unique indexes: ${
        indexes
          .filter((index) => index.unique)
          .map((index) => `(${index.columns.join(', ')})`)
          .join(', ') || 'none'
      }`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§2 the connector configuration', () => {
  it('is a Debezium JDBC sink of the given topic, without converters of its own', async () => {
    const sinkConfig = await attempt(hints.config, 'postgresSinkConfig() threw — its error below — README §2', () =>
      postgresSinkConfig(sinkInputs),
    );
    assertWithHint(
      sinkConfig['connector.class'] === 'io.debezium.connector.jdbc.JdbcSinkConnector',
      "Set 'connector.class' to the Debezium JDBC sink: io.debezium.connector.jdbc.JdbcSinkConnector — README §2",
      `got ${JSON.stringify(sinkConfig['connector.class'])}`,
    );
    assertWithHint(
      sinkConfig.topics === topic,
      "Set 'topics' to the topic you are given — README §2",
      `topics: ${JSON.stringify(sinkConfig.topics)}, expected ${topic}`,
    );
    const converters = Object.keys(sinkConfig).filter((key) => /(^|\.)(key|value)\.converter(\.|$)/.test(key));
    assertWithHint(
      converters.length === 0,
      'Leave the converters out: the Connect worker already reads keys as strings and values as Avro from the registry, on every stack — README §2',
      `found ${converters.join(', ')}`,
    );
  });

  it("connects with the URL Connect uses (config.connect.postgresJdbcUrl), keeping that URL's own parameters", async () => {
    const sinkConfig = await attempt(hints.config, 'postgresSinkConfig() threw — its error below — README §2', () =>
      postgresSinkConfig(sinkInputs),
    );
    const given = participantConfig.connect.postgresJdbcUrl;
    const url = sinkConfig['connection.url'] ?? '';
    const withoutQuery = (jdbcUrl: string) => jdbcUrl.split('?')[0];
    assertWithHint(
      withoutQuery(url) === withoutQuery(given),
      "Set 'connection.url' to config.connect.postgresJdbcUrl: how Connect reaches PostgreSQL. It is not the address this machine uses (config.postgres.host/port): Connect, running elsewhere, may reach it by another address — README §2",
      `connection.url ${JSON.stringify(url)}; config.connect.postgresJdbcUrl ${JSON.stringify(given)}`,
    );
    const parameters = jdbcParameters(url);
    const lost = [...jdbcParameters(given)].filter(([name, value]) => parameters.get(name) !== value);
    assertWithHint(
      lost.length === 0,
      "Keep the URL's own parameters (the cloud's URL carries ?sslmode=…) and add yours after an '&': withJdbcParameter(url, 'stringtype', 'unspecified') does it — README §2",
      `given ${given}, sent ${url}`,
    );
  });

  it('leaves the table to you: no schema evolution', async () => {
    const sinkConfig = await attempt(hints.config, 'postgresSinkConfig() threw — its error below — README §2', () =>
      postgresSinkConfig(sinkInputs),
    );
    // 'none' is also Debezium's default: leaving the key out is fine.
    const evolution = sinkConfig['schema.evolution'] ?? 'none';
    assertWithHint(
      evolution === 'none',
      "Set 'schema.evolution': 'none': the table is yours (README §1) — the sink must not create tables or add and alter columns",
      `schema.evolution: ${JSON.stringify(evolution)}`,
    );
  });

  it('writes the table it is given, not one named after the topic', async () => {
    await tableCreated();
    await deployed();
    const rows = await firstRows();
    assertWithHint(rows.length > 0, `${hints.config}: rows must land in ${table}`);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§3 deploying through the REST API', () => {
  it('deploys with the client it is given, credentials included (a cloud Connect refuses requests without them)', async () => {
    await deployed();
    assertWithHint(
      requestsWithoutCredentials === 0,
      'Deploy with connect.putConnectorConfig(name, config): it sends the credentials a cloud Connect asks for — README §3',
      `${requestsWithoutCredentials} request(s) without an Authorization header`,
    );
  });

  it('deploying twice leaves one connector, under the given name', async () => {
    await deployed();
    const reading = await connectorsReading(topic);
    assertWithHint(
      reading.length === 1 && reading[0] === connectorName,
      `Deploy under the name you are given (${connectorName}), with PUT /connectors/{name}/config: deploying twice must leave exactly one connector reading the topic — each extra one writes the same rows again — README §3`,
      `connectors reading ${topic}: ${JSON.stringify(reading)}`,
    );
  });

  it('an edited configuration replaces the one deployed before', async () => {
    const sinkConfig = await deployed();
    const deployedConfig = (await connect.getConnectorConfig(connectorName)) ?? {};
    // Connect adds the connector's name to its configuration.
    const keys = new Set([...Object.keys(sinkConfig), ...Object.keys(deployedConfig)].filter((key) => key !== 'name'));
    const differing = [...keys].filter((key) => deployedConfig[key] !== sinkConfig[key]);
    assertWithHint(
      differing.length === 0,
      "Deploying an edited configuration must apply it: PUT /connectors/{name}/config replaces the configuration of an existing connector — skipping the deploy when the connector exists (or ignoring POST's 409) keeps the old one — README §3",
      `the connector runs a configuration that differs from the last one deployed in: ${differing.join(', ')}`,
    );
  });

  it('the connector and its task are RUNNING', async () => {
    await deployed();
    const outcome = await pollUntil(
      async () => {
        const failed = await failure(connectorName);
        if (failed) return { failed };
        const status = await connect.getConnectorStatus(connectorName);
        if (!status) return { missing: `connectors: ${JSON.stringify(await connect.listConnectors())}` };
        const running =
          status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING');
        return running ? { status } : undefined;
      },
      {
        timeoutMs: 60_000,
        hint: `The connector did not reach RUNNING: GET ${config.connect.url}/connectors/${connectorName}/status shows why — README §3`,
      },
    );
    assertWithHint(
      !('missing' in outcome),
      `There is no connector named ${connectorName}: deploy under the name you are given — README §3`,
      'missing' in outcome ? outcome.missing : undefined,
    );
    assertWithHint(
      !('failed' in outcome),
      ('failed' in outcome && explainFailure(String(outcome.failed))) ||
        'The connector FAILED: the trace below names the setting or the column — fix it (README §1, §2) and run the tests again',
      'failed' in outcome ? outcome.failed : undefined,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§4 rows arrive', () => {
  it('every event becomes exactly one row, including events produced before the connector started', async () => {
    const rows = await firstRows();
    const keys = rows.map((row) => `${row.session_id}/${row.count}`);
    assertWithHint(
      new Set(keys).size === keys.length && keys.length === firstVisits.length,
      'Each event must be exactly one row: UNIQUE (session_id, count) in the table (README §1) and insert.mode upsert on those fields (README §2)',
      `${keys.length} rows for ${firstVisits.length} events`,
    );
  });

  it('"timestamp" is a timestamptz holding the event time to the millisecond', async () => {
    const rows = await firstRows();
    const byKey = new Map(firstVisits.map((event) => [`${event.session_id}/${event.count}`, event]));
    for (const row of rows) {
      const event = byKey.get(`${row.session_id}/${row.count}`)!;
      assertWithHint(
        row.timestamp_type === 'timestamp with time zone' && row.timestamp instanceof Date,
        'Store the time as timestamptz, not text or bigint: column "timestamp" timestamptz — README §1',
        `pg_typeof("timestamp") = ${row.timestamp_type}, value ${JSON.stringify(row.timestamp)}`,
      );
      assertWithHint(
        row.timestamp.toISOString() === event.timestamp,
        'The row\'s time must be the event\'s instant, to the millisecond: "timestamp" timestamptz with its full precision (not timestamptz(0), which rounds to the second) — README §1',
        `row ${row.timestamp.toISOString()}, event ${event.timestamp} (session ${row.session_id}, count ${row.count})`,
      );
    }
  });

  it("action, count, the place and cohort are the event's", async () => {
    const rows = await firstRows();
    const byKey = new Map(rows.map((row) => [`${row.session_id}/${row.count}`, row]));
    for (const event of firstVisits) {
      const row = byKey.get(`${event.session_id}/${event.count}`);
      const { timestamp: _time, ...expected } = event;
      await withHint("Each row must hold its event's values, one column per field, named as in the schema — README §1", () => {
        expect(row, `no row for session ${event.session_id}, count ${event.count}`).toBeDefined();
        const { timestamp: _rowTime, timestamp_type: _type, ...actual } = row!;
        expect(actual).toEqual(expected);
      });
    }
  });

  it('events produced while the connector runs arrive within seconds', async () => {
    await firstRows();
    const visits = seededSampleVisits({
      visits: 120,
      seed: 5050,
      start: new Date('2026-02-01T12:00:00.000Z'),
      newSessionId: uniqueSessionId,
    });
    const startedAt = Date.now();
    await produceAvroVisits(producer, registry, topic, visits);
    const rows = await waitForRows(
      sessionsOf(visits),
      (found) => found.length >= visits.length,
      'Not every new event became a row within 60 s — README §4',
    );
    const seconds = (Date.now() - startedAt) / 1000;
    console.info(
      `JDBC sink: ${rows.length} rows in ${seconds.toFixed(2)} s from the first produce to the last row visible (${Math.round(rows.length / seconds)} rows/s)`,
    );
    assertWithHint(
      rows.length === visits.length,
      'Each event must be exactly one row — README §1, §2',
      `${rows.length} rows for ${visits.length} events`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§5 redelivery is harmless', () => {
  it('re-sending the same records leaves one row per event; a corrected record updates its row', async () => {
    const before = await withHint('Rows must arrive first — see §4 above', async () => {
      const rows = await rowsOf(sessionsOf(firstVisits));
      expect(rows.length).toBe(firstVisits.length);
      return rows;
    });
    // Kafka delivers at least once: send every event again, exactly as before…
    await produceAvroVisits(producer, registry, topic, firstVisits);
    // …then a corrected copy of each visit's last event. Same key, same partition: once the corrections are
    // in the table, the exact copies before them have been processed too.
    const lastOfEachVisit = firstVisits.filter((event, i) => firstVisits[i + 1]?.session_id !== event.session_id);
    await produceAvroVisits(
      producer,
      registry,
      topic,
      lastOfEachVisit.map((event) => ({ ...event, city_name: 'Redelivered' })),
    );
    const upsert =
      "A redelivered record must update its row, not fail and not add one: 'insert.mode': 'upsert' with 'primary.key.mode': 'record_value' and 'primary.key.fields': 'session_id,count' — README §2";
    const rows = await waitForRows(
      sessionsOf(firstVisits),
      (found) => found.filter((row) => row.city_name === 'Redelivered').length >= lastOfEachVisit.length,
      upsert,
      upsert,
    );
    assertWithHint(
      rows.length === before.length,
      "Redelivered records added rows: upsert on the event's identity — 'insert.mode': 'upsert', 'primary.key.fields': 'session_id,count' (README §2), UNIQUE (session_id, count) (README §1)",
      `${before.length} rows before, ${rows.length} after sending the same ${firstVisits.length} events again`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§6 a bad record goes to the dead-letter topic', () => {
  const poisonKey = uniqueSessionId();
  const laterVisit = seededSampleVisits({
    visits: 1,
    seed: 5005,
    start: new Date('2026-03-01T08:00:00.000Z'),
    newSessionId: () => poisonKey,
  });

  /** Sends a message that is not Avro, then a good visit behind it in the same partition (same key). */
  const poisoned = memo(async () => {
    await withHint('Rows must arrive first — see §4 above', async () => {
      expect((await rowsOf(sessionsOf(firstVisits))).length).toBe(firstVisits.length);
    });
    await producer.send({ topic, messages: [{ key: poisonKey, value: Buffer.from('not avro') }] });
    await produceAvroVisits(producer, registry, topic, laterVisit);
  });

  it('a message that is not Avro lands in the dead-letter topic, with the reason in its headers', async () => {
    await poisoned();
    const outcome = await pollUntil(
      async () => {
        const failed = await failure(connectorName);
        if (failed) return { failed };
        // Asking for a missing topic's offsets makes kafkajs retry for seconds: look it up first.
        if (!(await admin.listTopics()).includes(deadLetterTopic)) return undefined;
        const offsets = await admin.fetchTopicOffsets(deadLetterTopic);
        return offsets.some((partition) => Number(partition.high) > 0) ? { ok: true } : undefined;
      },
      {
        timeoutMs: 60_000,
        hint: `Nothing arrived in the dead-letter topic ${deadLetterTopic}: set 'errors.tolerance': 'all' and 'errors.deadletterqueue.topic.name' to the topic you are given — README §2`,
      },
    );
    assertWithHint(
      !('failed' in outcome),
      ('failed' in outcome && explainFailure(String(outcome.failed))) ||
        "One bad record stopped the connector: tolerate it and send it to the dead-letter topic — 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name', 'errors.deadletterqueue.context.headers.enable': 'true' — README §2",
      'failed' in outcome ? outcome.failed : undefined,
    );
    const letter = await readDeadLetter(poisonKey);
    assertWithHint(
      letter.value === 'not avro',
      'The dead-letter topic must hold the bad record as it was — README §2',
      `value ${JSON.stringify(letter.value)}`,
    );
    const headerNames = Object.keys(letter.headers);
    assertWithHint(
      headerNames.includes('__connect.errors.exception.message') && headerNames.includes('__connect.errors.topic'),
      "Turn on the error context headers — 'errors.deadletterqueue.context.headers.enable': 'true' — so a dead letter says where it came from and why it failed — README §2",
      `headers: ${headerNames.join(', ') || 'none'}`,
    );
  });

  it('the connector keeps RUNNING and later good records still arrive', async () => {
    await poisoned();
    const skipIt =
      "The good records after the bad one did not arrive: the sink must skip the bad record ('errors.tolerance': 'all', with a dead-letter topic) and carry on — README §2";
    const rows = await waitForRows(sessionsOf(laterVisit), (found) => found.length >= laterVisit.length, skipIt, skipIt);
    assertWithHint(rows.length === laterVisit.length, 'Each event must be exactly one row — README §1, §2');
    const status = await connect.getConnectorStatus(connectorName);
    assertWithHint(
      status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING'),
      "The connector must stay RUNNING past a bad record: 'errors.tolerance': 'all' with a dead-letter topic — README §2",
      await describeStatus(),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('§7 a record PostgreSQL would refuse goes to the dead-letter topic too', () => {
  /**
   * Records that decode (real Avro, a schema the registry knows) and that the table still refuses — each with a key
   * of its own, which it shares with a good visit produced right behind it (same partition, so once that visit's
   * rows are in, the poison record before it has been dealt with).
   */
  const goodVisits = seededSampleVisits({
    visits: 3,
    seed: 50_505,
    start: new Date('2026-04-01T09:00:00.000Z'),
    newSessionId: uniqueSessionId,
  });
  const [first, second, third] = sessionsOf(goodVisits) as [string, string, string];
  const template = goodVisits[0]!;
  const poison = [
    {
      kind: 'a session_id that is not a UUID',
      key: first,
      reason: /session_id is not a UUID/,
      value: (schemaId: number) =>
        registry.encode(schemaId, { ...template, session_id: 'not-a-uuid', timestamp: new Date(template.timestamp) }),
    },
    {
      kind: 'a negative count',
      key: second,
      reason: /count is negative/,
      value: (schemaId: number) =>
        registry.encode(schemaId, { ...template, session_id: second, count: -1, timestamp: new Date(template.timestamp) }),
    },
    {
      kind: 'a record of another schema under the subject, without the table’s required fields',
      key: third,
      reason: /(timestamp|action|country_code|country_name) is missing/,
      value: async () => registry.encode(await registerOtherSchema(), { session_id: third, count: 7 }),
    },
  ];
  const produced = new Map<string, Buffer>();

  const poisoned = memo(async () => {
    await withHint('Rows must arrive first — see §4 above', async () => {
      expect((await rowsOf(sessionsOf(firstVisits))).length).toBe(firstVisits.length);
    });
    const schemaId = await registerButtonPressSchema(registry, topic);
    for (const record of poison) produced.set(record.key, await record.value(schemaId));
    await producer.send({ topic, messages: poison.map((record) => ({ key: record.key, value: produced.get(record.key)! })) });
    await produceAvroVisits(producer, registry, topic, goodVisits);
  });

  const validate =
    "A record that decodes but that PostgreSQL refuses stopped the sink: errors.tolerance does not cover the sink's own write — validate before the sink with transforms: 'validate', 'transforms.validate.type': validateButtonPressTransform — README §2";

  it('every good record around the poison is a row, and the connector keeps RUNNING', async () => {
    await firstRows();
    await poisoned();
    const rows = await waitForRows(sessionsOf(goodVisits), (found) => found.length >= goodVisits.length, validate, validate);
    assertWithHint(rows.length === goodVisits.length, 'Each event must be exactly one row — README §1, §2', `${rows.length} rows`);
    const status = await connect.getConnectorStatus(connectorName);
    assertWithHint(
      status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING'),
      validate,
      await describeStatus(),
    );
  });

  it('each poison record is in the dead-letter topic as it was sent, its headers naming the rule it broke', async () => {
    await firstRows();
    await poisoned();
    const letters = await readDeadLetters(
      poison.map((record) => record.key),
      validate,
    );
    for (const record of poison) {
      const letter = letters.get(record.key)!;
      assertWithHint(
        Buffer.compare(letter.value, produced.get(record.key)!) === 0,
        `The dead-letter topic must hold the bad record (${record.kind}) as it was sent — README §2`,
      );
      const header = (name: string) => letter.headers[name]?.toString() ?? '';
      assertWithHint(
        header('__connect.errors.stage') === 'TRANSFORMATION' && record.reason.test(header('__connect.errors.exception.message')),
        `The dead letter of ${record.kind} must say why in its headers (stage TRANSFORMATION, the rule it broke): the transform ${validateButtonPressTransform} with 'errors.deadletterqueue.context.headers.enable': 'true' — README §2`,
        `stage ${JSON.stringify(header('__connect.errors.stage'))}, message ${JSON.stringify(header('__connect.errors.exception.message'))}`,
      );
    }
  });
});

/**
 * Registers, under the test topic's subject, a second version of the event's schema that lacks most fields — a
 * registry accepts it (BACKWARD: a reader with fewer fields reads the old records), and the table cannot store it.
 */
async function registerOtherSchema(): Promise<number> {
  const schema = {
    type: 'record',
    name: 'ButtonPress',
    namespace: 'io.workshop.button',
    fields: [
      { name: 'session_id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'count', type: 'int' },
    ],
  };
  const response = await fetch(`${config.schemaRegistry.url}/subjects/${encodeURIComponent(`${topic}-value`)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...basicAuthHeaders(config.schemaRegistry.auth) },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok || body.id === undefined)
    throw new Error(`registering the other schema failed: ${response.status} ${body.message ?? ''}`);
  return body.id;
}

/** Reads the dead-letter topic from its start until a record for each of these keys turned up (value as bytes). */
async function readDeadLetters(keys: string[], hint: string): Promise<Map<string, { value: Buffer; headers: IHeaders }>> {
  const groupId = uniqueName('button_presses_sink_dlq_reader');
  deadLetterReaderGroups.push(groupId);
  const found = new Map<string, { value: Buffer; headers: IHeaders }>();
  await pollUntil(async () => ((await admin.listTopics()).includes(deadLetterTopic) || (await failure(connectorName)) ? true : undefined), {
    timeoutMs: 60_000,
    hint: `${hint} (no dead-letter topic ${deadLetterTopic} yet)`,
  });
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString('utf8') ?? '';
        if (keys.includes(key)) found.set(key, { value: message.value ?? Buffer.alloc(0), headers: message.headers ?? {} });
      },
    });
    const outcome = await pollUntil<{ failed: string } | { found: typeof found }>(
      async () => {
        const failed = await failure(connectorName);
        if (failed) return { failed };
        return keys.every((key) => found.has(key)) ? { found } : undefined;
      },
      { timeoutMs: 60_000, hint: `${hint} (in the dead-letter topic: ${found.size} of ${keys.length} bad records)` },
    );
    // A FAILED task never dead-letters the records behind the one that stopped it: say so now, not after the deadline.
    if ('failed' in outcome) throw new HintError(explainFailure(outcome.failed) ?? hint, outcome.failed);
    return outcome.found;
  } finally {
    await consumer.disconnect();
  }
}

/** Reads the dead-letter topic from its start until the record with this key turns up. */
async function readDeadLetter(key: string): Promise<{ value: string; headers: IHeaders }> {
  const groupId = uniqueName('button_presses_sink_dlq_reader');
  deadLetterReaderGroups.push(groupId);
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    let found: { value: string; headers: IHeaders } | undefined;
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString('utf8') === key) found = { value: message.value?.toString('utf8') ?? '', headers: message.headers ?? {} };
      },
    });
    return await pollUntil(() => found, {
      timeoutMs: 30_000,
      hint: `The bad record (key ${key}) is not in the dead-letter topic ${deadLetterTopic} — README §2`,
    });
  } finally {
    await consumer.disconnect();
  }
}
