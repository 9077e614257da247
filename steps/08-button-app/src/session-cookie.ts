import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The visit's id travels in a signed cookie (@fastify/cookie, HMAC with the app's secret): a browser can
 * keep it or lose it, but not invent one or alter it. httpOnly — page scripts never see it; SameSite=Strict —
 * another site cannot make a visitor's browser send it.
 */
const cookieName = 'visit';

/** The session id, if the request carries a cookie this app signed; undefined for none, a forged or a garbled one. */
export function readSessionId(request: FastifyRequest): string | undefined {
  const raw = request.cookies[cookieName];
  if (!raw) return undefined;
  const { valid, value } = request.unsignCookie(raw);
  return valid && value ? value : undefined;
}

export function setSessionCookie(reply: FastifyReply, sessionId: string): void {
  reply.setCookie(cookieName, sessionId, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    // Secure when the page came over HTTPS (directly or via a trusted proxy); plain http on a laptop works too.
    secure: 'auto',
  });
}
