import Fastify, { type FastifyInstance } from 'fastify';
import { roomCodeMatches } from './room-code.js';

/**
 * The room's join endpoint (served by `npm run room`): `GET /join` with the room code in the `x-room-code` header
 * answers what `npm run join` writes into a participant's `.env` — the room's settings, credentials and CA. A missing or
 * wrong code gets 403 and nothing else; an address that sent too many wrong codes gets 429 from then on (the code is
 * short enough to read aloud, so guessing must not be free). HTTPS with the room's own certificate: the credentials do
 * not cross the venue's Wi-Fi in clear. It logs nothing (a request log would hold addresses and codes).
 */

export const roomJoinPort = 8092;
export const roomCodeHeader = 'x-room-code';

export interface JoinAnswer {
  variables: Record<string, string>;
  files: { caPem: string; clientCert: string; clientKey: string };
}

export interface JoinServerOptions {
  code: string;
  /** Read at each join: the stack writes its settings when it starts. */
  answer: () => JoinAnswer;
  /** The room's key pair; without it plain HTTP (tests through inject). */
  tls?: { cert: string; key: string };
  /** Wrong codes an address may send before it is refused for good (this room's life). */
  maxWrongCodes?: number;
  /** Told of each join, with the name the participant gave (never the code). */
  onJoin?: (name: string | undefined) => void;
}

export function buildJoinServer(options: JoinServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, ...(options.tls ? { https: options.tls } : {}) }) as unknown as FastifyInstance;
  const maxWrong = options.maxWrongCodes ?? 20;
  const wrongCodes = new Map<string, number>();

  app.get('/', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .send('A workshop room. Join it from the kit: npm run join -- <this address> --name <you> --code <room code>\n'),
  );

  app.get('/join', async (request, reply) => {
    const from = request.ip;
    if ((wrongCodes.get(from) ?? 0) >= maxWrong) {
      return reply.code(429).send({ error: 'too many wrong room codes from this address: ask the presenter' });
    }
    const typed = request.headers[roomCodeHeader];
    if (!roomCodeMatches(typeof typed === 'string' ? typed : undefined, options.code)) {
      wrongCodes.set(from, (wrongCodes.get(from) ?? 0) + 1);
      return reply.code(403).send({ error: 'wrong room code: use the one on the presenter’s screen' });
    }
    const name = request.headers['x-participant'];
    options.onJoin?.(typeof name === 'string' ? name : undefined);
    return reply.header('cache-control', 'no-store').send(options.answer());
  });

  return app;
}
