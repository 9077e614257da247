import { randomUUID } from 'node:crypto';

/**
 * What the server remembers about one visit (one page view, from EnterPage to ExitPage). The browser
 * holds only the session id, in a signed cookie: it cannot pick its own count or take over someone
 * else's visit.
 */
export interface Visit {
  readonly sessionId: string;
  /** The `count` of this visit's next event: 0 before EnterPage, +1 after every event. */
  nextCount: number;
}

/**
 * The visits in progress, in memory. A visit ends with its ExitPage; one whose browser never said goodbye
 * (battery died, tab killed) is dropped when `maxVisits` newer ones have started, so memory stays bounded.
 * A restarted server forgets every visit: the next press simply starts a new one.
 */
export class VisitStore {
  readonly #visits = new Map<string, Visit>();

  constructor(private readonly maxVisits = 10_000) {}

  begin(): Visit {
    const visit: Visit = { sessionId: randomUUID(), nextCount: 0 };
    this.#visits.set(visit.sessionId, visit);
    // A Map iterates in insertion order: the first key is the oldest visit.
    if (this.#visits.size > this.maxVisits) this.#visits.delete(this.#visits.keys().next().value!);
    return visit;
  }

  find(sessionId: string): Visit | undefined {
    return this.#visits.get(sessionId);
  }

  end(sessionId: string): void {
    this.#visits.delete(sessionId);
  }

  /** Takes an ended visit back (its ExitPage was not stored): its cookie works again, its counts go on. */
  resume(visit: Visit): void {
    this.#visits.set(visit.sessionId, visit);
  }
}
