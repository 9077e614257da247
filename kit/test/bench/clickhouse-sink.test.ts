import { afterEach, describe, expect, it, vi } from 'vitest';
import { rowsStoredBy } from '../../src/bench/clickhouse-sink.js';

/** The ClickHouse row's clock stops when the sink reports the last row stored — from its onBatch, not from polling. */
describe('bench: ClickHouse sink, rows stored', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves with the moment the batches add up to the expected rows, not before', async () => {
    const { onBatch, stored } = rowsStoredBy(10, 60_000);
    let settled = false;
    void stored.then(() => (settled = true));
    onBatch({ rows: 4, deadLetters: 0, ms: 1 });
    onBatch({ rows: 5, deadLetters: 1, ms: 1 }); // a dead letter is not a row stored
    await Promise.resolve();
    expect(settled).toBe(false);
    const before = performance.now();
    onBatch({ rows: 1, deadLetters: 0, ms: 1 });
    const at = await stored;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(performance.now());
  });

  it('rejects with how far the sink got when the rows never add up', async () => {
    vi.useFakeTimers();
    const { onBatch, stored } = rowsStoredBy(10, 5000);
    onBatch({ rows: 7, deadLetters: 0, ms: 1 });
    vi.advanceTimersByTime(5000);
    await expect(stored).rejects.toThrow('stored 7 of 10 rows in 5 s');
  });
});
