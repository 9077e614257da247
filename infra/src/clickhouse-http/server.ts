/**
 * ClickHouse's HTTP interface, served by the chDB engine.
 *
 * Why this exists: the native stack has no Docker, and Debian's clickhouse-server (18.16) predates
 * DateTime64, query parameters and toStartOfInterval, so no usable ClickHouse server can be installed
 * here. The npm package `chdb` embeds the current engine (26.x) in-process but has no server of its own.
 * This module puts just enough of the HTTP interface in front of it that `@clickhouse/client` (and curl)
 * work unchanged against http://127.0.0.1:8123 — participants write the same code as against a real
 * ClickHouse.
 *
 * Supported: GET /ping and GET / ("Ok."); POST / (and GET /?query=) with the SQL in the body and/or the
 * `query` parameter; `database`, `default_format`, `query_id`, `session_id`/`session_timeout`,
 * `param_<name>` and any engine setting as URL parameters; gzip/deflate/br request bodies; gzip/deflate/br
 * responses when `enable_http_compression=1`; errors as ClickHouse sends them (status, body,
 * X-ClickHouse-Exception-Code). Not supported: ClickHouse's own `compress`/`decompress` framing,
 * multipart parameters, cancelling a running query (max_execution_time stops it), streaming results
 * (each result is buffered before it is sent).
 *
 * Locked down like a ClickHouse server with a password, because any web page open on the laptop can send
 * requests to 127.0.0.1: users with passwords, browser requests and foreign Host headers refused
 * (access.ts); statements that reach files or the network refused, one statement per request (guard.ts);
 * a time limit per statement, several at once and a bounded line behind them (scheduler.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { Session } from 'chdb';
import { KitError } from '@workshop/shared';
import { authenticate, type ClickHouseHttpUser, refuseBrowserRequests, refuseForeignHost } from './access.js';
import { ClickHouseHttpError } from './errors.js';
import {
  checkInlineValues,
  checkSetting,
  checkSyntaxTree,
  settingsIn,
  sqlIdentifier,
  sqlString,
  type StatementPolicy,
  statementPolicy,
} from './guard.js';
import { createScheduler, type SchedulerLimits } from './scheduler.js';

export type { ClickHouseHttpUser } from './access.js';

export interface ClickHouseHttpServerOptions {
  /** Data directory of the engine; tables persist here across restarts. */
  dataPath: string;
  /** Created at start if missing (the kit's `workshop`). */
  database: string;
  /** Who may connect: at least one user with a password (the kit's is generated into .stack/secrets). */
  users: readonly ClickHouseHttpUser[];
  /** Default 127.0.0.1: never listen beyond this machine by accident. */
  host?: string;
  /** Default 8123; 0 picks a free port (tests). */
  port?: number;
  /** Defaults: see `defaultLimits`. */
  limits?: Partial<ClickHouseHttpLimits>;
}

export interface ClickHouseHttpLimits extends SchedulerLimits {
  /** The longest a statement runs (max_execution_time; a request may lower it, never raise it). */
  maxExecutionSeconds: number;
  /** A request body larger than this is refused (413): chDB receives each statement as one buffer. */
  maxRequestBodyBytes: number;
  /** Named sessions (`session_id`) open at once. */
  maxSessions: number;
}

/**
 * Sized for one participant's laptop: the sink's inserts, a test suite and a dashboard at once. Memory held by
 * waiting requests is at most (slots + queue) × maxRequestBodyBytes = 20 × 16 MiB; the sink's batches are KiBs.
 */
export const defaultLimits: ClickHouseHttpLimits = {
  slots: 4,
  queue: 16,
  queueWaitMs: 30_000,
  maxExecutionSeconds: 30,
  maxRequestBodyBytes: 16 * 1024 * 1024,
  maxSessions: 16,
};

export interface ClickHouseHttpServer {
  listen(): Promise<{ url: string; engineVersion: string }>;
  close(): Promise<void>;
}

/** ClickHouse's defaults for `session_timeout` and its ceiling (`max_session_timeout`), in seconds. */
const defaultSessionTimeoutSeconds = 60;
const maxSessionTimeoutSeconds = 3600;
/** Requests still open this long after close() are cut, so a stuck client cannot hold `stack:down`. */
const closeGraceMs = 5000;

