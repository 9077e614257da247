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
  // TODO(step 08): return the event of this request:
  //   - the location: geo.lookupLocation(request.ip) — the only use of the IP;
  //   - count: the visit's next count (visit.nextCount), and move the visit on (+1);
  //   - session_id: visit.sessionId; timestamp: now, as an ISO string in UTC; action as given;
  //   - cohort: 0, a real visitor of the web page.
  throw new Error('TODO: turn the request into a ButtonPressEvent in toButtonPressEvent() (README §1)');
}
