import { buttonActions } from '@workshop/shared';

/**
 * README §7: does a decoded record fit the table? The registry decodes whatever schema the record was written
 * with — another schema registered under the subject decodes too — and ClickHouse is not a judge: it stores a
 * missing field as its default (country_name ''), wraps a count over 2^32 and drops a field it has no column
 * for, without a word. So the sink checks each row itself, before the INSERT, against the table's columns.
 * Returns undefined when the row fits, else what is wrong (the dead letter's reason).
 */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const uint32Max = 2 ** 32 - 1;

// #region check-row
/** Each column of the events table, and what a value must be to fit it. */
const columns: Record<string, (value: unknown) => boolean> = {
  session_id: (v) => typeof v === 'string' && uuid.test(v), // UUID
  timestamp: (v) => v instanceof Date && !Number.isNaN(v.getTime()), // DateTime64(3, 'UTC')
  action: (v) => typeof v === 'string' && (buttonActions as readonly string[]).includes(v), // Enum8
  count: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= uint32Max, // UInt32
  country_code: (v) => typeof v === 'string',
  country_name: (v) => typeof v === 'string',
  subdivision_name: (v) => v === null || typeof v === 'string', // Nullable(String)
  city_name: (v) => v === null || typeof v === 'string',
  cohort: (v) => v === null || (Number.isInteger(v) && (v as number) >= int32.min && (v as number) <= int32.max), // Nullable(Int32)
};

export function checkRow(event: object): string | undefined {
  const row = event as Record<string, unknown>;
  for (const [column, fits] of Object.entries(columns)) {
    if (!(column in row)) return `no field ${column}: written with another schema?`;
    if (!fits(row[column])) return `${column} ${JSON.stringify(row[column])} does not fit the column ${column}`;
  }
  const extra = Object.keys(row).filter((field) => !(field in columns));
  if (extra.length > 0) return `no column for the field(s) ${extra.join(', ')}: written with another schema?`;
  return undefined;
}
// #endregion check-row