/**
 * URL parameters the HTTP layer consumes; ClickHouse's HTTP handler treats these (and `param_*`) as
 * controls, and every other parameter as a setting.
 */
const controlParameters = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'user',
  'password',
  'quota_key',
  'role',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'stacktrace',
  'client_protocol_version',
]);

/**
 * chDB starts its connections like clickhouse-local; these settings make them behave like a server's.
 * implicit_select=1 would run a bare expression (`count()`) that a ClickHouse server rejects.
 */
const engineDefaults: Array<[string, string]> = [
  ['implicit_select', '0'],
  // A ClickHouse server quotes (U)Int64 in JSON formats by default; chDB does not. Match the server, so code
  // written against the native stack reads `count()` the same way on the docker and cloud stacks.
  ['output_format_json_quote_64bit_integers', '1'],
];

interface NamedSession {
  session: Session;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export function createClickHouseHttpServer(options: ClickHouseHttpServerOptions): ClickHouseHttpServer {
  const dataPath = resolvePath(options.dataPath);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8123;
  const limits: ClickHouseHttpLimits = { ...defaultLimits, ...options.limits };
  if (!options.users.some((user) => user.password !== '')) {
    // A bug in the caller (main.ts reads the generated password): never serve SQL without one.
    throw new Error('clickhouse-http needs at least one user with a password');
  }
  const scheduler = createScheduler(limits);
  // A connection carries the current database, SET settings and query parameters. HTTP requests are
  // stateless, so each request gets a fresh connection (about 1 ms); `session_id` keeps one instead.
  const namedSessions = new Map<string, NamedSession>();
  let engine: { chdb: typeof import('chdb'); native: ChdbNative; anchor: Session; policy: StatementPolicy } | undefined;
  let timezone = 'UTC';
  let server: Server | undefined;

  async function execute(user: ClickHouseHttpUser, request: HttpQuery, statement: Statement): Promise<QueryResult> {
    if (!engine) throw new ClickHouseHttpError(503, undefined, 'clickhouse-http is shutting down');
    const { chdb, native, policy } = engine;
    const sessionKey = request.sessionId === undefined ? undefined : `${user.name}\0${request.sessionId}`;
    const named = sessionKey === undefined ? undefined : openNamedSession(sessionKey, chdb);
    const session = named?.session ?? new chdb.Session(dataPath);
    try {
      const { connection } = session;
      const run = (sql: string, format = 'TabSeparatedRaw', params?: Record<string, string>) =>
        native.QueryAsyncConnection(connection, sql, format, params);
      // Nothing from the URL reaches SQL text unquoted: the database is a quoted identifier, setting names are
      // plain identifiers (checked when parsed) and their values quoted strings.
      await run(`USE ${sqlIdentifier(request.database)}`);
      // Like ClickHouse: a GET (and a reader on any method) runs with readonly=2, set before the request's own
      // settings so the engine itself refuses `readonly=0` ("Cannot modify 'readonly' setting in readonly mode").
      if (request.method === 'GET' || user.readonly) await run('SET readonly = 2');
      if (request.settings.length > 0) {
        await run(`SET ${request.settings.map(([name, value]) => `${name} = ${sqlString(value)}`).join(', ')}`);
      }
      const params = Object.keys(request.params).length > 0 ? request.params : undefined;
      await checkStatement(run, statement, policy, params);
      if (statement.kind === 'insert') {
        // The rows go to the engine as bytes, zero-copy, parsed by its own (parallel) input format.
        const written = await native.InsertRawAsyncConnection(connection, statement.prefix, statement.data, false);
        const { rowsWritten, bytesWritten, elapsed } = written;
        return { ...noRows, body: Buffer.alloc(0), rowsWritten, bytesWritten, elapsed };
      }
      const result = await native.QueryAsyncConnection(connection, statement.sql, request.format, params);
      const { rowsRead, bytesRead, elapsed } = result;
      return { ...noRows, body: Buffer.from(result.bytes), rowsRead, bytesRead, elapsed };
    } finally {
      if (named && sessionKey !== undefined) releaseNamedSession(sessionKey, named, request.sessionTimeoutSeconds);
      else session.close();
    }
  }

  /** Asks the engine's parser what the statement is, and refuses what reaches outside the database (guard.ts). */
  async function checkStatement(
    run: (sql: string, format?: string, params?: Record<string, string>) => Promise<NativeQueryResult>,
    statement: Statement,
    policy: StatementPolicy,
    params: Record<string, string> | undefined,
  ): Promise<void> {
    const text = statement.kind === 'insert' ? statement.prefix : statement.sql;
    let formatted: string;
    try {
      // One statement, formatted by the engine: several (`CREATE …; CREATE …`) fail here with ClickHouse's
      // own "Multi-statements are not allowed", as on a ClickHouse server.
      formatted = Buffer.from((await run(`SELECT formatQuery(${sqlString(text)})`, 'RawBLOB')).bytes).toString('utf8');
    } catch (error) {
      throw new Error(withoutFormatQueryScope(messageOf(error)), { cause: error });
    }
    for (const [name, value] of settingsIn(formatted)) checkSetting(name, value, limits.maxExecutionSeconds);
    // With the request's parameters: the engine substitutes {name:Type} before it explains.
    const explain = Buffer.from((await run(`EXPLAIN AST ${formatted}`, 'TabSeparatedRaw', params)).bytes).toString('utf8');
    checkSyntaxTree(explain, policy);
    if (/\bFORMAT\s+Values\s*$/i.test(formatted)) {
      const inline =
        statement.kind === 'insert' ? statement.data.toString('utf8') : statement.sql.slice(/\bVALUES\b/i.exec(statement.sql)?.index ?? 0);
      checkInlineValues(inline, policy.deniedFunctions);
    }
  }

  function openNamedSession(key: string, chdb: typeof import('chdb')): NamedSession {
    const existing = namedSessions.get(key);
    if (existing?.busy) {
      throw new ClickHouseHttpError(
        409,
        373,
        `Code: 373. DB::Exception: Session ${key.split('\0')[1]} is locked by a concurrent client. (SESSION_IS_LOCKED)`,
      );
    }
    if (existing) {
      if (existing.timer) clearTimeout(existing.timer);
      existing.busy = true;
      return existing;
    }
    if (namedSessions.size >= limits.maxSessions) {
      throw new ClickHouseHttpError(
        503,
        202,
        `Code: 202. DB::Exception: Too many sessions open: ${limits.maxSessions}; close one (close_session=1) or let it time out. (TOO_MANY_SIMULTANEOUS_QUERIES)`,
      );
    }
    const created: NamedSession = { session: new chdb.Session(dataPath), busy: true };
    namedSessions.set(key, created);
    return created;
  }

  function releaseNamedSession(key: string, named: NamedSession, timeoutSeconds: number): void {
    named.busy = false;
    // Only an idle session is ever closed: a connection must never be closed while a statement runs on it.
    named.timer = setTimeout(() => {
      if (named.busy || namedSessions.get(key) !== named) return;
      namedSessions.delete(key);
      named.session.close();
    }, timeoutSeconds * 1000);
    named.timer.unref();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    refuseBrowserRequests(req);
    refuseForeignHost(req, host);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'POST') {
      throw new ClickHouseHttpError(405, undefined, `method ${req.method} is not supported: use GET or POST`);
    }
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      throw new ClickHouseHttpError(404, undefined, `nothing at ${url.pathname}: ClickHouse's HTTP interface is at / (and /ping)`);
    }
    const user = authenticate(req, url.searchParams, options.users);
    const request = parseHttpQuery(url.searchParams, req, limits);
    // Admitted before the body is read, so a full line costs no memory: 503 straight away.
    const ticket = scheduler.admit();
    let statement: Statement;
    try {
      const body = req.method === 'POST' ? await readBody(req, limits.maxRequestBodyBytes) : Buffer.alloc(0);
      statement = toStatement(request, body);
    } catch (error) {
      ticket.release();
      throw error;
    }
    res.setHeader('X-ClickHouse-Query-Id', request.queryId);
    const parameterized = Object.keys(request.params).length > 0;
    const result = await scheduler.run(
      ticket,
      async () => {
        // The client gave up while this request waited its turn: don't run a statement nobody will see.
        if (res.destroyed) throw new ClickHouseHttpError(499, undefined, 'client closed the request');
        return execute(user, request, statement);
      },
      { parameterized },
    );
    const format = statement.kind === 'query' ? (formatNamedIn(statement.sql) ?? request.format) : undefined;
    const encoding = request.compressResponse ? pickResponseEncoding(req.headers['accept-encoding']) : undefined;
    const payload = encoding ? await compress[encoding](result.body) : result.body;
    res.writeHead(200, {
      'Content-Type': contentTypeOf(format),
      'Content-Length': payload.length,
      'X-ClickHouse-Summary': JSON.stringify(summaryOf(result)),
      'X-ClickHouse-Timezone': timezone,
      ...(format ? { 'X-ClickHouse-Format': format } : {}),
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
    });
    res.end(payload);
  }

  return {
    async listen() {
      if (server) throw new Error('clickhouse-http is already listening'); // a bug in the caller: one listen per server
      mkdirSync(dataPath, { recursive: true });
      // Loaded here, not at import: the engine library alone takes ~200 MB of memory.
      const chdb = await import('chdb');
      const native = loadChdbNative();
      let anchor: Session;
      try {
        // Held for the server's lifetime so the engine stays bound to dataPath between requests (one data
        // directory per process); request connections are opened next to it on the same path.
        anchor = new chdb.Session(dataPath);
      } catch (error) {
        throw new KitError(
          `chDB could not open its data directory ${dataPath}: ${messageOf(error)} — ` +
            'is another clickhouse-http (the stack) already running on it? (npm run stack:status)',
          { hint: 'one process per data directory: stop the other one, or give this one another --data', cause: error },
        );
      }
      try {
        const run = async (sql: string) =>
          Buffer.from((await native.QueryAsyncConnection(anchor.connection, sql, 'TabSeparatedRaw')).bytes).toString('utf8');
        await closeFilesystemOverlay(run);
        await run(`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(options.database)}`);
        const [engineVersion = 'unknown', engineTimezone] = (await run('SELECT version(), timezone()')).trim().split('\t');
        timezone = engineTimezone ?? timezone;
        const names = async (table: string) => (await run(`SELECT name FROM system.${table}`)).trim().split('\n');
        const policy = statementPolicy({
          tableFunctions: await names('table_functions'),
          engines: [...(await names('table_engines')), ...(await names('database_engines'))],
        });
        engine = { chdb, native, anchor, policy };
        const listening = createServer((req, res) => {
          handle(req, res).catch((error: unknown) => sendFailure(res, error));
        });
        await new Promise<void>((resolve, reject) => {
          listening.once('error', reject);
          listening.listen(port, host, () => {
            listening.off('error', reject);
            resolve();
          });
        }).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
            throw new KitError(`cannot listen on ${host}:${port}: ${messageOf(error)}`, {
              hint: 'choose another --host or --port',
              cause: error,
            });
          }
          throw new KitError(
            `port ${port} on ${host} is already in use — is ClickHouse (or the stack) already running? ` + '(npm run stack:status)',
            { hint: `ss -ltnp 'sport = :${port}' names the process that has it; or choose another --port`, cause: error },
          );
        });
        server = listening;
        const { port: boundPort } = listening.address() as AddressInfo;
        return { url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`, engineVersion };
      } catch (error) {
        engine = undefined;
        anchor.close();
        throw error;
      }
    },

    async close() {
      const listening = server;
      server = undefined;
      if (!listening || !engine) return;
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      listening.closeIdleConnections();
      const cut = setTimeout(() => listening.closeAllConnections(), closeGraceMs);
      await scheduler.drained();
      listening.closeIdleConnections(); // connections that finished their last request meanwhile
      await closed;
      clearTimeout(cut);
      for (const { session, timer } of namedSessions.values()) {
        clearTimeout(timer);
        session.close();
      }
      namedSessions.clear();
      engine.anchor.close();
      engine = undefined;
    },
  };
}

/**
 * clickhouse-local (chDB) opens `default` as an Overlay of an Atomic database and the filesystem: there,
 * `SELECT * FROM \`/etc/passwd\`` reads the file. Reattaching the Atomic database alone, under its own UUID,
 * keeps every table of `default` and drops the filesystem part (chDB makes the overlay again at each start).
 */
async function closeFilesystemOverlay(run: (sql: string) => Promise<string>): Promise<void> {
  const [engineName, uuid] = (await run("SELECT engine, uuid FROM system.databases WHERE name = 'default'")).trim().split('\t');
  if (engineName !== 'Overlay' || !uuid) return;
  await run('DETACH DATABASE default');
  await run(`ATTACH DATABASE default UUID ${sqlString(uuid)} ENGINE = Atomic`);
}

/** The engine's message about SELECT formatQuery('<the statement>'), as if the statement itself had been run. */
function withoutFormatQueryScope(message: string): string {
  const cut = message.indexOf(': In scope SELECT formatQuery(');
  if (cut < 0) return message;
  const type = /\(([A-Z][A-Z0-9_]+)\)[^()]*$/.exec(message)?.[1];
  return `${message.slice(0, cut).trimEnd()}${type ? ` . (${type})` : ''}`;
}

// ---- the parts of chDB this server uses -------------------------------------------------------------

interface NativeQueryResult {
  bytes: Uint8Array;
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

interface NativeInsertResult {
  elapsed: number;
  rowsWritten: number;
  bytesWritten: number;
}

interface ChdbNative {
  /** `params` are `{name:Type}` values in ClickHouse's text form, exactly as HTTP's `param_<name>`. */
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params?: Record<string, string>): Promise<NativeQueryResult>;
  /** Runs `prefix` (an INSERT … FORMAT x) with `data` as its rows. */
  InsertRawAsyncConnection(connection: unknown, prefix: string, data: Buffer, countLines: boolean): Promise<NativeInsertResult>;
}

/**
 * chDB's native binding, below its public API, for two reasons. Query parameters arrive over HTTP already
 * in ClickHouse's text form (`param_s=a\'b`), and the public `queryBind` formats JS values itself — it
 * would escape them a second time and corrupt any value with a backslash or quote. And the raw insert
 * hands the request body to the engine as bytes, with the rows-written count for X-ClickHouse-Summary.
 * Written against chdb 3.4.0 (pinned in infra/package.json).
 */
function loadChdbNative(): ChdbNative {
  const chdbEntry = createRequire(import.meta.url).resolve('chdb');
  const loader = createRequire(chdbEntry)('./dist/loader.js') as { loadNative?: () => Partial<ChdbNative> };
  const native = loader.loadNative?.();
  if (typeof native?.QueryAsyncConnection !== 'function' || typeof native.InsertRawAsyncConnection !== 'function') {
    throw new KitError(`the installed chdb (${chdbEntry}) lacks the native calls this server was written for (chdb 3.4.0)`, {
      hint: 'pin chdb to 3.4.0 in infra/package.json (then npm install), or update infra/src/clickhouse-http/server.ts',
    });
  }
  return native as ChdbNative;
}

// ---- requests ----------------------------------------------------------------------------------------

interface HttpQuery {
  /** A GET runs read-only, as on ClickHouse. */
  method: 'GET' | 'POST';
  /** The `query` URL parameter: all of the SQL, or its start (an INSERT whose rows are the body). */
  urlQuery: string;
  database: string;
  /** Output format when the SQL names none (`default_format`; ClickHouse's default is TabSeparated). */
  format: string;
  queryId: string;
  sessionId?: string;
  sessionTimeoutSeconds: number;
  settings: Array<[name: string, value: string]>;
  params: Record<string, string>;
  compressResponse: boolean;
}

type Statement = { kind: 'query'; sql: string } | { kind: 'insert'; prefix: string; data: Buffer };

const noRows = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };

