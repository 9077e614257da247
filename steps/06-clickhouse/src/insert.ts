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
  // TODO(step 06): ONE clickhouse.insert({ table, values, format: 'JSONEachRow', … }) for all the events.
  throw new Error('TODO: store the batch with one INSERT in insertButtonPresses() (README §2)');
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
  // TODO(step 06): try insert(rows); if it throws and refusedForItsData(error) is false, rethrow. If it is true:
  // a single row is refused — return [{ row, error }]; more rows — split them in two halves and do the same
  // with each (recursion), returning the refused rows of both.
  throw new Error('TODO: split a refused INSERT until the bad rows stand alone in insertIsolatingBadRows() (README §7)');
}
