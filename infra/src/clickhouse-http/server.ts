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
 *
 * Here: the server and its engine's life cycle. A request is read in request.ts and answered in response.ts;
 * engine.ts holds the parts of chDB it uses; limits.ts its defaults.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { Session } from 'chdb';
import { KitError } from '@workshop/shared';
import { authenticate, type ClickHouseHttpUser, refuseBrowserRequests, refuseForeignHost } from './access.js';
import { type ChdbNative, closeFilesystemOverlay, loadChdbNative, type NativeQueryResult, withoutFormatQueryScope } from './engine.js';
import { ClickHouseHttpError, messageOf } from './errors.js';
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
import { type ClickHouseHttpLimits, defaultLimits } from './limits.js';
import { type HttpQuery, parseHttpQuery, readBody, type Statement, toStatement } from './request.js';
import {
  compress,
  contentTypeOf,
  formatNamedIn,
  noRows,
  pickResponseEncoding,
  type QueryResult,
  sendFailure,
  summaryOf,
} from './response.js';
import { createScheduler } from './scheduler.js';

export type { ClickHouseHttpUser } from './access.js';
export { type ClickHouseHttpLimits, defaultLimits } from './limits.js';

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

export interface ClickHouseHttpServer {
  listen(): Promise<{ url: string; engineVersion: string }>;
  close(): Promise<void>;
}

/** Requests still open this long after close() are cut, so a stuck client cannot hold `stack:down`. */
const closeGraceMs = 5000;

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
