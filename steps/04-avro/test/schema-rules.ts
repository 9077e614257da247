import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the participant's `src/button-press.avsc` must say, rule by rule, each with the hint a person needs
 * when it does not. The file is read as JSON — the same text the registry will store — so mistakes that
 * Avro libraries silently accept (a logicalType on the field, a union in the wrong order) are caught here.
 */
export interface Problem {
  hint: string;
  detail?: string;
}

export interface SchemaRule {
  title: string;
  check(schema: JsonRecord): Problem | undefined;
}

type JsonRecord = Record<string, unknown>;

const readme = (section: number) => `README §${section}`;

export const eventFields = [
  'session_id',
  'timestamp',
  'action',
  'count',
  'country_code',
  'country_name',
  'subdivision_name',
  'city_name',
  'cohort',
] as const;

/** The participant's schema file, or the problem with it (missing, not JSON). */
export function readSchemaFile(srcDir: string): { schema: JsonRecord } | { problem: Problem } {
  const path = join(srcDir, 'button-press.avsc');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: { hint: `Write the event's schema in src/button-press.avsc — ${readme(1)}`, detail: (error as Error).message } };
  }
  try {
    const schema: unknown = JSON.parse(text);
    if (isObject(schema)) return { schema };
    return { problem: { hint: `src/button-press.avsc must hold one Avro record schema: {"type": "record", …} — ${readme(1)}` } };
  } catch (error) {
    return {
      problem: {
        hint: `src/button-press.avsc is not valid JSON: fix it (a missing comma or quote?) — ${readme(1)}`,
        detail: (error as Error).message,
      },
    };
  }
}

export function fieldsOf(schema: JsonRecord): JsonRecord[] {
  return Array.isArray(schema.fields) ? schema.fields.filter(isObject) : [];
}

