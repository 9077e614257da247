import type { FastifyRequest } from 'fastify';
import type { ButtonAction, ButtonPressEvent } from '@workshop/shared';
import type { GeoLookup } from './geo.js';
import type { Visit } from './visits.js';

/**
 * README §1 — one request becomes one event. Everything the event says comes from the server's side:
 * the visit's own counter, the server's clock, the location of the address the request came from.
 *
 * `request.ip` is that address as fastify determined it: the connection's peer, or — only when the app
 * was built with a trusted proxy — the client that proxy names in X-Forwarded-For. Reading the header
 * yourself would let any visitor claim to be anywhere. The IP is used for the lookup and goes no
 * further: not into the event, not into a log line.
 */
export function toButtonPressEvent(request: FastifyRequest, visit: Visit, action: ButtonAction, geo: GeoLookup): ButtonPressEvent {
  const location = geo.lookupLocation(request.ip);
  // Take this visit's next number and move the visit on: counts go 0, 1, 2, … per visit, not per server.
  const count = visit.nextCount;
  visit.nextCount += 1;
  return {
    session_id: visit.sessionId,
    timestamp: new Date().toISOString(),
    action,
    count,
    ...location,
    // 0 = a real person on the web page (simulated visitors carry null).
    cohort: 0,
  };
}