interface QueryResult {
  body: Buffer;
  rowsRead: number;
  bytesRead: number;
  rowsWritten: number;
  bytesWritten: number;
  elapsed: number;
}

function parseHttpQuery(search: URLSearchParams, req: IncomingMessage, limits: ClickHouseHttpLimits): HttpQuery {
  if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    throw new ClickHouseHttpError(
      400,
      undefined,
      'multipart/form-data (use_multipart_params) is not supported here: ' + "send query parameters in the URL (the client's default)",
    );
  }
  for (const native of ['compress', 'decompress']) {
    if (search.get(native) === '1') {
      throw new ClickHouseHttpError(
        400,
        undefined,
        `${native}=1 (ClickHouse's own compressed framing) is not supported here: ` +
          'use Content-Encoding and enable_http_compression=1 (gzip) instead',
      );
    }
  }
  // The time limit is a default the request may lower (checkSetting refuses raising it), as in a settings profile.
  const settings = new Map<string, string>([...engineDefaults, ['max_execution_time', String(limits.maxExecutionSeconds)]]);
  const params: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key.startsWith('param_')) params[key.slice('param_'.length)] = value;
    else if (!controlParameters.has(key)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new ClickHouseHttpError(400, undefined, `unknown URL parameter ${JSON.stringify(key)}: not a setting name`);
      }
      checkSetting(key, value, limits.maxExecutionSeconds);
      settings.set(key, value);
    }
  }
  // Last, so the settings before it are still allowed (`readonly=1` forbids any later SET).
  const readonly = settings.get('readonly');
  if (readonly !== undefined) {
    settings.delete('readonly');
    settings.set('readonly', readonly);
  }
  const timeout = Number(search.get('session_timeout') ?? defaultSessionTimeoutSeconds);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > maxSessionTimeoutSeconds) {
    throw new ClickHouseHttpError(
      400,
      undefined,
      `session_timeout must be a whole number of seconds from 1 to ${maxSessionTimeoutSeconds}`,
    );
  }
  return {
    method: req.method === 'GET' ? 'GET' : 'POST',
    urlQuery: search.get('query') ?? '',
    database: search.get('database') || 'default',
    format: search.get('default_format') || 'TabSeparated',
    queryId: search.get('query_id') || randomUUID(),
    sessionId: search.get('session_id') || undefined,
    sessionTimeoutSeconds: timeout,
    settings: [...settings],
    params,
    compressResponse: search.get('enable_http_compression') === '1',
  };
}

