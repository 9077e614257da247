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
 * multipart parameters, users and passwords (ignored; bind to localhost), cancelling a running query,
 * streaming results (each result is buffered before it is sent).
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

export interface ClickHouseHttpServerOptions {
  /** Data directory of the engine; tables persist here across restarts. */
  dataPath: string;
  /** Created at start if missing (the kit's `workshop`). */
  database: string;
  /** Default 127.0.0.1: there are no users or passwords, so never listen beyond this machine by accident. */
  host?: string;
  /** Default 8123; 0 picks a free port (tests). */
  port?: number;
}

export interface ClickHouseHttpServer {
  listen(): Promise<{ url: string; engineVersion: string }>;
  close(): Promise<void>;
}

/** A request body larger than this is refused (413): chDB receives each statement as one buffer. */
const maxRequestBodyBytes = 256 * 1024 * 1024;
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
  'query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check',
  'close_session', 'user', 'password', 'quota_key', 'role', 'compress', 'decompress', 'buffer_size',
  'wait_end_of_query', 'stacktrace', 'client_protocol_version',
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

export function createClickHouseHttpServer(options: ClickHouseHttpServerOptions): ClickHouseHttpServer {
  const dataPath = resolvePath(options.dataPath);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8123;
  const queue = createSerialQueue();
  // A connection carries the current database, SET settings and query parameters. HTTP requests are
  // stateless, so each request gets a fresh connection (about 1 ms); `session_id` keeps one instead.
  const namedSessions = new Map<string, { session: Session; timer?: NodeJS.Timeout }>();
  let engine: { chdb: typeof import('chdb'); native: ChdbNative; anchor: Session } | undefined;
  let timezone = 'UTC';
  let server: Server | undefined;

  async function execute(request: HttpQuery, statement: Statement): Promise<QueryResult> {
    if (!engine) throw new HttpError(503, 'clickhouse-http is shutting down');
    const { chdb, native } = engine;
    const named = request.sessionId === undefined ? undefined : namedSessions.get(request.sessionId);
    if (named?.timer) clearTimeout(named.timer);
    const session = named?.session ?? new chdb.Session(dataPath);
    try {
      // Database and settings are bound by the engine, like query parameters: nothing from the URL is
      // pasted into SQL text except setting names, which are checked to be plain identifiers.
      const { connection } = session;
      await native.QueryAsyncConnection(connection, 'USE {db:Identifier}', 'TabSeparated', { db: request.database });
      if (request.settings.length > 0) {
        const assignments = request.settings.map(([name], i) => `${name} = {s${i}:String}`).join(', ');
        const values = Object.fromEntries(request.settings.map(([, value], i) => [`s${i}`, value]));
        await native.QueryAsyncConnection(connection, `SET ${assignments}`, 'TabSeparated', values);
      }
      if (statement.kind === 'insert') {
        // The rows go to the engine as bytes, zero-copy, parsed by its own (parallel) input format.
        const written = await native.InsertRawAsyncConnection(connection, statement.prefix, statement.data, false);
        const { rowsWritten, bytesWritten, elapsed } = written;
        return { ...noRows, body: Buffer.alloc(0), rowsWritten, bytesWritten, elapsed };
      }
      const params = Object.keys(request.params).length > 0 ? request.params : undefined;
      const result = await native.QueryAsyncConnection(connection, statement.sql, request.format, params);
      const { rowsRead, bytesRead, elapsed } = result;
      return { ...noRows, body: Buffer.from(result.bytes), rowsRead, bytesRead, elapsed };
    } finally {
      if (request.sessionId === undefined) session.close();
      else keepNamedSession(request.sessionId, session, request.sessionTimeoutSeconds);
    }
  }

  function keepNamedSession(id: string, session: Session, timeoutSeconds: number): void {
    const timer = setTimeout(() => {
      // Through the queue: a connection must never be closed while a query runs on it.
      void queue.run(async () => {
        if (namedSessions.get(id)?.timer !== timer) return; // used again since; its own timer decides
        namedSessions.delete(id);
        session.close();
      });
    }, timeoutSeconds * 1000);
    timer.unref();
    namedSessions.set(id, { session, timer });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'POST') {
      throw new HttpError(405, `method ${req.method} is not supported: use GET or POST`);
    }
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      throw new HttpError(404, `nothing at ${url.pathname}: ClickHouse's HTTP interface is at / (and /ping)`);
    }
    const request = parseHttpQuery(url.searchParams, req);
    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    const statement = toStatement(request, body);
    res.setHeader('X-ClickHouse-Query-Id', request.queryId);
    const result = await queue.run(async () => {
      // The client gave up while this request waited its turn: don't run a statement nobody will see.
      if (res.destroyed) throw new HttpError(499, 'client closed the request');
      return execute(request, statement);
    });
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
        const create = 'CREATE DATABASE IF NOT EXISTS {db:Identifier}';
        await native.QueryAsyncConnection(anchor.connection, create, 'TabSeparated', { db: options.database });
        const about = 'SELECT version(), timezone()';
        const info = await native.QueryAsyncConnection(anchor.connection, about, 'TabSeparated');
        const [engineVersion = 'unknown', engineTimezone] = Buffer.from(info.bytes).toString().trim().split('\t');
        timezone = engineTimezone ?? timezone;
        engine = { chdb, native, anchor };
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
            throw new KitError(`cannot listen on ${host}:${port}: ${messageOf(error)}`, { hint: 'choose another --host or --port', cause: error });
          }
          throw new KitError(
            `port ${port} on ${host} is already in use — is ClickHouse (or the stack) already running? ` +
              '(npm run stack:status)',
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
      await queue.drained();
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
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params?: Record<string, string>,
  ): Promise<NativeQueryResult>;
  /** Runs `prefix` (an INSERT … FORMAT x) with `data` as its rows. */
  InsertRawAsyncConnection(
    connection: unknown,
    prefix: string,
    data: Buffer,
    countLines: boolean,
  ): Promise<NativeInsertResult>;
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

