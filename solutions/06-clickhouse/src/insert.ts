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
