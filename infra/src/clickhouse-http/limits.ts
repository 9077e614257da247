import type { SchedulerLimits } from './scheduler.js';

export interface ClickHouseHttpLimits extends SchedulerLimits {
  /** The longest a statement runs (max_execution_time; a request may lower it, never raise it). */
  maxExecutionSeconds: number;
  /** A request body larger than this is refused (413): chDB receives each statement as one buffer. */
  maxRequestBodyBytes: number;
  /** Named sessions (`session_id`) open at once. */
  maxSessions: number;
}

/**
 * Sized for one participant's laptop: the sink's inserts, a test suite and a dashboard at once. Memory held by
 * waiting requests is at most (slots + queue) × maxRequestBodyBytes = 20 × 16 MiB; the sink's batches are KiBs.
 */
export const defaultLimits: ClickHouseHttpLimits = {
  slots: 4,
  queue: 16,
  queueWaitMs: 30_000,
  maxExecutionSeconds: 30,
  maxRequestBodyBytes: 16 * 1024 * 1024,
  maxSessions: 16,
};
