import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { KitError } from '@workshop/shared';
import { extractRegion, RegionError } from './regions.js';

/**
 * Code on a slide comes from the repository, never pasted: a fenced block names what to show and the slides
 * engine fills it in at build time.
 *
 *     ```ts include=solutions/02-produce-json/src/produce.ts#produce-keyed      a named region (see regions.ts)
 *     ```
 *     ```json include=solutions/04-avro/src/button-press.avsc#/fields/1         a JSON pointer (RFC 6901)
 *     ```
 *     ```json include=solutions/04-avro/src/button-press.avsc#/fields omit=doc  …without the "doc" keys
 *     ```
 *     ```json include=solutions/04-avro/src/button-press.avsc                   the whole file
 *     ```
 *     ```ts include=solutions/03-consume/src/press-counter.ts#symbol:runPressCounter   a top-level declaration
 *     ```
 *
 * A region needs two marker lines in the solution; a symbol needs none. Use a symbol where markers cannot go: the
 * mistakes (solutions/NN/mistakes/*.patch) are patches whose context lines must match the solution exactly, so a
 * marker may not sit inside the lines a patch quotes.
 *
 * Paths are relative to the repository root, so a deck reads like the README's paths and the presenter can open
 * exactly what the caption under the code names.
 */

export interface IncludeSpec {
  /** Repository-relative path of the file. */
  path: string;
  /** A region name, "symbol:<name>", a JSON pointer (starts with "/"), or undefined for the whole file. */
  fragment?: string;
  /** JSON pointer includes only: keys left out wherever they occur (`omit=doc`), for a schema whose docs are long. */
  omit?: string[];
}

export interface IncludedCode {
  spec: IncludeSpec;
  code: string;
  /** Where the presenter finds it: "solutions/…/produce.ts:23-29", or the pointer for JSON. */
  location: string;
}

/** `include=path#fragment` in a fence's info string ("ts include=…"); undefined when the fence has none. */
export function includeSpecFromFenceInfo(info: string): IncludeSpec | undefined {
  const match = /(?:^|\s)include=(\S*)/.exec(info);
  if (!match) return undefined;
  const value = match[1] ?? '';
  if (value === '')
    throw new KitError(`"include=" needs a path, e.g. include=solutions/02-produce-json/src/produce.ts#produce-keyed`, {
      code: 'slides-include',
    });
  const hash = value.indexOf('#');
  const spec: IncludeSpec =
    hash < 0 ? { path: value } : { path: value.slice(0, hash), fragment: decodeURIComponent(value.slice(hash + 1)) };
  const omit = /(?:^|\s)omit=(\S+)/.exec(info)?.[1];
  if (omit !== undefined) {
    if (!spec.fragment?.startsWith('/')) {
      throw new KitError(`include=${describeSpec(spec)} omit=${omit}: omit= works with a JSON pointer include (#/…)`, {
        code: 'slides-include',
      });
    }
    spec.omit = omit.split(',').filter(Boolean);
  }
  return spec;
}

/** The fence's language (its info string's first word), if it is not the include itself. */
export function fenceLanguage(info: string): string {
  const first = info.trim().split(/\s+/)[0] ?? '';
  return first.startsWith('include=') ? '' : first;
}

export function describeSpec(spec: IncludeSpec): string {
  return spec.fragment === undefined ? spec.path : `${spec.path}#${spec.fragment}`;
}

/** Reads what `spec` names, from the repository at `root`. Throws an error that names the file and the region. */
export function resolveInclude(root: string, spec: IncludeSpec): IncludedCode {
  const path = normalize(spec.path);
  if (spec.path === '' || isAbsolute(spec.path) || path.startsWith('..')) {
    throw new KitError(
      `include=${describeSpec(spec)}: the path must be relative to the repository root, e.g. solutions/02-produce-json/src/produce.ts`,
      {
        code: 'slides-include',
      },
    );
  }
  const file = join(root, path);
  if (!existsSync(file) || !statSync(file).isFile())
    throw new RegionError(spec.path, spec.fragment, `${spec.path}: no such file (include=${describeSpec(spec)})`);
  const text = readFileSync(file, 'utf8');
  const shown = relative(root, file).split('\\').join('/');

  if (spec.fragment === undefined) {
    const body = text.replace(/\s+$/, '');
    if (body === '') throw new RegionError(shown, undefined, `${shown}: the file is empty — a slide would show nothing`);
    return { spec, code: body, location: `${shown}:1-${body.split('\n').length}` };
  }
  if (spec.fragment.startsWith('/')) {
    const value = withoutKeys(jsonPointer(parseJson(text, shown), spec.fragment, shown), new Set(spec.omit));
    return {
      spec,
      code: formatJsonCompact(value),
      location: `${shown} ${spec.fragment}${spec.omit?.length ? ` (without ${spec.omit.join(', ')})` : ''}`,
    };
  }
  if (spec.fragment.startsWith('symbol:')) {
    const symbol = extractDeclaration(text, shown, spec.fragment.slice('symbol:'.length));
    return { spec, code: symbol.code, location: `${shown}:${symbol.startLine}-${symbol.endLine}` };
  }
  const region = extractRegion(text, shown, spec.fragment);
  return { spec, code: region.code, location: `${shown}:${region.startLine}-${region.endLine}` };
}

