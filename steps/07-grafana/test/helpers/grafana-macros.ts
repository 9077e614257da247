/**
 * Grafana's SQL macros, expanded as Grafana would before it sends a panel's SQL to the database — so the
 * tests can run that SQL on the real PostgreSQL and ClickHouse. Each dialect knows only its own macros,
 * as each datasource does; a macro left over after expansion is an error, as it would be in Grafana.
 *
 * Sources: Grafana's PostgreSQL datasource (pkg/tsdb/grafana-postgresql-datasource/macros.go) and the
 * ClickHouse plugin (grafana/clickhouse-datasource pkg/macros/macros.go, plus sqlds' default
 * $__timeFrom/$__timeTo). Before either, Grafana's frontend replaces the global variables $__interval,
 * $__interval_ms, $__range, $__range_s and $__range_ms.
 */

export type SqlDialect = 'postgres' | 'clickhouse';

export interface GrafanaTimeRange {
  from: Date;
  to: Date;
  /** The panel's interval ($__interval): Grafana derives it from the range, the panel width and its min interval. */
  intervalMs: number;
}

export class MacroError extends Error {
  override name = 'MacroError';
}

type MacroFunction = (args: string[], range: GrafanaTimeRange) => string;

const rfc3339 = (date: Date) => date.toISOString();
const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const toDateTime = (date: Date) => `toDateTime(${unixSeconds(date)})`;
const fromUnixTimestamp64Milli = (date: Date) => `fromUnixTimestamp64Milli(${date.getTime()})`;
const intervalSeconds = (range: GrafanaTimeRange) => Math.max(Math.floor(range.intervalMs / 1000), 1);

/** '5m', '1h', '30s', '1d', '500ms' (quotes optional) → seconds, as Grafana's interval parser reads them. */
export function durationSeconds(text: string): number {
  const match = /^'?\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)?\s*'?$/.exec(text.trim());
  if (!match) throw new MacroError(`"${text}" is not an interval Grafana understands (e.g. '1m', '30s', $__interval)`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 }[match[2] ?? 's']!;
  return Number(match[1]) * factor;
}

function expectArgs(name: string, args: string[], count: number, example: string): void {
  if (args.length < count || (count === 0 && args.length > 0 && args[0] !== '')) {
    throw new MacroError(`$__${name} takes ${count === 0 ? 'no arguments' : `${count} argument(s)`}: ${example}`);
  }
}

const postgresMacros: Record<string, MacroFunction> = {
  time: (args) => {
    expectArgs('time', args, 1, '$__time(column)');
    return `${args[0]} AS "time"`;
  },
  timeEpoch: (args) => {
    expectArgs('timeEpoch', args, 1, '$__timeEpoch(column)');
    return `extract(epoch from ${args[0]}) AS "time"`;
  },
  timeFilter: (args, r) => {
    expectArgs('timeFilter', args, 1, '$__timeFilter(column)');
    return `${args[0]} BETWEEN '${rfc3339(r.from)}' AND '${rfc3339(r.to)}'`;
  },
  timeFrom: (args, r) => {
    expectArgs('timeFrom', args, 0, '$__timeFrom()');
    return `'${rfc3339(r.from)}'`;
  },
  timeTo: (args, r) => {
    expectArgs('timeTo', args, 0, '$__timeTo()');
    return `'${rfc3339(r.to)}'`;
  },
  timeGroup: (args) => {
    expectArgs('timeGroup', args, 2, "$__timeGroup(column, '1m')");
    const seconds = durationSeconds(args[1]!);
    return `floor(extract(epoch from ${args[0]})/${seconds})*${seconds}`;
  },
  timeGroupAlias: (args, r) => `${postgresMacros.timeGroup!(args, r)} AS "time"`,
  unixEpochFilter: (args, r) => {
    expectArgs('unixEpochFilter', args, 1, '$__unixEpochFilter(column)');
    return `${args[0]} >= ${unixSeconds(r.from)} AND ${args[0]} <= ${unixSeconds(r.to)}`;
  },
  unixEpochFrom: (_args, r) => `${unixSeconds(r.from)}`,
  unixEpochTo: (_args, r) => `${unixSeconds(r.to)}`,
  unixEpochGroup: (args) => {
    expectArgs('unixEpochGroup', args, 2, "$__unixEpochGroup(column, '1m')");
    const seconds = durationSeconds(args[1]!);
    return `floor((${args[0]})/${seconds})*${seconds}`;
  },
  unixEpochGroupAlias: (args, r) => `${postgresMacros.unixEpochGroup!(args, r)} AS "time"`,
};

