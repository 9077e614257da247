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