/** ClickHouse runs `query` + "\n" + body; an INSERT's body is its rows, which go to the engine as bytes. */
function toStatement(request: HttpQuery, body: Buffer): Statement {
  const { urlQuery } = request;
  if (urlQuery && body.length > 0 && /^\s*INSERT\b/i.test(urlQuery) && Object.keys(request.params).length === 0) {
    return { kind: 'insert', prefix: urlQuery, data: body };
  }
  const sql = [urlQuery, body.toString('utf8')].filter((part) => part.length > 0).join('\n');
  if (sql.trim() === '') throw new ClickHouseHttpError(400, 62, 'Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)');
  // chDB takes SQL text as a C string: it would silently run only what comes before a NUL byte.
  if (sql.includes('\0')) {
    throw new ClickHouseHttpError(
      400,
      undefined,
      'the statement contains a NUL byte, which chDB cannot take in SQL text ' +
        '(was the body compressed without a Content-Encoding header?)',
    );
  }
  return { kind: 'query', sql };
}

async function readBody(req: IncomingMessage, maxRequestBodyBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decompressors: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | undefined> = {
    gzip: zlib.createGunzip,
    'x-gzip': zlib.createGunzip,
    deflate: zlib.createInflate,
    br: zlib.createBrotliDecompress,
  };
  const decompressor = encoding === 'identity' ? undefined : decompressors[encoding];
  if (encoding !== 'identity' && !decompressor) {
    throw new ClickHouseHttpError(415, undefined, `Content-Encoding ${encoding} is not supported here: use gzip, deflate, br or none`);
  }
  const source: Readable = decompressor ? pipeline(req, decompressor(), () => {}) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxRequestBodyBytes) {
        throw new ClickHouseHttpError(
          413,
          229,
          `Code: 229. DB::Exception: request body over ${maxRequestBodyBytes / 2 ** 20} MiB: insert in smaller batches. (QUERY_IS_TOO_LARGE)`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ClickHouseHttpError || !decompressor) throw error;
    throw new ClickHouseHttpError(400, undefined, `request body is not valid ${encoding}: ${messageOf(error)}`);
  }
  return Buffer.concat(chunks);
}