/** Every include in a deck's markdown, with its line, so a check can name "deck.md:12". */
export function findIncludes(markdown: string): { line: number; spec: IncludeSpec }[] {
  const found: { line: number; spec: IncludeSpec }[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const opening = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (fence === undefined) {
      if (!opening) return;
      fence = opening[1];
      const spec = includeSpecFromFenceInfo(opening[2] ?? '');
      if (spec) found.push({ line: index + 1, spec });
    } else if (opening && opening[1]!.startsWith(fence) && (opening[2] ?? '').trim() === '') {
      fence = undefined;
    }
  });
  return found;
}

const scriptKinds: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
};

/**
 * The top-level declaration `name` of a TypeScript or JavaScript file — function, class, interface, type, enum or
 * variable statement — from its first keyword (its doc comment left out) to its end.
 */
export function extractDeclaration(text: string, file: string, name: string): { code: string; startLine: number; endLine: number } {
  const kind = scriptKinds[extname(file)];
  if (kind === undefined)
    throw new RegionError(file, `symbol:${name}`, `${file}: symbol includes work in TypeScript and JavaScript files; use a #region here`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const names = (statement: ts.Statement): string[] => {
    if (ts.isVariableStatement(statement))
      return statement.declarationList.declarations.map((declaration) => declaration.name.getText(source));
    if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      return statement.name ? [statement.name.text] : [];
    }
    return [];
  };
  const matches = source.statements.filter((statement) => names(statement).includes(name));
  if (matches.length === 0) {
    const known = source.statements.flatMap(names);
    throw new RegionError(
      file,
      `symbol:${name}`,
      `${file}: no top-level declaration "${name}" (declared there: ${known.join(', ') || 'nothing'})`,
    );
  }
  if (matches.length > 1)
    throw new RegionError(file, `symbol:${name}`, `${file}: "${name}" is declared ${matches.length} times (overloads?) — use a #region`);
  const statement = matches[0]!;
  const start = statement.getStart(source);
  const startLine = source.getLineAndCharacterOfPosition(start).line + 1;
  const endLine = source.getLineAndCharacterOfPosition(statement.end).line + 1;
  return {
    code: text
      .split(/\r?\n/)
      .slice(startLine - 1, endLine)
      .join('\n'),
    startLine,
    endLine,
  };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RegionError(
      file,
      undefined,
      `${file}: a JSON pointer include needs a JSON file, but it does not parse: ${(error as Error).message}`,
    );
  }
}

/** RFC 6901: "/fields/1/type" — "~1" stands for "/", "~0" for "~". */
export function jsonPointer(document: unknown, pointer: string, file: string): unknown {
  let value = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(key) && Number(key) < value.length) value = value[Number(key)];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key))
      value = (value as Record<string, unknown>)[key];
    else throw new RegionError(file, pointer, `${file}: the JSON pointer ${pointer} points at nothing (no "${key}")`);
  }
  return value;
}

function withoutKeys(value: unknown, keys: Set<string>): unknown {
  if (keys.size === 0) return value;
  if (Array.isArray(value)) return value.map((item) => withoutKeys(item, keys));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !keys.has(key))
        .map(([key, item]) => [key, withoutKeys(item, keys)]),
    );
  }
  return value;
}

/**
 * JSON as a person would lay it out on a slide: anything that fits in `width` columns on one line stays on one
 * line (`{ "type": "long", "logicalType": "timestamp-millis" }`), the rest is indented by two.
 */
export function formatJsonCompact(value: unknown, width = 88, indent = '', column = indent.length): string {
  const flat = flatJson(value);
  // `column`: where the value starts on its first line (after `"key": `); later lines start at `indent`.
  if (column + flat.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => inner + formatJsonCompact(item, width, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
    const prefix = `${JSON.stringify(key)}: `;
    return inner + prefix + formatJsonCompact(item, width, inner, inner.length + prefix.length);
  });
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function flatJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flatJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${flatJson(item)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value) ?? 'null';
}
