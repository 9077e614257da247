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
  // TODO(step 06): keep the waiting items; flush when maxRows are waiting (add() then waits for that flush) or
  // maxWaitMs after the first of a batch arrived (a timer; its failure goes to onError). One flush at a time,
  // in order; after a failed flush, flush nothing more.
  throw new Error('TODO: write createBatcher() — flush by size or by time (README §4)');
}