// ---- responses ---------------------------------------------------------------------------------------

function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { status, message, exceptionCode } = error instanceof ClickHouseHttpError ? error : engineFailure(messageOf(error));
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    ...(exceptionCode ? { 'X-ClickHouse-Exception-Code': exceptionCode } : {}),
  });
  res.end(`${message}\n`);
}

/** ClickHouse's exceptionCodeToHTTPStatus (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), by exception name. */
const statusByType: Array<[number, RegExp]> = [
  [401, /^REQUIRED_PASSWORD$/],
  [403, /^(UNKNOWN_USER|WRONG_PASSWORD|AUTHENTICATION_FAILED|SET_NON_GRANTED_ROLE|ACCESS_DENIED)$/],
  [
    400,
    /^(BAD_ARGUMENTS|CANNOT_COMPILE_REGEXP|CANNOT_PARSE_.*|DUPLICATE_COLUMN|ILLEGAL_COLUMN|UNKNOWN_ELEMENT_IN_AST|UNKNOWN_TYPE_OF_AST_NODE|THERE_IS_NO_COLUMN|TOO_DEEP_AST|TOO_BIG_AST|UNEXPECTED_AST_STRUCTURE|SYNTAX_ERROR|INCORRECT_DATA|TYPE_MISMATCH|VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE)$/,
  ],
  [
    404,
    /^(UNKNOWN_TABLE|UNKNOWN_FUNCTION|UNKNOWN_IDENTIFIER|UNKNOWN_TYPE|UNKNOWN_STORAGE|UNKNOWN_DATABASE|UNKNOWN_SETTING|UNKNOWN_DIRECTION_OF_SORTING|UNKNOWN_AGGREGATE_FUNCTION|UNKNOWN_FORMAT|UNKNOWN_DATABASE_ENGINE|UNKNOWN_TYPE_OF_QUERY|UNKNOWN_ROLE)$/,
  ],
  [413, /^QUERY_IS_TOO_LARGE$/],
  [501, /^NOT_IMPLEMENTED$/],
  [503, /^(SOCKET_TIMEOUT|CANNOT_OPEN_FILE|CANNOT_SCHEDULE_TASK)$/],
  [408, /^TIMEOUT_EXCEEDED$/],
];

