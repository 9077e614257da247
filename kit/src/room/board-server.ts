import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import { boardPageHtml, gridHtml, type GridView } from './board-page.js';
import type { BoardState } from './board-state.js';

/**
 * `npm run board`'s web server: read-only — GET routes only, no cookie, no form, nothing a forged request could make it
 * do — and anonymous (the room's screen). It logs nothing (a request log would hold addresses). Host headers other than
 * its own names are refused, so a web page elsewhere cannot read it through DNS rebinding.
 */

export interface BoardServerOptions {
  state: BoardState;
  steps: readonly string[];
  stuckAfterMs: number;
  /** How often the page fetches the grid again. */
  refreshMs: number;
  /** Host names (without port) a request may name: the loopback ones are always allowed. */
  hostNames?: readonly string[];
  now?: () => Date;
}

// htmx from node_modules (the same package step 08 serves): no CDN, so the CSP can say 'self' only.
const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
const cssFile = join(import.meta.dirname, 'board.css');

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

/** `host:port` or `[v6]:port` → the name part. */
function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return match?.[1];
}

export function buildBoardServer(options: BoardServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const now = options.now ?? (() => new Date());
  const allowed = new Set([...loopbackNames, ...(options.hostNames ?? []).map((name) => name.toLowerCase())]);
  const htmx = readFileSync(htmxFile, 'utf8');
  const css = readFileSync(cssFile, 'utf8');

  app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    const name = hostName(request.headers.host);
    if (!name || !allowed.has(name)) return reply.code(421).type('text/plain').send('This board answers to its own address only.\n');
  });

  const view = (onlyStuck: boolean): GridView => ({
    rows: options.state.participants(),
    steps: options.steps,
    now: now(),
    stuckAfterMs: options.stuckAfterMs,
    onlyStuck,
  });
  const onlyStuck = (query: unknown) => (query as { only?: string } | undefined)?.only === 'stuck';

  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(boardPageHtml(view(onlyStuck(request.query)), options.refreshMs)),
  );
  app.get('/grid', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(gridHtml(view(onlyStuck(request.query)))),
  );
  app.get('/htmx.min.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(htmx));
  app.get('/board.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
  return app;
}
