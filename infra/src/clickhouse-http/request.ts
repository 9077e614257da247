/** An HTTP request to ClickHouse's interface, read as ClickHouse reads it: URL parameters, body, encoding. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ClickHouseHttpError, messageOf } from './errors.js';
import { checkSetting } from './guard.js';
import type { ClickHouseHttpLimits } from './limits.js';

/** ClickHouse's defaults for `session_timeout` and its ceiling (`max_session_timeout`), in seconds. */
export const defaultSessionTimeoutSeconds = 60;
const maxSessionTimeoutSeconds = 3600;
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

export interface HttpQuery {
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

export type Statement = { kind: 'query'; sql: string } | { kind: 'insert'; prefix: string; data: Buffer };

export function parseHttpQuery(search: URLSearchParams, req: IncomingMessage, limits: ClickHouseHttpLimits): HttpQuery {
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
export function toStatement(request: HttpQuery, body: Buffer): Statement {
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

export async function readBody(req: IncomingMessage, maxRequestBodyBytes: number): Promise<Buffer> {
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
