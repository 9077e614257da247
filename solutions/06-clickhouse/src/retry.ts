/**
 * README §8: an outage is waited out, never dead-lettered. When ClickHouse (or the registry) does not answer,
 * the records are fine: try the same thing again, waiting longer each time, until it answers. Nothing is
 * committed meanwhile, so a crash during the outage loses nothing either.
 */
export interface RetryOptions {
  /** true: the service did not answer (wait and try again); false: it answered, the error is the answer (throw it). */
  unavailable: (error: unknown) => boolean;
  /** The first wait; each next one doubles, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Called once when an outage begins (the first failed attempt)… */
  onOutage?: (error: unknown) => void;
  /** …and once when the service answers again, with how long it was away. */
  onRecovered?: (downMs: number) => void;
  /** Tells the consumer group the sink is alive while it waits (kafkajs' eachMessage `heartbeat`). */
  heartbeat?: () => Promise<void>;
  /** Aborted by stop(): give up waiting (the attempt's error is thrown; nothing was stored or committed). */
  signal?: AbortSignal;
}

export async function retryWhileUnavailable<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { unavailable, firstDelayMs, maxDelayMs, onOutage, onRecovered, heartbeat, signal } = options;
  let delay = firstDelayMs;
  let downSince: number | undefined;
  // #region retry-with-backoff
  for (;;) {
    try {
      const result = await attempt();
      if (downSince !== undefined) onRecovered?.(Date.now() - downSince);
      return result;
    } catch (error) {
      if (!unavailable(error)) {
        if (downSince !== undefined) onRecovered?.(Date.now() - downSince); // it answered: it is back
        throw error;
      }
      if (downSince === undefined) onOutage?.(error); // once per outage, not once per attempt
      downSince ??= Date.now();
      if (signal?.aborted) throw error;
      await waitWithHeartbeats(delay, { heartbeat, signal });
      if (signal?.aborted) throw error;
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
  // #endregion retry-with-backoff
}

/**
 * Waits `ms`, heartbeating every second: kafkajs heartbeats only between messages, and a member silent for
 * sessionTimeout (10 s in npm start) is thrown out of the group — its partitions, and its uncommitted work,
 * handed to someone else. Returns early when `signal` is aborted.
 */
export async function waitWithHeartbeats(ms: number, options: { heartbeat?: () => Promise<void>; signal?: AbortSignal }): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !options.signal?.aborted) {
    await options.heartbeat?.().catch(() => undefined); // a rebalance: the commit after the outage will say so
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(1000, until - Date.now()));
      function done() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
      options.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
