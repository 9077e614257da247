import avro from 'avsc';

/**
 * avsc reads `logicalType` but implements none: without these, a `timestamp-millis` field only accepts a
 * number. With them, a JavaScript `Date` goes in and comes out, and the schema's logical type (which the
 * JDBC sink turns into `timestamptz`) stays in the schema. Pattern from avsc's own docs (LogicalType).
 */
class TimestampMillisType extends avro.types.LogicalType {
  override _fromValue(value: number): Date {
    return new Date(value);
  }
  override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    // Already a number of milliseconds (e.g. Date.now()) is fine too; anything else is invalid.
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return this._fromValue.bind(this);
    return undefined;
  }
}

export const avroLogicalTypes = {
  'timestamp-millis': TimestampMillisType,
} as const;