const clickhouseMacros: Record<string, MacroFunction> = {
  fromTime: (_args, r) => toDateTime(r.from),
  toTime: (_args, r) => toDateTime(r.to),
  fromTime_ms: (_args, r) => fromUnixTimestamp64Milli(r.from),
  toTime_ms: (_args, r) => fromUnixTimestamp64Milli(r.to),
  timeFilter: (args, r) => {
    expectArgs('timeFilter', args, 1, '$__timeFilter(column)');
    return `${args[0]} >= ${toDateTime(r.from)} AND ${args[0]} <= ${toDateTime(r.to)}`;
  },
  timeFilter_ms: (args, r) => {
    expectArgs('timeFilter_ms', args, 1, '$__timeFilter_ms(column)');
    return `${args[0]} >= ${fromUnixTimestamp64Milli(r.from)} AND ${args[0]} <= ${fromUnixTimestamp64Milli(r.to)}`;
  },
  dateFilter: (args, r) => {
    expectArgs('dateFilter', args, 1, '$__dateFilter(column)');
    const day = (date: Date) => `toDate('${date.toISOString().slice(0, 10)}')`;
    return `${args[0]} >= ${day(r.from)} AND ${args[0]} <= ${day(r.to)}`;
  },
  timeInterval: (args, r) => {
    expectArgs('timeInterval', args, 1, '$__timeInterval(column)');
    return `toStartOfInterval(toDateTime(${args[0]}), INTERVAL ${intervalSeconds(r)} second)`;
  },
  timeInterval_ms: (args, r) => {
    expectArgs('timeInterval_ms', args, 1, '$__timeInterval_ms(column)');
    return `toStartOfInterval(toDateTime64(${args[0]}, 3), INTERVAL ${Math.max(Math.floor(r.intervalMs), 1)} millisecond)`;
  },
  interval_s: (_args, r) => `${intervalSeconds(r)}`,
  // sqlds' defaults, which the plugin keeps.
  timeFrom: (_args, r) => `'${r.from.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`,
  timeTo: (_args, r) => `'${r.to.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`,
};

const macrosOf: Record<SqlDialect, Record<string, MacroFunction>> = { postgres: postgresMacros, clickhouse: clickhouseMacros };
const datasourceName: Record<SqlDialect, string> = { postgres: 'PostgreSQL', clickhouse: 'ClickHouse' };

/** Grafana's global variables, replaced in the SQL text before any datasource sees it. */
function replaceGlobalVariables(sql: string, range: GrafanaTimeRange): string {
  const rangeMs = range.to.getTime() - range.from.getTime();
  const intervalText =
    range.intervalMs % 60_000 === 0
      ? `${range.intervalMs / 60_000}m`
      : range.intervalMs % 1000 === 0
        ? `${range.intervalMs / 1000}s`
        : `${range.intervalMs}ms`;
  const variables: Record<string, string> = {
    interval_ms: String(range.intervalMs),
    interval: intervalText,
    range_ms: String(rangeMs),
    range_s: String(Math.round(rangeMs / 1000)),
    range: `${Math.round(rangeMs / 1000)}s`,
  };
  // ${__interval} and $__interval; longest names first so $__interval_ms is not read as $__interval + "_ms".
  return sql.replace(
    /\$\{__(\w+)\}|\$__(interval_ms|interval|range_ms|range_s|range)\b(?!\s*\()/g,
    (whole, braced?: string, bare?: string) => {
      const value = variables[(braced ?? bare)!];
      return value ?? whole;
    },
  );
}

/** The text between the parentheses that open at `open`, and the index after the closing one. */
function readArguments(sql: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let quote: string | undefined;
  const args: string[] = [];
  let current = '';
  for (let i = open; i < sql.length; i++) {
    const char = sql[i]!;
    if (quote) {
      current += char;
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (char === '(') {
      if (depth > 0) current += char;
      depth++;
    } else if (char === ')') {
      depth--;
      if (depth === 0) {
        args.push(current.trim());
        return { args: args.length === 1 && args[0] === '' ? [] : args, end: i + 1 };
      }
      current += char;
    } else if (char === ',' && depth === 1) {
      args.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  throw new MacroError(`a macro's parentheses are not closed: ${sql.slice(open - 20, open + 40)}`);
}

/**
 * `sql` with the macros of `dialect`'s datasource expanded for `range`. Throws a MacroError for a macro
 * that datasource does not have (e.g. PostgreSQL's $__timeGroupAlias in a ClickHouse panel) and for any
 * `$__` left over.
 */
export function expandGrafanaMacros(sql: string, dialect: SqlDialect, range: GrafanaTimeRange): string {
  const macros = macrosOf[dialect];
  let text = replaceGlobalVariables(sql, range);
  let output = '';
  const pattern = /\$__(\w+)/g;
  let position = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const name = match[1]!;
    const macro = macros[name];
    if (!macro) {
      const known = Object.keys(macros)
        .map((m) => `$__${m}`)
        .join(', ');
      throw new MacroError(`Grafana's ${datasourceName[dialect]} datasource has no macro $__${name} (it has ${known})`);
    }
    let end = match.index + match[0].length;
    let args: string[] = [];
    const open = text.slice(end).search(/\S/);
    if (open >= 0 && text[end + open] === '(') {
      ({ args, end } = readArguments(text, end + open));
    }
    output += text.slice(position, match.index) + macro(args, range);
    position = end;
    pattern.lastIndex = end;
  }
  text = output + text.slice(position);
  if (text.includes('$__')) throw new MacroError(`"$__" is left in the SQL after expanding the macros: ${text}`);
  return text;
}
