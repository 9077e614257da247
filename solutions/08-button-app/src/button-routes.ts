import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ButtonAction } from '@workshop/shared';
import { toButtonPressEvent } from './button-press-event.js';
import type { GeoLookup } from './geo.js';
import { buttonPage, replyFragment } from './pages.js';
import type { EventSink } from './produce.js';
import { pickReply } from './replies.js';
import { readSessionId, setSessionCookie } from './session-cookie.js';
import type { Visit, VisitStore } from './visits.js';

export interface ButtonRoutesOptions {
  events: EventSink;
  geo: GeoLookup;
  visits: VisitStore;
  random: () => number;
  /** The rate limit of GET /: per client address, since a new visit has no cookie yet. */
  newVisitRateLimit: { keyGenerator: (request: FastifyRequest) => string };
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
  const { events, geo, visits, random } = options;

  async function record(request: FastifyRequest, visit: Visit, action: ButtonAction) {
    const event = toButtonPressEvent(request, visit, action, geo);
    await events.send(event);
    return event;
  }

  async function beginVisit(request: FastifyRequest, reply: FastifyReply): Promise<Visit> {
    const visit = visits.begin();
    await record(request, visit, 'EnterPage');
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
      visits.end(visit.sessionId);
      await record(request, visit, 'ExitPage');
    }
    return reply.code(204).send();
  });
}
