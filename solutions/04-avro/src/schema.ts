import { readFileSync } from 'node:fs';

/** The shape of an Avro record schema as JSON (what `button-press.avsc` holds). */
export interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
}

/** The event's schema, read from the `.avsc` beside this file (README §1). */
export function loadButtonPressSchema(): AvroRecordSchema {
  return JSON.parse(readFileSync(new URL('./button-press.avsc', import.meta.url), 'utf8')) as AvroRecordSchema;
}

/**
 * A new version of `schema` with one more, optional field (README §4). Optional means `null` is allowed
 * AND is the default: a reader of the new version fills the field with null in events written before it
 * existed — that is what makes the change backward compatible. Avro takes a union's default from its
 * FIRST branch, so `null` goes first, and the default is JSON `null`, not the string `"null"`.
 */
export function withOptionalField(schema: AvroRecordSchema, field: { name: string; type: string; doc: string }): AvroRecordSchema {
  return {
    ...schema,
    fields: [...schema.fields, { name: field.name, type: ['null', field.type], default: null, doc: field.doc }],
  };
}
