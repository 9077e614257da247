import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import kafkajs from 'kafkajs';
import type { ButtonAction, ButtonPressEvent } from '@workshop/shared';
import { toButtonPressEvent } from './button-press-event.js';
import type { GeoLookup } from './geo.js';
import { buttonPage, replyFragment } from './pages.js';
import type { EventSink } from './produce.js';
import { pickReply } from './replies.js';
import { readSessionId, setSessionCookie } from './session-cookie.js';
import type { Visit, VisitStore } from './visits.js';

// kafkajs is a CommonJS package: Node's ES modules see only some of its names, so take its errors from the default export.
const { KafkaJSError } = kafkajs;

export interface ButtonRoutesOptions {
  events: EventSink;
  geo: GeoLookup;
  visits: VisitStore;
  random: () => number;
  /** The rate limit of GET /: per client address, since a new visit has no cookie yet. */
  newVisitRateLimit: { keyGenerator: (request: FastifyRequest) => string };
  /** How long a request waits for Kafka to take its event before it answers 503. */
  kafkaWaitMs: number;
}

/**
 * Kafka did not take the event — it refused it, or did not answer within `kafkaWaitMs` (a broker restarting):
 * a 503 with Retry-After, so the visitor presses again in a moment. The producer reconnects by itself; nothing
 * here needs a restart.
 */
export class EventNotStored extends Error {
  readonly statusCode = 503;
  readonly retryAfterSeconds = 5;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the event was not stored: ${reason}`, options);
  }
}

/** Nothing a press sends matters — so accept nothing: an empty form (what htmx posts) and htmx's header. */
const pressSchema = {
  headers: {
    type: 'object',
    // A cross-site form cannot set this header: one more reason a press comes from our own page.
    properties: { 'hx-request': { const: 'true' } },
    required: ['hx-request'],
  },
  body: { type: 'object', maxProperties: 0 },
} as const;

/** Bodies are empty; anything bigger than this is not a button press (413 before any handler runs). */
const tinyBody = 256;

/**
 * The button page: GET / starts a visit (EnterPage), POST /press presses (PressButton), POST /exit ends
 * the visit (ExitPage, sent by the page's pagehide beacon). Each event is sent before the answer, so a
 * visitor sees a reply only for a press that reached Kafka.
 */
export async function buttonRoutes(app: FastifyInstance, options: ButtonRoutesOptions): Promise<void> {
  const { events, geo, visits, random, kafkaWaitMs } = options;
  /** Each visit's last event in flight: a visit's events are sent one at a time, in order. */
  const inFlight = new WeakMap<Visit, Promise<unknown>>();

  /**
   * Sends the visit's next event once its previous one is settled, and moves the visit on only when Kafka has
   * it: toButtonPressEvent() gets a copy of the visit, so a refused event leaves no gap in the counts — the
   * next one takes the same count. A request that gave up waiting (503) sends nothing when its turn comes; one
   * whose send is under way when it gives up still holds the turn, so the next count waits for its outcome.
   * `ifNotStored` runs when the event is known not to be stored (refused, or never sent).
   */
  async function record(request: FastifyRequest, visit: Visit, action: ButtonAction, ifNotStored = () => {}): Promise<ButtonPressEvent> {
    let gaveUp = false;
    const turn = (inFlight.get(visit) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        if (gaveUp) {
          ifNotStored();
          throw new EventNotStored('waited too long for the previous event of the visit');
        }
        const draft = { ...visit };
        const event = toButtonPressEvent(request, draft, action, geo);
        await events.send(event).catch((error: unknown) => {
          ifNotStored();
          throw error instanceof KafkaJSError ? new EventNotStored(`Kafka refused it (${error.message})`, { cause: error }) : error;
        });
        visit.nextCount = draft.nextCount;
        return event;
      });
    inFlight.set(visit, turn);
    // Settled later, when no one may be waiting for it any more: not an unhandled rejection.
    turn.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        reject(new EventNotStored(`Kafka did not acknowledge it within ${kafkaWaitMs} ms`));
      }, kafkaWaitMs);
    });
    try {
      return await Promise.race([turn, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function beginVisit(request: FastifyRequest, reply: FastifyReply): Promise<Visit> {
    const visit = visits.begin();
    // A visit whose EnterPage was not stored is forgotten, and gets no cookie: the next request starts afresh.
    await record(request, visit, 'EnterPage', () => visits.end(visit.sessionId));
    setSessionCookie(reply, visit.sessionId);
    return visit;
  }

  /** The visit this request belongs to — only if its cookie is ours and the visit is still going. */
  function currentVisit(request: FastifyRequest): Visit | undefined {
    const sessionId = readSessionId(request);
    return sessionId === undefined ? undefined : visits.find(sessionId);
  }

  // Each page view is a visit: a reload first ends the old one (pagehide), then starts a new one here.
  // No automatic HEAD route: a link checker's HEAD is not a visit.
  app.get('/', { exposeHeadRoute: false, config: { rateLimit: options.newVisitRateLimit } }, async (request, reply) => {
    await beginVisit(request, reply);
    return reply.type('text/html; charset=utf-8').send(buttonPage().value);
  });

  // #region press-route
  app.post('/press', { schema: pressSchema, bodyLimit: tinyBody }, async (request, reply) => {
    // No cookie, a forged one, or a visit this server forgot (a restart, or the tab came back from the
    // back/forward cache after its ExitPage): never trust it, start a fresh visit.
    const visit = currentVisit(request) ?? (await beginVisit(request, reply));
    const event = await record(request, visit, 'PressButton');
    return reply.type('text/html; charset=utf-8').send(replyFragment(pickReply(random), event.count).value);
  });
  // #endregion press-route

  // Not rate-limited: it sends at most one event per visit, and a visitor who pressed too fast must still
  // be able to leave (or the visit would never get its ExitPage).
  app.post('/exit', { bodyLimit: tinyBody, config: { rateLimit: false } }, async (request, reply) => {
    const visit = currentVisit(request);
    // An ExitPage only for a visit in progress: a second beacon, or one for a forgotten visit, is ignored.
    if (visit) {
      // Ended at once, so a second beacon sent meanwhile finds no visit; taken back if Kafka did not store the
      // ExitPage — the visit is not over until its ExitPage is stored, and its next request carries on.
      visits.end(visit.sessionId);
      await record(request, visit, 'ExitPage', () => visits.resume(visit));
    }
    return reply.code(204).send();
  });
}
