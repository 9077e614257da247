import { ClickHouseHttpError } from './errors.js';

/**
 * What a statement may do here. chDB is clickhouse-local inside this process: no users, no grants, and
 * `file()`, `url()`, `s3()`, `remote()`, `INTO OUTFILE`, `ENGINE = File(...)` reach the laptop's files and
 * network with the participant's rights. A ClickHouse server confines all of that by configuration; chDB
 * cannot be configured so (it ignores a users/profiles config), so the engine's own parser is asked what a
 * statement contains (`formatQuery`, then `EXPLAIN AST` of that one statement) and anything that reaches
 * outside the database is refused before the statement runs. Deny by default: table functions, engines and
 * statement kinds are allowed by name, everything else is refused with ClickHouse's error for it.
 */

/** Table functions that only make or read rows inside the engine. */
const allowedTableFunctions = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'generaterandom',
  'generate_series',
  'generateseries',
  'values',
  'null',
  'view',
  'viewifpermitted',
  'format',
  'input',
  'merge',
  'loop',
  'primes',
]);

/** Ordinary functions that read files, despite looking like computations. */
const deniedScalarFunctions = ['file', 'catboostevaluate', 'disk', 'addresstoline', 'addresstolinewithinlines', 'addresstosymbol'];

/** Engines that keep data in the engine's own folder (tables and databases). */
const allowedEngines = new Set([
  'MergeTree',
  'ReplacingMergeTree',
  'SummingMergeTree',
  'AggregatingMergeTree',
  'CollapsingMergeTree',
  'VersionedCollapsingMergeTree',
  'CoalescingMergeTree',
  'GraphiteMergeTree',
  'Memory',
  'Log',
  'TinyLog',
  'StripeLog',
  'Null',
  'Set',
  'Join',
  'Buffer',
  'View',
  'MaterializedView',
  'Merge',
  'GenerateRandom',
  'Atomic',
  'Ordinary',
  'Lazy',
]);

/** Statement kinds (the first word of EXPLAIN AST) a participant's code sends; SYSTEM, BACKUP, ATTACH, users… are not. */
const allowedStatementKinds = [
  'SelectWithUnionQuery',
  'SelectIntersectExceptQuery',
  'InsertQuery',
  'CreateQuery',
  'AlterQuery',
  'DropQuery',
  'TruncateQuery',
  'Rename',
  'OptimizeQuery',
  'DeleteQuery',
  'UpdateQuery',
  'UndropQuery',
  'ShowTables',
  'ShowColumns',
  'ShowCreate',
  'DescribeQuery',
  'Exists',
  'Explain',
  'Set',
  'UseQuery',
  'CheckQuery',
  'ShowProcesslistQuery',
  'CreateSQLFunctionQuery',
  'DropFunctionQuery',
  'WatchQuery',
];

/** Settings naming files or disks (a format schema, a template, a table's disk): refused wherever they are set. */
const deniedSettings = new Set([
  'format_schema',
  'format_schema_source',
  'format_template_resultset',
  'format_template_row',
  'output_format_schema',
  'disk',
  'storage_policy',
  'table_disk',
]);

/** What this engine has, read from its system tables at start: everything not allowed above is refused. */
export interface EngineCatalog {
  /** system.table_functions */
  tableFunctions: readonly string[];
  /** system.table_engines and system.database_engines */
  engines: readonly string[];
}

export interface StatementPolicy {
  /** Lowercase names of functions and table functions refused anywhere in a statement. */
  deniedFunctions: ReadonlySet<string>;
  /** Engines refused in ENGINE = … (a table's or a database's). */
  deniedEngines: ReadonlySet<string>;
}

export function statementPolicy(catalog: EngineCatalog): StatementPolicy {
  const deniedFunctions = new Set(deniedScalarFunctions);
  for (const name of catalog.tableFunctions) {
    if (!allowedTableFunctions.has(name.toLowerCase())) deniedFunctions.add(name.toLowerCase());
  }
  return { deniedFunctions, deniedEngines: new Set(catalog.engines.filter((name) => !allowedEngines.has(name))) };
}

/** ClickHouse's message for a refused setting value (a constraint in a settings profile). */
function constraintViolation(message: string): ClickHouseHttpError {
  return new ClickHouseHttpError(400, 452, `Code: 452. DB::Exception: ${message}. (SETTING_CONSTRAINT_VIOLATION)`);
}

/**
 * One setting, from the URL or from SQL: the limits a settings profile would put on it. `maxExecutionSeconds`: the
 * longest a statement may run; a lower max_execution_time is fine, a higher one (or 0, no limit) is not.
 */