function field(schema: JsonRecord, name: string): JsonRecord | undefined {
  return fieldsOf(schema).find((candidate) => candidate.name === name);
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const show = (value: unknown) => JSON.stringify(value);

/** A field whose type must be `{"type": <base>, "logicalType": <logical>}`. */
function logicalTypeProblem(schema: JsonRecord, name: string, base: string, logical: string): Problem | undefined {
  const found = field(schema, name);
  if (!found) return { hint: `Add the field "${name}" — ${readme(1)}` };
  const wanted = `{"name": "${name}", "type": {"type": "${base}", "logicalType": "${logical}"}}`;
  if ('logicalType' in found) {
    return {
      hint: `"${name}": move "logicalType" INSIDE the type, ${wanted}. On the field Avro ignores it, silently — the seed repo's bug that turned timestamps into plain numbers — ${readme(1)}`,
      detail: `found ${show(found)}`,
    };
  }
  const type = found.type;
  if (!isObject(type) || type.type !== base || type.logicalType !== logical) {
    const micros = isObject(type) && type.logicalType === 'timestamp-micros';
    return {
      hint: micros
        ? `"${name}": use timestamp-millis, not micros: the JDBC sink turns only millis into a real timestamp — ${readme(1)}`
        : `"${name}" must be ${wanted} — ${readme(1)}`,
      detail: `found "type": ${show(type)}`,
    };
  }
  return undefined;
}

/** A nullable field: `["null", <type>]` with `"default": null`. */
function optionalFieldProblem(schema: JsonRecord, name: string, base: string): Problem | undefined {
  const found = field(schema, name);
  if (!found) return { hint: `Add the field "${name}" — ${readme(1)}` };
  const wanted = `{"name": "${name}", "type": ["null", "${base}"], "default": null}`;
  const type = found.type;
  if (Array.isArray(type) && type.length === 2 && type.includes('null') && type.includes(base) && type[0] !== 'null') {
    return {
      hint: `"${name}": put "null" FIRST in the union, ["null", "${base}"]: Avro takes a union's default from its first branch, so a null default needs null first — ${readme(1)}`,
      detail: `found "type": ${show(type)}`,
    };
  }
  if (!Array.isArray(type) || type.length !== 2 || type[0] !== 'null' || type[1] !== base) {
    return { hint: `"${name}" may be null: make it ${wanted} — ${readme(1)}`, detail: `found "type": ${show(type)}` };
  }
  if (found.default === 'null') {
    return {
      hint: `"${name}": the default must be JSON null, not the string "null" — that string default is the seed repo's bug that poisoned its topic — ${readme(1)}`,
      detail: `found "default": "null"`,
    };
  }
  if (!('default' in found) || found.default !== null) {
    return {
      hint: `"${name}": give it "default": null, so a reader fills it in when an event does not carry it — ${readme(1)}`,
      detail: 'default' in found ? `found "default": ${show(found.default)}` : 'no "default"',
    };
  }
  return undefined;
}

function plainTypeProblem(schema: JsonRecord, name: string, type: string): Problem | undefined {
  const found = field(schema, name);
  if (!found) return { hint: `Add the field "${name}" — ${readme(1)}` };
  if (found.type !== type)
    return { hint: `"${name}" must be of type "${type}" — ${readme(1)}`, detail: `found "type": ${show(found.type)}` };
  return undefined;
}

function firstProblem(...problems: (Problem | undefined)[]): Problem | undefined {
  return problems.find((problem) => problem !== undefined);
}

export const schemaRules: SchemaRule[] = [
  {
    title: 'is written: a record named ButtonPress, with a namespace and a doc',
    check(schema) {
      if (schema.type !== 'record') {
        return {
          hint: `src/button-press.avsc must be an Avro record: {"type": "record", …} — ${readme(1)}`,
          detail: `found "type": ${show(schema.type)}`,
        };
      }
      const doc = typeof schema.doc === 'string' ? schema.doc : '';
      if (fieldsOf(schema).length === 0 || doc.includes('TODO') || doc.trim() === '') {
        return {
          hint: `Write the event's schema in src/button-press.avsc: one field per row of the event table, each with a doc, and a doc for the record (no TODO left) — ${readme(1)}`,
          detail: `${fieldsOf(schema).length} fields; record doc: ${show(schema.doc)}`,
        };
      }
      if (schema.name !== 'ButtonPress') {
        return {
          hint: `Name the record "ButtonPress": the later steps register the kit's copy of this schema under the same subject, and renaming a record is an incompatible change — ${readme(1)}`,
          detail: `found "name": ${show(schema.name)}`,
        };
      }
      if (typeof schema.namespace !== 'string' || schema.namespace.trim() === '') {
        return {
          hint: `Give the record a "namespace" (e.g. "io.workshop.button"): with the name it makes the schema's full name — ${readme(1)}`,
        };
      }
      return undefined;
    },
  },
  {
    title: "has exactly the event's fields — and never the IP address",
    check(schema) {
      const names = fieldsOf(schema).map((f) => String(f.name));
      const missing = eventFields.filter((name) => !names.includes(name));
      const extra = names.filter((name) => !(eventFields as readonly string[]).includes(name));
      if (extra.some((name) => /(^|_)ip($|_)|address/i.test(name))) {
        return {
          hint: `Remove the IP address from the schema: it never goes into an event (privacy) — ${readme(1)}`,
          detail: `fields: ${names.join(', ')}`,
        };
      }
      if (missing.length || extra.length) {
        return {
          hint: `The schema must have exactly the event's fields (${eventFields.join(', ')}), spelled as in the event table — ${readme(1)}`,
          detail: [missing.length ? `missing: ${missing.join(', ')}` : '', extra.length ? `unexpected: ${extra.join(', ')}` : '']
            .filter(Boolean)
            .join('; '),
        };
      }
      return undefined;
    },
  },
  {
    title: 'every field has a doc',
    check(schema) {
      const undocumented = fieldsOf(schema).filter((f) => typeof f.doc !== 'string' || f.doc.trim() === '' || f.doc.includes('TODO'));
      if (undocumented.length === 0) return undefined;
      return {
        hint: `Give every field a "doc": the registry shows it to everyone who reads this topic, and it is where meanings like "count is 0-based" live — ${readme(1)}`,
        detail: `no doc: ${undocumented.map((f) => String(f.name)).join(', ')}`,
      };
    },
  },
  {
    title: 'session_id is a string with logicalType uuid inside its type',
    check: (schema) => logicalTypeProblem(schema, 'session_id', 'string', 'uuid'),
  },
  {
    title: 'timestamp is a long with logicalType timestamp-millis inside its type',
    check: (schema) => logicalTypeProblem(schema, 'timestamp', 'long', 'timestamp-millis'),
  },
  {
    title: 'action is the enum Action: EnterPage, PressButton, ExitPage',
    check(schema) {
      const found = field(schema, 'action');
      if (!found) return { hint: `Add the field "action" — ${readme(1)}` };
      const type = found.type;
      const wanted = '{"type": "enum", "name": "Action", "symbols": ["EnterPage", "PressButton", "ExitPage"]}';
      if (
        !isObject(type) ||
        type.type !== 'enum' ||
        type.name !== 'Action' ||
        show(type.symbols) !== show(['EnterPage', 'PressButton', 'ExitPage'])
      ) {
        return { hint: `"action" must be the enum ${wanted}, symbols in that order — ${readme(1)}`, detail: `found "type": ${show(type)}` };
      }
      return undefined;
    },
  },
  {
    title: 'count is an int; country_code and country_name are strings',
    check: (schema) =>
      firstProblem(
        plainTypeProblem(schema, 'count', 'int'),
        plainTypeProblem(schema, 'country_code', 'string'),
        plainTypeProblem(schema, 'country_name', 'string'),
      ),
  },
  {
    title: 'subdivision_name, city_name and cohort are optional: ["null", …] with default null',
    check: (schema) =>
      firstProblem(
        optionalFieldProblem(schema, 'subdivision_name', 'string'),
        optionalFieldProblem(schema, 'city_name', 'string'),
        optionalFieldProblem(schema, 'cohort', 'int'),
      ),
  },
];

/** The first problem of any rule: tests that register the schema check this first, so a half-written
 * schema never becomes a version of a subject (BACKWARD would then hold every later version to it). */
export function schemaProblem(srcDir: string): Problem | undefined {
  const read = readSchemaFile(srcDir);
  if ('problem' in read) return read.problem;
  return firstProblem(...schemaRules.map((rule) => rule.check(read.schema)));
}
