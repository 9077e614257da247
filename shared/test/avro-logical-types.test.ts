import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroLogicalTypes } from '../src/avro-logical-types.js';

describe('Avro timestamp-millis ⇄ Date', () => {
  const type = avro.Type.forSchema(
    { type: 'record', name: 'T', fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }] },
    { logicalTypes: avroLogicalTypes },
  );

  it('encodes a Date as epoch milliseconds and decodes it back to the same instant', () => {
    const at = new Date('2026-11-22T10:11:12.345Z');
    const buffer = type.toBuffer({ at });
    expect(avro.Type.forSchema('long').fromBuffer(buffer)).toBe(at.getTime());
    expect(type.fromBuffer(buffer)).toEqual({ at });
  });

  it('rejects a value that is not a time (an ISO string must be turned into a Date first)', () => {
    expect(type.isValid({ at: '2026-11-22T10:11:12.345Z' })).toBe(false);
    expect(type.isValid({ at: Date.now() })).toBe(true);
  });
});
