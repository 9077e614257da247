import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyLoggerOptions,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { buttonRoutes, EventNotStored } from './button-routes.js';
import type { GeoLookup } from './geo.js';
import { problemFragment, problemPage, tooManyRequestsFragment, tryAgainFragment, type SafeHtml } from './pages.js';
import type { EventSink } from './produce.js';
import { statsRoutes, type PressStatsSource } from './stats.js';
import { VisitStore } from './visits.js';

export interface ButtonAppOptions {
  /** Where events go: Kafka (`avroEventSink`), or a wrapper around it that lets a test watch. */
  events: EventSink;
  geo: GeoLookup;
  /** Signs the visit cookie. Keep it secret; a new one only makes the current visits start afresh. */
  cookieSecret: string;
  /**
   * fastify's `trustProxy`. Default false: `request.ip` is the connection's peer and X-Forwarded-For is
   * ignored — anyone can write that header. Set it to your reverse proxy's address(es) or CIDR(s) (e.g.
   * '127.0.0.1'), and `request.ip` becomes the client that proxy names.
   */
  trustProxy?: boolean | string | string[];
  /** Requests per client address per window; past it a friendly 429. Default 3000 a minute (see `roomRateLimit`). */
  rateLimit?: { max: number; timeWindowMs: number };
  /** How long a request waits for Kafka to take its event before it answers 503 (default 5 s). */
  kafkaWaitMs?: number;
  /** A request (headers and body) must have arrived within this, or the connection is answered 408 and closed (default 10 s). */
  requestTimeoutMs?: number;
  /** Presses by country for /stats (ClickHouse: `clickHouseStats`). */
  stats?: PressStatsSource;
  /** Log lines go here as JSON (default: stdout). */
  logger?: { stream?: { write(line: string): void }; level?: string };
  /** For the replies; tests pass a seeded one. */
  random?: () => number;
  visits?: VisitStore;
}

// Our page's own files, and htmx served from node_modules: no CDN, so the CSP can say 'self' only.
const publicDir = join(import.meta.dirname, 'public');
const htmxDir = dirname(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

/**
 * The button app, every plugin registered here in order: logging without IPs, security headers, signed
 * cookies, form bodies, rate limit, static files, then the routes. Returns the instance without
 * listening: tests call `app.inject()`, server.ts calls `listen()`.
 */
export function buildApp(options: ButtonAppOptions): FastifyInstance {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    logger: loggerOptions(options.logger),
    trustProxy: options.trustProxy ?? false,
    // Nothing this app accepts has a body worth more than a few bytes.
    bodyLimit: 1024,
    // A client that sends its request a byte at a time (or never finishes it) holds a connection: Node closes
    // it after requestTimeout — checked every second rather than every 30 (Node's default).
    requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) },
  });

  app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy } });
  app.register(cookie, { secret: options.cookieSecret });
  app.register(formbody);
  const { max, timeWindowMs } = options.rateLimit ?? roomRateLimit;
  app.register(rateLimit, {
    max,
    timeWindow: timeWindowMs,
    keyGenerator: client,
    errorResponseBuilder: (_request, context) => new TooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  app.register(fastifyStatic, { root: [publicDir, htmxDir], prefix: '/static/', index: false });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 404, problemFragment(404, 'Nothing here. (Even less than the button does.)')));

  app.register(buttonRoutes, {
    events: options.events,
    geo: options.geo,
    visits: options.visits ?? new VisitStore(),
    random: options.random ?? Math.random,
    newVisitRateLimit: { keyGenerator: client },
    kafkaWaitMs: options.kafkaWaitMs ?? 5000,
  });
  app.register(statsRoutes, { stats: options.stats });
  return app;
}

/** Our own scripts and styles only: no inline <script>, no inline style, no eval, no other origin. */
const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * Visitors' IP addresses are looked up and dropped; they must not reach a log line either. fastify's
 * default request serializer logs `remoteAddress`, so ours logs method and URL only; the redact paths
 * catch an address logged by accident as an object field (a message string they cannot catch: never
 * put an IP in one).
 */
function loggerOptions(logger: ButtonAppOptions['logger']): FastifyLoggerOptions & { redact?: { paths: string[]; censor: string } } {
  return {
    level: logger?.level ?? 'info',
    stream: logger?.stream,
    serializers: { req: (request: { method?: string; url?: string }) => ({ method: request.method, url: request.url }) },
    redact: {
      paths: ['ip', 'ips', '*.ip', '*.ips', 'remoteAddress', '*.remoteAddress', 'req.headers["x-forwarded-for"]', 'headers["x-forwarded-for"]'],
      censor: '[not logged]',
    },
  };
}

/**
 * One bucket per client address, whatever cookie comes with the request: a cookie is the client's to make up,
 * so a fresh one per request must buy nothing. A whole room may share one address behind the venue's NAT, so
 * the bucket is sized for the room: 40 phones × (60 presses + a few page loads) a minute ≈ 2600, rounded up to
 * 3000 a minute — one person alone can press 50 times a second before the 429. (The limiter keeps the address
 * in memory, for one window, to count; it is never logged, sent or stored.)
 */
const roomRateLimit = { max: 3000, timeWindowMs: 60_000 };

function client(request: FastifyRequest): string {
  return `client:${request.ip}`;
}

class TooManyRequests extends Error {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit exceeded, retry in ${retryAfterSeconds} s`);
  }
}

/**
 * Every error becomes a page a person can read. 4xx — a malformed or oversized request, a bad header — is
 * the client's: a short log line, no stack. 5xx is ours: logged with its cause, never shown in detail.
 */
function handleError(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof TooManyRequests) {
    return sendProblem(request, reply, 429, tooManyRequestsFragment(error.retryAfterSeconds));
  }
  // Kafka away (a broker restarting): ours, but expected and temporary — one line, no stack, and a page
  // that says to press again.
  if (error instanceof EventNotStored) {
    request.log.warn(`${request.method} ${request.url} answered 503: ${error.message}`);
    reply.header('retry-after', String(error.retryAfterSeconds));
    return sendProblem(request, reply, 503, tryAgainFragment(error.retryAfterSeconds));
  }
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    request.log.error({ err: error }, `${request.method} ${request.url} failed: ${error.message}`);
    return sendProblem(request, reply, 500, problemFragment(500, 'The button broke (for real this time). The server log says why.'));
  }
  request.log.info({ statusCode: status, code: error.code }, `rejected: ${error.message}`);
  return sendProblem(request, reply, status, problemFragment(status, `That did not look like a button press: ${error.message}`));
}

/** htmx swaps a fragment into the page; anything else (the address bar) gets a whole page. */
function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, fragment: SafeHtml) {
  const body = request.headers['hx-request'] === 'true' ? fragment : problemPage(status, fragment);
  return reply.code(status).type('text/html; charset=utf-8').send(body.value);
}