/** The engine's message as ClickHouse sends it, with ClickHouse's choice of HTTP status. */
function engineFailure(message: string): { status: number; message: string; exceptionCode?: string } {
  const match = /Code: (\d+)\.[\s\S]*?\(([A-Z][A-Z0-9_]+)\)/.exec(message);
  if (!match) return { status: 500, message };
  const [, code, type = ''] = match;
  const status = statusByType.find(([, pattern]) => pattern.test(type))?.[0] ?? 500;
  return { status, message, exceptionCode: code };
}

function summaryOf(result: QueryResult): Record<string, string> {
  return {
    read_rows: String(result.rowsRead),
    read_bytes: String(result.bytesRead),
    written_rows: String(result.rowsWritten),
    written_bytes: String(result.bytesWritten),
    total_rows_to_read: String(result.rowsRead),
    result_rows: '0', // chDB does not report it; the client only passes the summary through
    result_bytes: String(result.body.length),
    elapsed_ns: String(Math.round(result.elapsed * 1e9)),
  };
}

/** Best effort, for the headers only: the client appends "FORMAT <name>" as the last clause. */
function formatNamedIn(sql: string): string | undefined {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql)?.[1];
}

function contentTypeOf(format: string | undefined): string {
  if (!format) return 'text/plain; charset=UTF-8';
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8';
  if (/^(Native|RowBinary|Parquet|Arrow|ORC|Avro)/i.test(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

type ResponseEncoding = 'gzip' | 'deflate' | 'br';

const compress: Record<ResponseEncoding, (data: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gzip),
  deflate: promisify(zlib.deflate),
  br: promisify(zlib.brotliCompress),
};

function pickResponseEncoding(acceptEncoding: string | undefined): ResponseEncoding | undefined {
  const accepted = (acceptEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.split(';')[0]!.trim());
  return (['gzip', 'deflate', 'br'] as const).find((encoding) => accepted.includes(encoding));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