function parseHttpQuery(search: URLSearchParams, req: IncomingMessage): HttpQuery {
  if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    throw new HttpError(
      400,
      'multipart/form-data (use_multipart_params) is not supported here: ' +
        "send query parameters in the URL (the client's default)",
    );
  }
  for (const native of ['compress', 'decompress']) {
    if (search.get(native) === '1') {
      throw new HttpError(
        400,
        `${native}=1 (ClickHouse's own compressed framing) is not supported here: ` +
          'use Content-Encoding and enable_http_compression=1 (gzip) instead',
      );
    }
  }
  const settings = new Map<string, string>(engineDefaults);
  const params: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key.startsWith('param_')) params[key.slice('param_'.length)] = value;
    else if (!controlParameters.has(key)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new HttpError(400, `unknown URL parameter ${JSON.stringify(key)}: not a setting name`);
      }
      settings.set(key, value);
    }
  }
  // Like ClickHouse: a GET may read but not change data (readonly=2 still allows settings).
  if (req.method === 'GET' && !settings.has('readonly')) settings.set('readonly', '2');
  const timeout = Number(search.get('session_timeout') ?? defaultSessionTimeoutSeconds);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > maxSessionTimeoutSeconds) {
    throw new HttpError(400, `session_timeout must be a whole number of seconds from 1 to ${maxSessionTimeoutSeconds}`);
  }
  return {
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
  if (sql.trim() === '') throw new HttpError(400, 'Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)', '62');
  // chDB takes SQL text as a C string: it would silently run only what comes before a NUL byte.
  if (sql.includes('\0')) {
    throw new HttpError(
      400,
      'the statement contains a NUL byte, which chDB cannot take in SQL text ' +
        '(was the body compressed without a Content-Encoding header?)',
    );
  }
  return { kind: 'query', sql };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decompressors: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | undefined> = {
    gzip: zlib.createGunzip,
    'x-gzip': zlib.createGunzip,
    deflate: zlib.createInflate,
    br: zlib.createBrotliDecompress,
  };
  const decompressor = encoding === 'identity' ? undefined : decompressors[encoding];
  if (encoding !== 'identity' && !decompressor) {
    throw new HttpError(415, `Content-Encoding ${encoding} is not supported here: use gzip, deflate, br or none`);
  }
  const source: Readable = decompressor ? pipeline(req, decompressor(), () => {}) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxRequestBodyBytes) {
        throw new HttpError(413, `request body over ${maxRequestBodyBytes / 2 ** 20} MiB: insert in smaller batches`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError || !decompressor) throw error;
    throw new HttpError(400, `request body is not valid ${encoding}: ${messageOf(error)}`);
  }
  return Buffer.concat(chunks);
}

// ---- responses ---------------------------------------------------------------------------------------

/** An HTTP status for the response being written: protocol plumbing inside this server, never seen by a command. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly exceptionCode?: string,
  ) {
    super(message);
  }
}

function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { status, message, exceptionCode } = error instanceof HttpError ? error : engineFailure(messageOf(error));
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    ...(exceptionCode ? { 'X-ClickHouse-Exception-Code': exceptionCode } : {}),
  });
  res.end(`${message}\n`);
}

const badRequestTypes = new Set([
  'SYNTAX_ERROR', 'TYPE_MISMATCH', 'INCORRECT_DATA', 'BAD_ARGUMENTS', 'ILLEGAL_TYPE_OF_ARGUMENT',
  'NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'UNKNOWN_QUERY_PARAMETER',
]);

/** The engine's message as ClickHouse sends it, with roughly ClickHouse's choice of HTTP status. */
function engineFailure(message: string): { status: number; message: string; exceptionCode?: string } {
  const match = /Code: (\d+)\.[\s\S]*?\(([A-Z][A-Z0-9_]+)\)/.exec(message);
  if (!match) return { status: 500, message };
  const [, code, type = ''] = match;
  const status =
    type.startsWith('CANNOT_PARSE') || badRequestTypes.has(type) ? 400
    : type.startsWith('UNKNOWN_') ? 404
    : type === 'READONLY' || type === 'ACCESS_DENIED' ? 403
    : 500;
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
  const accepted = (acceptEncoding ?? '').toLowerCase().split(',').map((part) => part.split(';')[0]!.trim());
  return (['gzip', 'deflate', 'br'] as const).find((encoding) => accepted.includes(encoding));
}

// ---- one statement at a time -------------------------------------------------------------------------

/**
 * chDB is one engine inside this process, and its bound-parameter state is not isolated between
 * connections running at the same time (concurrent parameterized queries clobber each other, and the
 * race can abort the engine). So statements run one at a time, in arrival order.
 */
function createSerialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task);
      tail = result.catch(() => undefined);
      return result;
    },
    async drained(): Promise<void> {
      let seen: Promise<unknown>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
