import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { z } from 'zod';
import { KitError } from './errors.js';
import { repoRoot } from './repo-root.js';

/**
 * The kit's data files (version pins, checksum locks, metadata) validated where they are loaded, so a broken
 * file fails with its name and the field that is wrong ("infra/stack-versions.json: kafka must be a version
 * like 4.1.2"), not with `undefined` deep inside a command.
 */

export interface JsonFileOptions {
  /** What to do about a broken file, e.g. "git diff infra/stack-versions.json shows what changed". */
  hint?: string;
}

/** Reads `path` and validates it against `schema`; a missing, unparsable or invalid file is a KitError. */
export function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema, options: JsonFileOptions = {}): z.output<Schema> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new KitError(`${shownPath(path)}: cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, {
      code: 'data-file',
      hint: options.hint,
      cause,
    });
  }
  return parseJsonFile(text, path, schema, options);
}

/** Validates the text of the file at `path` (for callers that read it themselves). */
export function parseJsonFile<Schema extends z.ZodType>(
  text: string,
  path: string,
  schema: Schema,
  options: JsonFileOptions = {},
): z.output<Schema> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new KitError(`${shownPath(path)}: not valid JSON (${(cause as Error).message})`, {
      code: 'data-file',
      hint: options.hint,
      cause,
    });
  }
  const parsed = schema.safeParse(data, { error: phraseIssue });
  if (parsed.success) return parsed.data;
  // The first problem in full: one fix at a time reads better than a wall of them (a lock has thousands of fields).
  const [first = { path: [], message: 'is not what it must be' }, ...others] = parsed.error.issues;
  const field = fieldPath(first.path);
  const more = others.length > 0 ? ` (and ${others.length} more ${others.length === 1 ? 'problem' : 'problems'})` : '';
  throw new KitError(`${shownPath(path)}: ${field ? `${field} ` : 'the file '}${first.message}${more}`, {
    code: 'data-file',
    hint: options.hint,
  });
}

/** `kafka`, `docker.maven`, `components["kafka-4.1.2"].files["argparse4j-0.7.0.jar"]`: the field as a person finds it in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

/**
 * zod's messages read as type theory ("Invalid input: expected string, received undefined"); these read as what to
 * write after the field's name: "is missing (it must be a string)". A schema's own `error` takes precedence.
 */
function phraseIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeNames[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is missing (it must be ${expected})` : `must be ${expected}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return 'must not be an empty list';
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return undefined;
  }
}

/** Files of the checkout by their repository path (as people know them); anything else as given. */
function shownPath(path: string): string {
  const inRepo = relative(repoRoot, path);
  return inRepo.startsWith('..') || inRepo === path ? path : inRepo.split(sep).join('/');
}
