import { HintError } from './hints.js';

export interface PollOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Wait between attempts (ms). */
  intervalMs?: number;
  /** What the participant should do if the deadline passes. */
  hint: string;
}

/**
 * Calls `attempt` until it returns something other than `undefined` (or stops throwing), or the deadline
 * passes. Tests poll a real system instead of sleeping a fixed time: fast when things are fast,
 * patient when a machine is busy.
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined> | T | undefined, options: PollOptions): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 250, hint } = options;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no result yet';
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new HintError(hint, `gave up after ${Math.round(timeoutMs / 1000)} s; last: ${lastProblem}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
