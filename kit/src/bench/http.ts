import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import type { ButtonPressEvent } from '@workshop/shared';
import { buildApp } from '../../../solutions/08-button-app/src/app.js';
import { openGeoLookup } from '../../../solutions/08-button-app/src/geo.js';
import { avroEventSink } from '../../../solutions/08-button-app/src/produce.js';
import { producerSendingTo, type BenchContext } from './bench-context.js';
import { runLoad, type LoadResult } from './load.js';
import type { RatioMeasure } from './report.js';

/** What a press sends: htmx's header and an empty form, as the page does. */
const pressHeaders = { 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' };

export interface BenchButtonApp {
  url: string;
  /** `count` visits started with GET / — each a visit cookie for one load connection. */
  visitCookies(count: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Step 08's app as startButtonApp builds it — the real plugins, routes and Avro sink — but producing to
 * `topic`, and with a rate limit no single load generator reaches: the app's own limit (3000 a minute per
 * address, sized for a room behind one NAT) would answer the bench's one address with 429s.
 */
export async function startBenchButtonApp(
  context: BenchContext,
  topic: string,
  onSent?: (event: ButtonPressEvent, at: number) => void,
): Promise<BenchButtonApp> {
  const sink = avroEventSink(producerSendingTo(context.producer, topic), context.registry, context.schemaId);
  const app = buildApp({
    events: {
      async send(event) {
        await sink.send(event);
        // The moment Kafka acknowledged it: the app answers the press right after.
        onSent?.(event, Date.now());
      },
    },
    geo: await openGeoLookup(),
    cookieSecret: randomBytes(32).toString('base64url'),
    rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 },
    logger: { level: 'warn' },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async visitCookies(count) {
      return Promise.all(
        Array.from({ length: count }, async () => {
          const response = await fetch(`${url}/`);
          await response.arrayBuffer();
          const cookie = response.headers.getSetCookie().find((c) => c.startsWith('visit='));
          if (!cookie) throw new Error(`GET / set no visit cookie (status ${response.status})`);
          return cookie.split(';')[0] as string;
        }),
      );
    },
    close: () => app.close(),
  };
}

/**
 * Build item 2, second half: presses/s through the app's POST /press (visit cookie, real routes, each press
 * produced to Kafka before its answer) against a bare fastify route on the same machine, the same load tool,
 * the same connections.
 */
export async function measureHttp(context: BenchContext, options: { connections: number; durationSeconds: number }): Promise<RatioMeasure> {
  const topic = await context.createTopic('http');
  const app = await startBenchButtonApp(context, topic);
  let kit: LoadResult;
  try {
    const cookies = await app.visitCookies(options.connections);
    kit = await runLoad({ url: `${app.url}/press`, headers: pressHeaders, cookies, ...options });
  } finally {
    await app.close();
  }

  // The same request parsed the same way (an empty form), answered at once: what fastify itself costs here.
  const bare = Fastify({ logger: false });
  bare.register(formbody);
  bare.post('/press', async () => 'pressed');
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  let limit: LoadResult;
  try {
    limit = await runLoad({ url: `${bareUrl}/press`, headers: pressHeaders, cookies: [], ...options });
  } finally {
    await bare.close();
  }
  if (kit.non2xx > 0 || kit.errors > 0) context.log(`  http: the app answered ${kit.non2xx} non-2xx, ${kit.errors} errors`);
  const side = (result: LoadResult, how: string) => ({
    count: result.ok,
    seconds: result.seconds,
    how,
    latency: { p50Ms: result.p50Ms, p95Ms: result.p95Ms, p99Ms: result.p99Ms },
  });
  return {
    kind: 'ratio',
    id: 'http',
    title: `Button app: POST /press (autocannon, ${options.connections} visitors) vs a bare fastify route`,
    unit: 'presses',
    kit: side(kit, 'button app'),
    limit: side(limit, 'bare fastify'),
    minRatio: 0.3,
    maxKitP99Ms: 50,
  };
}
