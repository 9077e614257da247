import type { ButtonAction } from '@workshop/shared';

/**
 * Visitors pressing the button through the button app's own routes, at a steady overall rate: GET / starts a visit
 * (EnterPage, count 0, the signed visit cookie), POST /press presses (the answer names the press's count), POST /exit
 * ends it (204; its count is the last one + 1). Every answer the app gives with a 2xx is an acknowledgement — the app
 * answers only once Kafka has the event — recorded as (session_id, count).
 *
 * After a refused request (503 while Kafka is away, a connection error) a visit's next request is a press, never an
 * exit: a press that the app gave up on may still be stored (its send was under way), and only a press's answer says
 * which count the visit has reached — so an exit's count is always known.
 */

export interface Acknowledgement {
  sessionId: string;
  count: number;
  action: ButtonAction;
  /** Date.now() when the answer arrived. */
  at: number;
}

export interface DriverStats {
  requests: number;
  acknowledged: number;
  /** Answers by status, for the non-2xx ones (503: Kafka away). */
  refused: Record<string, number>;
  /** No answer: connection refused or reset, timed out. */
  errors: number;
}

export interface PressDriver {
  /** No new requests until resume(); resolves once the ones in flight are answered. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops for good once the requests in flight are answered. */
  stop(): Promise<void>;
  stats(): DriverStats;
}

interface VisitorState {
  /** The cookie as the app set it (`visit=<signed value>`), and the session id inside. */
  cookie?: string;
  sessionId?: string;
  lastCount: number;
  pressesLeft: number;
  /** The last request was refused: press next (see above). */
  mustPress: boolean;
  busy: boolean;
}

const pressHeaders = { 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' };

/** The session id in a Set-Cookie of the app's visit cookie (`visit=<uuid>.<signature>; Path=/…`), with the cookie to send back. */
export function visitCookieOf(setCookies: string[]): { cookie: string; sessionId: string } | undefined {
  const raw = setCookies.find((c) => c.startsWith('visit='))?.split(';')[0];
  if (!raw) return undefined;
  const value = decodeURIComponent(raw.slice('visit='.length));
  const dot = value.lastIndexOf('.');
  return dot > 0 ? { cookie: raw, sessionId: value.slice(0, dot) } : undefined;
}

/** The count in a press's answer (`…press #12…`). */
export function pressCountOf(body: string): number | undefined {
  const match = /press #(\d+)/.exec(body);
  return match ? Number(match[1]) : undefined;
}

export function startPressDriver(options: {
  url: string;
  eventsPerSecond: number;
  visitors: number;
  onAcknowledged: (ack: Acknowledgement) => void;
  /** A request gets this long before it counts as an error (the app answers 503 within 5 s when Kafka is away). */
  timeoutMs?: number;
  random?: () => number;
}): PressDriver {
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const stats: DriverStats = { requests: 0, acknowledged: 0, refused: {}, errors: 0 };
  const visitors: VisitorState[] = Array.from({ length: options.visitors }, () => ({
    lastCount: 0,
    pressesLeft: 0,
    mustPress: false,
    busy: false,
  }));
  const inFlight = new Set<Promise<void>>();
  let paused = false;
  let stopped = false;
  let issued = 0;
  let clockStart = Date.now();
  let next = 0;

  const acknowledge = (visitor: VisitorState, count: number, action: ButtonAction) => {
    stats.acknowledged += 1;
    visitor.lastCount = count;
    options.onAcknowledged({ sessionId: visitor.sessionId as string, count, action, at: Date.now() });
  };
  const refuse = (visitor: VisitorState, status: number | 'error') => {
    if (status === 'error') stats.errors += 1;
    else stats.refused[status] = (stats.refused[status] ?? 0) + 1;
    visitor.mustPress = true;
  };

  async function step(visitor: VisitorState): Promise<void> {
    stats.requests += 1;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      if (!visitor.cookie) {
        const response = await fetch(`${options.url}/`, { signal });
        await response.arrayBuffer();
        const visit = visitCookieOf(response.headers.getSetCookie());
        if (response.status !== 200 || !visit) return refuse(visitor, response.status);
        Object.assign(visitor, visit, { pressesLeft: 3 + Math.floor(random() * 20), mustPress: false });
        return acknowledge(visitor, 0, 'EnterPage');
      }
      if (visitor.pressesLeft > 0 || visitor.mustPress) {
        const response = await fetch(`${options.url}/press`, {
          method: 'POST',
          headers: { ...pressHeaders, cookie: visitor.cookie },
          body: '',
          signal,
        });
        const body = await response.text();
        if (response.status !== 200) return refuse(visitor, response.status);
        // The app forgot the visit (or never knew it): it began a new one, EnterPage included, with a new cookie.
        const fresh = visitCookieOf(response.headers.getSetCookie());
        if (fresh && fresh.sessionId !== visitor.sessionId) {
          Object.assign(visitor, fresh);
          acknowledge(visitor, 0, 'EnterPage');
        }
        const count = pressCountOf(body);
        if (count === undefined) return refuse(visitor, response.status);
        visitor.pressesLeft -= 1;
        visitor.mustPress = false;
        return acknowledge(visitor, count, 'PressButton');
      }
      const response = await fetch(`${options.url}/exit`, { method: 'POST', headers: { cookie: visitor.cookie }, signal });
      await response.arrayBuffer();
      if (response.status !== 204) return refuse(visitor, response.status);
      acknowledge(visitor, visitor.lastCount + 1, 'ExitPage');
      visitor.cookie = undefined;
      visitor.sessionId = undefined;
    } catch {
      refuse(visitor, 'error');
    }
  }

  // A steady overall rate: every tick issues what is due since the start, to whichever visitors are idle. A visitor
  // never has two requests out, so a visit's events stay in order; when all are busy (Kafka away) the rate drops.
  const tick = setInterval(() => {
    if (paused || stopped) return;
    const due = Math.floor(((Date.now() - clockStart) / 1000) * options.eventsPerSecond) - issued;
    for (let sent = 0; sent < due; sent += 1) {
      const visitor = idleVisitor();
      if (!visitor) {
        // Behind: forget what could not be sent rather than bursting later.
        issued += due - sent;
        break;
      }
      issued += 1;
      visitor.busy = true;
      const request = step(visitor).finally(() => {
        visitor.busy = false;
        inFlight.delete(request);
      });
      inFlight.add(request);
    }
  }, 10);

  function idleVisitor(): VisitorState | undefined {
    for (let i = 0; i < visitors.length; i += 1) {
      const visitor = visitors[(next + i) % visitors.length] as VisitorState;
      if (!visitor.busy) {
        next = (next + i + 1) % visitors.length;
        return visitor;
      }
    }
    return undefined;
  }

  const drain = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return {
    async pause() {
      paused = true;
      await drain();
    },
    resume() {
      paused = false;
      clockStart = Date.now();
      issued = 0;
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      await drain();
    },
    stats: () => ({ ...stats, refused: { ...stats.refused } }),
  };
}
