import type { ClickHouseClient } from '@clickhouse/client';
import type { ButtonPressEvent } from '@workshop/shared';

/** An event as the registry decodes it: the same fields, the time a `Date` (Avro timestamp-millis). */
export type AvroButtonPress = Omit<ButtonPressEvent, 'timestamp'> & { timestamp: Date };

/**
 * README §2: stores a batch of events with ONE INSERT. ClickHouse writes every INSERT as a new part on
 * disk and merges parts in the background: one INSERT per event means thousands of tiny parts, slow
 * inserts and, soon, "Too many parts". ClickHouse's own advice is batches of 1,000s of rows.
 */
export async function insertButtonPresses(clickhouse: ClickHouseClient, table: string, events: AvroButtonPress[]): Promise<void> {
  await clickhouse.insert({
    table,
    values: events,
    format: 'JSONEachRow',
    // JSON turns each Date into an ISO string ("…T09:00:01.234Z"); best_effort parses the T, the Z and the
    // milliseconds on every ClickHouse version (some default to the stricter 'basic').
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
}

/**
 * ClickHouse answered that the rows themselves cannot be stored — a value it cannot parse, a type it cannot
 * convert, a table constraint violated: storing them again will fail again. Anything else (no answer, a
 * timeout, a 5xx, a missing table, too many parts) is not the rows' fault: wait and try again (README §8).
 */
export function refusedForItsData(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : '';
  return /^(CANNOT_PARSE_\w+|CANNOT_CONVERT_TYPE|CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN|INCORRECT_DATA|TYPE_MISMATCH|VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE|UNKNOWN_ELEMENT_OF_ENUM|VIOLATED_CONSTRAINT|TOO_LARGE_STRING_SIZE|ARGUMENT_OUT_OF_BOUND|DECIMAL_OVERFLOW)$/.test(
    type,
  );
}

/** A row ClickHouse refused, and its answer. */
export interface RefusedRow<T> {
  row: T;
  error: unknown;
}

/**
 * README §7: inserts `rows`; when ClickHouse refuses the INSERT for its data, one bad row fails the whole
 * INSERT — so split the rows in halves and insert each half the same way, until each refused row stands
 * alone. Returns the refused rows (for the dead-letter topic); every other row is stored. A few INSERTs per
 * bad row (about 2·log2 of the batch), not one per row. Any other error is thrown as it is.
 */
export async function insertIsolatingBadRows<T>(rows: T[], insert: (rows: T[]) => Promise<void>): Promise<RefusedRow<T>[]> {
  if (rows.length === 0) return [];
  // #region split-in-halves
  try {
    await insert(rows);
    return [];
  } catch (error) {
    if (!refusedForItsData(error)) throw error;
    if (rows.length === 1) return [{ row: rows[0]!, error }];
    const half = Math.ceil(rows.length / 2);
    const refused = await insertIsolatingBadRows(rows.slice(0, half), insert);
    return [...refused, ...(await insertIsolatingBadRows(rows.slice(half), insert))];
  }
  // #endregion split-in-halves
}
