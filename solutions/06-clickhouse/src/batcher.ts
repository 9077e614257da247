/**
 * README §4: collects items and hands them to `flush` in batches — when `maxRows` are waiting, or when the
 * oldest has waited `maxWaitMs`, whichever comes first. Size keeps INSERTs big when events pour in; time
 * keeps a quiet stream from sitting unstored (and uncommitted) for ever.
 */
export interface BatcherOptions<T> {
  /** Flush as soon as this many items are waiting. */
  maxRows: number;
  /** …or when the first waiting item has waited this long. */
  maxWaitMs: number;
  /** Stores a batch; resolves when it is stored. Called with one batch at a time, in order. */
  flush: (items: T[]) => Promise<void>;
  /** A flush that the timer started failed (nobody awaits it, so it is reported here). */
  onError: (error: unknown) => void;
}

export interface Batcher<T> {
  /**
   * Adds an item. When it fills a batch, resolves only once that batch is flushed (so a slow database
   * slows the reader down instead of piling rows up in memory) and rejects if the flush failed.
   */
  add(item: T): Promise<void>;
  /** Flushes whatever is waiting now (nothing: no call to `flush`) and waits for it. */
  flush(): Promise<void>;
}

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const { maxRows, maxWaitMs, flush, onError } = options;
  let waiting: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Every flush chains onto the previous one: one at a time, in order. Batch 2 must never be stored (and
  // its offsets committed) before batch 1. A failed flush leaves the chain rejected, so nothing after it
  // is flushed either: committing later offsets would silently skip the rows that were not stored.
  // #region flush-in-order
  let flushed: Promise<void> = Promise.resolve();

  function flushWaiting(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    flushed = flushed.then(() => (batch.length > 0 ? flush(batch) : undefined));
    return flushed;
  }

  return {
    async add(item) {
      waiting.push(item);
      if (waiting.length >= maxRows) return flushWaiting();
      timer ??= setTimeout(() => flushWaiting().catch(onError), maxWaitMs);
    },
    flush: flushWaiting,
  };
  // #endregion flush-in-order
}
