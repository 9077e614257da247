import { ClickHouseHttpError } from './errors.js';

/**
 * Several statements at once, a bounded line behind them. Each request has its own chDB connection, and
 * chDB runs statements on different connections in parallel — so a long query holds one slot and `SELECT 1`
 * takes another. One exception, chDB's and not ClickHouse's: statements with bound parameters ({x:Type}) must
 * not overlap each other (the engine's parameter state is shared between connections; overlapping ones read
 * each other's values or abort the engine), so those also take the one `parameters` turn. Measured on the
 * 2-core CI machine: 4 slots keep `SELECT 1` under 50 ms beside 3 busy long queries.
 */
export interface SchedulerLimits {
  /** Statements running at once. */
  slots: number;
  /** Requests admitted but not yet running (reading their body or waiting for a slot); beyond it: 503. */
  queue: number;
  /** How long an admitted request may wait for a slot before it is answered 503. */
  queueWaitMs: number;
}

export interface Scheduler {
  /** Admits a request (503 when the line is full); call `release()` on the ticket if it never runs. */
  admit(): Ticket;
  /** Runs `task` when a slot (and, for parameterized statements, the parameters turn) is free. */
  run<T>(ticket: Ticket, task: () => Promise<T>, options: { parameterized: boolean }): Promise<T>;
  /** Resolves when nothing runs or waits. */
  drained(): Promise<void>;
}

export interface Ticket {
  release(): void;
}

function tooMany(limits: SchedulerLimits, why: string): ClickHouseHttpError {
  return new ClickHouseHttpError(
    503,
    202,
    `Code: 202. DB::Exception: Too many simultaneous queries. Maximum: ${limits.slots + limits.queue} (${why}). (TOO_MANY_SIMULTANEOUS_QUERIES)`,
  );
}

export function createScheduler(limits: SchedulerLimits): Scheduler {
  let admitted = 0;
  let running = 0;
  const waiting: Array<() => void> = [];
  let parametersTail: Promise<unknown> = Promise.resolve();
  let idle: Array<() => void> = [];

  function settle(): void {
    if (admitted === 0 && running === 0) {
      for (const resolve of idle) resolve();
      idle = [];
    }
  }

  function next(): void {
    // The slot is taken here, for the waiter: it resumes later, and the next waiter must not get the same slot.
    while (running < limits.slots && waiting.length > 0) {
      running++;
      waiting.shift()!();
    }
  }

  return {
    admit() {
      if (admitted >= limits.queue) throw tooMany(limits, 'the queue is full');
      admitted++;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          admitted--;
          settle();
        },
      };
    },

    async run(ticket, task, { parameterized }) {
      if (running < limits.slots) running++;
      else {
        try {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              const index = waiting.indexOf(start);
              if (index >= 0) waiting.splice(index, 1);
              reject(tooMany(limits, `no slot freed within ${limits.queueWaitMs / 1000} s`));
            }, limits.queueWaitMs);
            const start = () => {
              clearTimeout(timer);
              resolve();
            };
            waiting.push(start);
          });
        } catch (error) {
          ticket.release();
          throw error;
        }
      }
      // Running counts this request before its ticket goes, so drained() never sees a gap between the two.
      ticket.release();
      try {
        if (!parameterized) return await task();
        const turn = parametersTail.then(task);
        parametersTail = turn.catch(() => undefined);
        return await turn;
      } finally {
        running--;
        next();
        settle();
      }
    },

    drained() {
      if (admitted === 0 && running === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
