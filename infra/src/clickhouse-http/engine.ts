/**
 * The parts of chDB (the ClickHouse engine in-process) this server uses, and what it does to the engine at
 * start so that it behaves like a ClickHouse server rather than clickhouse-local.
 */
import { createRequire } from 'node:module';
import { KitError } from '@workshop/shared';
import { sqlString } from './guard.js';

/**
 * clickhouse-local (chDB) opens `default` as an Overlay of an Atomic database and the filesystem: there,
 * `SELECT * FROM \`/etc/passwd\`` reads the file. Reattaching the Atomic database alone, under its own UUID,
 * keeps every table of `default` and drops the filesystem part (chDB makes the overlay again at each start).
 */
export async function closeFilesystemOverlay(run: (sql: string) => Promise<string>): Promise<void> {
  const [engineName, uuid] = (await run("SELECT engine, uuid FROM system.databases WHERE name = 'default'")).trim().split('\t');
  if (engineName !== 'Overlay' || !uuid) return;
  await run('DETACH DATABASE default');
  await run(`ATTACH DATABASE default UUID ${sqlString(uuid)} ENGINE = Atomic`);
}

/** The engine's message about SELECT formatQuery('<the statement>'), as if the statement itself had been run. */
export function withoutFormatQueryScope(message: string): string {
  const cut = message.indexOf(': In scope SELECT formatQuery(');
  if (cut < 0) return message;
  const type = /\(([A-Z][A-Z0-9_]+)\)[^()]*$/.exec(message)?.[1];
  return `${message.slice(0, cut).trimEnd()}${type ? ` . (${type})` : ''}`;
}

export interface NativeQueryResult {
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

export interface ChdbNative {
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
export function loadChdbNative(): ChdbNative {
  const chdbEntry = createRequire(import.meta.url).resolve('chdb');
  const loader = createRequire(chdbEntry)('./dist/loader.js') as { loadNative?: () => Partial<ChdbNative> };
  const native = loader.loadNative?.();
  if (typeof native?.QueryAsyncConnection !== 'function' || typeof native.InsertRawAsyncConnection !== 'function') {
    throw new KitError(`the installed chdb (${chdbEntry}) lacks the native calls this server was written for (chdb 3.4.0)`, {
      hint: 'pin chdb to 3.4.0 in infra/package.json (then npm install), or update infra/src/clickhouse-http/engine.ts',
    });
  }
  return native as ChdbNative;
}
