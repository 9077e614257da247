/** The answer as a ClickHouse server writes it: status, exception code, summary and format headers, compression. */
import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ClickHouseHttpError, messageOf } from './errors.js';

/** What a statement gave: its bytes and the counts for X-ClickHouse-Summary. */
export interface QueryResult {
  body: Buffer;
  rowsRead: number;
  bytesRead: number;
  rowsWritten: number;
  bytesWritten: number;
  elapsed: number;
}

export const noRows = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };

export function sendFailure(res: ServerResponse, error: unknown): void {
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
export function engineFailure(message: string): { status: number; message: string; exceptionCode?: string } {
  const match = /Code: (\d+)\.[\s\S]*?\(([A-Z][A-Z0-9_]+)\)/.exec(message);
  if (!match) return { status: 500, message };
  const [, code, type = ''] = match;
  const status = statusByType.find(([, pattern]) => pattern.test(type))?.[0] ?? 500;
  return { status, message, exceptionCode: code };
}

export function summaryOf(result: QueryResult): Record<string, string> {
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
export function formatNamedIn(sql: string): string | undefined {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql)?.[1];
}

export function contentTypeOf(format: string | undefined): string {
  if (!format) return 'text/plain; charset=UTF-8';
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8';
  if (/^(Native|RowBinary|Parquet|Arrow|ORC|Avro)/i.test(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

export type ResponseEncoding = 'gzip' | 'deflate' | 'br';

export const compress: Record<ResponseEncoding, (data: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gzip),
  deflate: promisify(zlib.deflate),
  br: promisify(zlib.brotliCompress),
};

export function pickResponseEncoding(acceptEncoding: string | undefined): ResponseEncoding | undefined {
  const accepted = (acceptEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.split(';')[0]!.trim());
  return (['gzip', 'deflate', 'br'] as const).find((encoding) => accepted.includes(encoding));
}