export function checkSetting(name: string, value: string, maxExecutionSeconds: number): void {
  const key = name.toLowerCase();
  if (deniedSettings.has(key)) throw constraintViolation(`Setting ${name} should not be changed`);
  if (key === 'dialect' && value.replace(/'/g, '').toLowerCase() !== 'clickhouse') {
    // The check below parses with ClickHouse's dialect; another one would run something else than was checked.
    throw constraintViolation(`Setting dialect should not be changed`);
  }
  if (key === 'max_execution_time' || key === 'max_execution_time_leaf') {
    const seconds = Number(value.replace(/'/g, ''));
    if (!(seconds > 0 && seconds <= maxExecutionSeconds)) {
      throw constraintViolation(`Setting ${name} shouldn't be greater than ${maxExecutionSeconds}`);
    }
  }
}

/** `name = value` pairs after SETTINGS (or a SET statement) in the engine's formatting of the statement. */
export function settingsIn(formatted: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const clause = /(?:^|\s)(?:SETTINGS|SET)\s+((?:[A-Za-z_][A-Za-z0-9_]*\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^,\s)]+)\s*,?\s*)+)/g;
  for (const match of formatted.matchAll(clause)) {
    for (const pair of match[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^,\s)]+)/g)) {
      pairs.push([pair[1]!, pair[2]!]);
    }
  }
  return pairs;
}

interface AstLine {
  depth: number;
  text: string;
}

function astLines(explain: string): AstLine[] {
  return explain
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ depth: line.length - line.trimStart().length, text: line.trim() }));
}

/**
 * Refuses what the statement's syntax tree (EXPLAIN AST of the one formatted statement) shows reaching outside
 * the engine. Throws ClickHouse's error for each case.
 */
export function checkSyntaxTree(explain: string, policy: StatementPolicy): void {
  const lines = astLines(explain);
  const top = lines[0]?.text ?? '';
  const kind = top.split(/\s/)[0] ?? '';
  if (!allowedStatementKinds.some((allowed) => kind.startsWith(allowed))) {
    throw new ClickHouseHttpError(
      403,
      497,
      `Code: 497. DB::Exception: ${kind.replace(/Query$/, '') || 'this statement'} is not allowed on the workshop's ClickHouse ` +
        '(only reading and writing its own databases). (ACCESS_DENIED)',
    );
  }
  for (const [index, line] of lines.entries()) {
    if (line.text.startsWith('Dictionary definition')) {
      throw new ClickHouseHttpError(
        403,
        497,
        'Code: 497. DB::Exception: dictionaries are not allowed here (their sources read files and the network). (ACCESS_DENIED)',
      );
    }
    // A Literal directly under a SELECT/INSERT is its INTO OUTFILE / FROM INFILE path (FORMAT is an Identifier, SETTINGS a Set).
    if (line.depth === 1 && line.text.startsWith('Literal') && /^(SelectWithUnionQuery|InsertQuery)/.test(top)) {
      throw kind === 'InsertQuery'
        ? new ClickHouseHttpError(
            400,
            115,
            'Code: 115. DB::Exception: Query has infile and was send directly to server. (UNKNOWN_TYPE_OF_QUERY)',
          )
        : new ClickHouseHttpError(403, 358, 'Code: 358. DB::Exception: INTO OUTFILE is not allowed. (INTO_OUTFILE_NOT_ALLOWED)');
    }
    const fn = /^Function(?:WithKeyValueArguments)?\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line.text)?.[1];
    if (!fn) continue;
    const parent = lines
      .slice(0, index)
      .reverse()
      .find((candidate) => candidate.depth < line.depth);
    // Under a storage definition sit the engine and the key expressions (ORDER BY tuple()): engines by name.
    if (parent?.text.startsWith('Storage definition') && line.depth === parent.depth + 1) {
      if (policy.deniedEngines.has(fn)) {
        throw new ClickHouseHttpError(
          403,
          497,
          `Code: 497. DB::Exception: engine ${fn} reads or writes outside the database (files, network): not allowed here; ` +
            'use MergeTree, Memory or another local engine. (ACCESS_DENIED)',
        );
      }
      if (allowedEngines.has(fn)) continue;
    }
    if (policy.deniedFunctions.has(fn.toLowerCase())) {
      throw new ClickHouseHttpError(
        403,
        497,
        `Code: 497. DB::Exception: ${fn}() reads or writes files or the network and is not allowed on the workshop's ClickHouse. (ACCESS_DENIED)`,
      );
    }
  }
}

/** Inline VALUES are expressions the engine evaluates (`VALUES (file('/etc/passwd'))`) but not part of the tree. */
export function checkInlineValues(data: string, deniedFunctions: ReadonlySet<string>): void {
  for (const match of data.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    if (deniedFunctions.has(match[1]!.toLowerCase())) {
      throw new ClickHouseHttpError(
        403,
        497,
        `Code: 497. DB::Exception: ${match[1]}() reads or writes files or the network and is not allowed on the workshop's ClickHouse. (ACCESS_DENIED)`,
      );
    }
  }
}

/** The literal of `text` in ClickHouse SQL: every backslash and quote escaped, so it is one string whatever it holds. */
export function sqlString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The identifier `name` quoted for ClickHouse SQL. */
export function sqlIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}
