import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sign } from '@fastify/cookie';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createClickHouse, type ButtonAction, type ButtonPressEvent } from '@workshop/shared';
import { KafkaJSError } from 'kafkajs';
import { assertWithHint, describeUnreachable, HintError, uniqueName, withHint } from '@workshop/shared/testing';
import { buildApp, type ButtonAppOptions } from '../src/app.js';
import { openGeoLookup } from '../src/geo.js';
import { avroEventSink, type EventSink } from '../src/produce.js';
import { clickHouseStats } from '../src/stats.js';
import {
  LogCapture,
  addresses,
  cleanUp,
  cleanUpLater,
  config,
  cookieSecret,
  countHint,
  describeEvents,
  expectStatus,
  heldProducer,
  htmx,
  kafkaSide,
  memo,
  topic,
  topicReader,
  visitCookie,
  watchedKafkaSink,
  type WatchedSink,
} from './harness.js';

/**
 * Step 08: the button app, through fastify's `app.inject()` (no port, no browser — see browser.test.ts for
 * that). Visits of the tests' own go through your toButtonPressEvent() (README §1) and produceEvent()
 * (README §2) into button_presses; the tests read them back with a fresh consumer group, and watch every
 * event, log line and response for the visitor's IP address.
 */
const logs = new LogCapture();
const geo = memo(() => openGeoLookup());
/** Every client address a test used: none of them may show up in a log line. */
const usedAddresses = new Set<string>();

afterAll(cleanUp);

/** Seeded, so the replies are the same every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sink that only remembers (for the tests of the web plumbing, which need no Kafka). */
function memorySink(): Omit<WatchedSink, 'waitForAction'> {
  const events: ButtonPressEvent[] = [];
  return {
    events,
    of: (sessionId) => events.filter((event) => event.session_id === sessionId),
    sink: { send: async (event) => void events.push(structuredClone(event)) } satisfies EventSink,
  };
}

async function newApp(options: Partial<ButtonAppOptions> & { events: EventSink }): Promise<FastifyInstance> {
  const app = buildApp({
    geo: await geo(),
    cookieSecret,
    logger: { stream: logs.stream },
    rateLimit: { max: 1000, timeWindowMs: 60_000 },
    random: seededRandom(8),
    ...options,
  });
  cleanUpLater(() => app.close());
  return app;
}

const actionsOf = (events: ButtonPressEvent[]) => events.map((event) => event.action).join(', ');

interface Visitor {
  app: FastifyInstance;
  /** The address the connection comes from (what the app sees without a proxy). */
  from: string;
  headers: Record<string, string>;
  cookie: string;
  cookieName: string;
  sessionId: string;
  responses: LightMyRequestResponse[];
}

async function send(app: FastifyInstance, from: string, request: InjectOptions): Promise<LightMyRequestResponse> {
  usedAddresses.add(from);
  const forwarded = (request.headers as Record<string, string> | undefined)?.['x-forwarded-for'];
  if (forwarded) usedAddresses.add(forwarded);
  return app.inject({ ...request, remoteAddress: from });
}

/** Opens the page (EnterPage) as a browser at `from` would, keeping the visit cookie. */
async function enter(app: FastifyInstance, from: string, headers: Record<string, string> = {}): Promise<Visitor> {
  const response = await send(app, from, { method: 'GET', url: '/', headers });
  expectStatus(response, [200], logs, 'Opening the page (GET /)');
  const cookie = visitCookie(response);
  assertWithHint(
    cookie,
    'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)',
    JSON.stringify(response.headers['set-cookie']),
  );
  return { app, from, headers, cookie: cookie.header, cookieName: cookie.name, sessionId: cookie.sessionId, responses: [response] };
}

async function press(visitor: Visitor): Promise<LightMyRequestResponse> {
  const response = await send(visitor.app, visitor.from, {
    method: 'POST',
    url: '/press',
    headers: { ...htmx, ...visitor.headers, cookie: visitor.cookie },
    payload: '',
  });
  visitor.responses.push(response);
  return response;
}

async function pressOk(visitor: Visitor): Promise<void> {
  expectStatus(await press(visitor), [200], logs, 'Pressing the button (POST /press)');
}

async function leave(visitor: Visitor): Promise<void> {
  const response = await send(visitor.app, visitor.from, {
    method: 'POST',
    url: '/exit',
    headers: { ...visitor.headers, cookie: visitor.cookie },
  });
  visitor.responses.push(response);
  expectStatus(response, [200, 204], logs, 'Leaving the page (POST /exit, the pagehide beacon)');
}

/** Sends nothing back before Kafka answers: the request's event is held (the n-th send), the app gets a second to answer anyway. */
async function answeredOnlyAfterAck(
  kafka: ReturnType<typeof heldProducer>,
  n: number,
  request: Promise<LightMyRequestResponse>,
  what: string,
): Promise<LightMyRequestResponse> {
  const sent = await Promise.race([kafka.nthSend(n), request.then(() => undefined)]);
  if (!sent) {
    const response = await request;
    if (response.statusCode >= 500) expectStatus(response, [200], logs, what);
    throw new HintError(
      `${what} answered without sending its event: produceEvent() must producer.send() it, and await it — README §2`,
      `status ${response.statusCode}`,
    );
  }
  // Kafka has not acknowledged yet: an app that waits for it cannot answer, however long we wait. A second is far
  // longer than an app that does not wait needs to answer.
  const early = await Promise.race([request.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, 1000, false))]);
  assertWithHint(
    !early,
    `${what} was answered before Kafka acknowledged its event — produceEvent() must await producer.send(…): the page answers only once the event is stored (README §2)`,
    "the test held back the producer's acknowledgement; the answer came anyway",
  );
  sent.release();
  const response = await request;
  expectStatus(response, [200], logs, what);
  return response;
}

const eventFields = [
  'session_id',
  'timestamp',
  'action',
  'count',
  'country_code',
  'country_name',
  'subdivision_name',
  'city_name',
  'cohort',
];

// ---------------------------------------------------------------------------------------------------------
describe('§1–2 a visit becomes events in button_presses', () => {
  /**
   * Two visitors at once, their requests interleaved: A (Finland) enters, presses 4 times, leaves; B (Brazil)
   * enters, presses once, leaves in between. 9 events, all through Kafka.
   */
  const twoVisits = memo(async () => {
    const watched = await watchedKafkaSink();
    const reader = await topicReader();
    const app = await newApp({ events: watched.sink });
    const startedAt = Date.now();
    const a = await enter(app, addresses.finland);
    const b = await enter(app, addresses.brazil);
    await pressOk(a);
    await pressOk(b);
    await pressOk(a);
    await pressOk(a);
    await leave(b);
    await pressOk(a);
    await leave(a);
    return { watched, reader, a, b, startedAt, endedAt: Date.now() };
  });

  const expected: Record<'a' | 'b', ButtonAction[]> = {
    a: ['EnterPage', 'PressButton', 'PressButton', 'PressButton', 'PressButton', 'ExitPage'],
    b: ['EnterPage', 'PressButton', 'ExitPage'],
  };

  it('each request becomes one event: EnterPage, PressButton…, ExitPage — counts 0, 1, 2, … per visit', async () => {
    const visits = await twoVisits();
    for (const who of ['a', 'b'] as const) {
      const events = visits.watched.of(visits[who].sessionId);
      await withHint(
        `One event per request, with the visit's session id: GET / → EnterPage, each POST /press → PressButton, POST /exit → ExitPage (session_id: visit.sessionId) — README §1`,
        () => expect(events.map((event) => event.action)).toEqual(expected[who]),
      );
      const counts = events.map((event) => event.count);
      assertWithHint(
        JSON.stringify(counts) === JSON.stringify(expected[who].map((_, i) => i)),
        countHint(counts),
        `visitor ${who.toUpperCase()} (interleaved with the other): ${describeEvents(events)}`,
      );
    }
  });

  it("an event holds exactly the event's fields: cohort 0, the visitor's country, the time of the request", async () => {
    const visits = await twoVisits();
    const places = { a: 'FI', b: 'BR' };
    for (const who of ['a', 'b'] as const) {
      for (const event of visits.watched.of(visits[who].sessionId)) {
        await withHint(
          `An event has exactly these fields: ${eventFields.join(', ')} — nothing else (never the IP address) — README §1`,
          () => expect(Object.keys(event).sort()).toEqual([...eventFields].sort()),
        );
        assertWithHint(
          event.cohort === 0,
          'cohort is 0 for a real visitor of the web page (null means a simulated one) — README §1',
          `${event.action}#${event.count} has cohort ${JSON.stringify(event.cohort)}`,
        );
        assertWithHint(
          event.country_code === places[who],
          "Look up the visitor's location with geo.lookupLocation(request.ip) and spread it into the event — README §1",
          `a visitor from ${places[who]} got ${JSON.stringify({ country_code: event.country_code, country_name: event.country_name, city_name: event.city_name })}`,
        );
        const at = Date.parse(event.timestamp);
        assertWithHint(
          typeof event.timestamp === 'string' &&
            event.timestamp.endsWith('Z') &&
            at >= visits.startedAt - 1000 &&
            at <= visits.endedAt + 1000,
          'timestamp is when the server got the request, in UTC: new Date().toISOString() — README §1',
          `${event.action}#${event.count}: ${JSON.stringify(event.timestamp)}`,
        );
      }
    }
  });

  it(`the events arrive in ${topic} as Avro, keyed by session_id — one partition per visit, in order`, async () => {
    const visits = await twoVisits();
    const { a, b } = visits;
    const records = await visits.reader.waitFor(
      [a.sessionId, b.sessionId],
      9,
      `Not all 9 events of the test's two visits reached ${topic}: produceEvent() must send each one with producer.send({ topic: workshopNames.avroTopic, … }) and await it — README §2`,
    );
    for (const visitor of [a, b]) {
      const ours = records.filter((record) => record.decoded.session_id === visitor.sessionId);
      for (const { message } of ours) {
        const key = message.key?.toString('utf8');
        assertWithHint(
          key === visitor.sessionId,
          "Key every message by its event's session_id: a visit's events then stay in one partition, in order — README §2",
          `key ${JSON.stringify(key ?? null)} for session ${visitor.sessionId}`,
        );
      }
      const partitions = new Set(ours.map((record) => record.partition));
      assertWithHint(
        partitions.size === 1,
        `One visit, one partition: key by session_id — README §2`,
        `session ${visitor.sessionId} is in partitions ${[...partitions].join(', ')}`,
      );
      const counts = ours.map((record) => Number(record.decoded.count));
      assertWithHint(
        JSON.stringify(counts) === JSON.stringify([...counts].sort((x, y) => x - y)),
        "A visit's events must be in the topic in the order they happened: await producer.send(…) before answering — README §2",
        `counts in partition order: ${counts.join(', ')}`,
      );
      // The visit's records in partition order against its events in the order the app sent them (the check
      // above holds the order; matched by place, so a wrong count is the count test's business, not this one's).
      const sentByVisit = visits.watched.of(visitor.sessionId);
      for (const [i, record] of ours.entries()) {
        const sent = sentByVisit[i];
        await withHint(
          'Each message must decode (through the registry) to the event the app sent, timestamp as a Date: registry.encode(schemaId, { ...event, timestamp: new Date(event.timestamp) }) — README §2',
          () => {
            expect(record.decoded.timestamp).toBeInstanceOf(Date);
            expect({ ...record.decoded, timestamp: (record.decoded.timestamp as Date).toISOString() }).toEqual(sent);
          },
        );
      }
    }
  });

  it('an answer means stored: the app answers only once Kafka has acknowledged the event', async () => {
    const { registry, schemaId } = await kafkaSide();
    const kafka = heldProducer();
    const app = await newApp({ events: avroEventSink(kafka.producer, registry, schemaId) });
    const entering = send(app, addresses.finland, { method: 'GET', url: '/' });
    const entered = await answeredOnlyAfterAck(kafka, 1, entering, 'Opening the page (GET /)');
    const cookie = visitCookie(entered);
    assertWithHint(cookie, 'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)');
    const pressing = send(app, addresses.finland, {
      method: 'POST',
      url: '/press',
      headers: { ...htmx, cookie: cookie.header },
      payload: '',
    });
    await answeredOnlyAfterAck(kafka, 2, pressing, 'Pressing the button (POST /press)');
  });

  it('a press Kafka refuses is not answered as stored: the visitor gets an error, not a reply', async () => {
    const { registry, schemaId } = await kafkaSide();
    const kafka = heldProducer();
    const app = await newApp({ events: avroEventSink(kafka.producer, registry, schemaId) });
    for (const [what, request] of [
      ['Opening the page (GET /)', { method: 'GET', url: '/' }],
      ['Pressing the button (POST /press)', { method: 'POST', url: '/press', headers: htmx, payload: '' }],
    ] as [string, InjectOptions][]) {
      const answer = send(app, addresses.finland, request);
      const sent = await Promise.race([kafka.nthSend(kafka.sends.length + 1), answer.then(() => undefined)]);
      if (!sent) expectStatus(await answer, [500, 502, 503], logs, what);
      sent?.fail(new KafkaJSError('This server is not the leader for that topic-partition', { retriable: true }));
      const response = await answer;
      assertWithHint(
        response.statusCode >= 500,
        `${what}: Kafka refused the event, and the app still answered ${response.statusCode} — produceEvent() must let producer.send()'s error through (no catch): an answer means "stored", and this was not (README §2)`,
        response.body.slice(0, 160),
      );
    }
  });

  it('the country comes from the connection, not from an X-Forwarded-For the visitor wrote (no trusted proxy)', async () => {
    const sink = memorySink();
    const app = await newApp({ events: sink.sink });
    // A visitor in Finland claims to be in Brazil.
    const liar = await enter(app, addresses.finland, { 'x-forwarded-for': addresses.brazil });
    await pressOk(liar);
    const events = sink.of(liar.sessionId);
    assertWithHint(events.length === 2, 'GET / and POST /press must each send one event — README §1', describeEvents(events));
    for (const event of events) {
      assertWithHint(
        event.country_code === 'FI',
        'Use request.ip, never the X-Forwarded-For header yourself: anyone can write that header, and fastify believes it only from a trusted proxy — README §1',
        `a visitor connecting from Finland who sent "X-Forwarded-For: <a Brazilian address>" got country ${event.country_code}`,
      );
    }
  });

  it('behind a trusted proxy, the country comes from the client the proxy names in X-Forwarded-For', async () => {
    const sink = memorySink();
    const app = await newApp({ events: sink.sink, trustProxy: addresses.localProxy });
    const proxied = await enter(app, addresses.localProxy, { 'x-forwarded-for': addresses.brazil });
    await pressOk(proxied);
    // Only the configured proxy is believed: a direct visitor's header still counts for nothing.
    const direct = await enter(app, addresses.finland, { 'x-forwarded-for': addresses.britain });
    const places = [...sink.of(proxied.sessionId).map((e) => e.country_code), '/', ...sink.of(direct.sessionId).map((e) => e.country_code)];
    assertWithHint(
      places.join(' ') === 'BR BR / FI',
      "Use request.ip: with trustProxy set, fastify takes the client from the trusted proxy's X-Forwarded-For — and ignores the header from anyone else — README §1",
      `countries (via the proxy, for a Brazilian client / direct from Finland, claiming Britain): ${places.join(' ')}`,
    );
  });

  it('the IP address goes nowhere: not into an event, a Kafka record, a log line or a response', async () => {
    const watched = await watchedKafkaSink();
    const reader = await topicReader();
    const app = await newApp({ events: watched.sink, trustProxy: addresses.localProxy });
    const visitor = await enter(app, addresses.localProxy, { 'x-forwarded-for': addresses.britain });
    await pressOk(visitor);
    await pressOk(visitor);
    await leave(visitor);
    const ip = addresses.britain;
    const events = watched.of(visitor.sessionId);
    assertWithHint(events[0]?.country_code === 'GB', 'Look the location up from request.ip — README §1', describeEvents(events));
    assertWithHint(
      !JSON.stringify(events).includes(ip),
      'The IP address must not be in the event: look the location up, then let the IP go — README §1',
      JSON.stringify(events.find((event) => JSON.stringify(event).includes(ip))),
    );
    const records = await reader.waitFor([visitor.sessionId], 4, `The visit's 4 events did not all reach ${topic} — README §2`);
    for (const { message } of records) {
      const bytes = Buffer.concat([
        message.key ?? Buffer.alloc(0),
        message.value ?? Buffer.alloc(0),
        ...Object.values(message.headers ?? {}).map((h) => Buffer.from(String(h))),
      ]);
      assertWithHint(
        !bytes.toString('latin1').includes(ip),
        'The IP address must not be in a Kafka record (key, value or headers) — README §1–2',
      );
    }
    const logged = logs.lines.find((line) => line.includes(ip));
    assertWithHint(
      logged === undefined,
      'Never log the IP address — not even "for debugging": a log line is kept, shipped and read by others. Log the country if you must — README §1',
      logged?.slice(0, 240),
    );
    for (const response of visitor.responses) {
      const sent = JSON.stringify(response.headers) + response.body;
      assertWithHint(!sent.includes(ip), 'The app must not send the IP address back in a page or a header — README §1');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('the web plumbing around your code (given: src/app.ts, src/button-routes.ts)', () => {
  it('too many presses: a friendly 429 (with Retry-After), and the visitor can still leave', async () => {
    const sink = memorySink();
    const max = 4;
    const app = await newApp({ events: sink.sink, rateLimit: { max, timeWindowMs: 60_000 } });
    const visitor = await enter(app, addresses.finland);
    const statuses: number[] = [];
    for (let i = 0; i < max + 1 && !statuses.includes(429); i++) {
      const response = await press(visitor);
      statuses.push(response.statusCode);
      if (response.statusCode !== 429) expectStatus(response, [200], logs, 'Pressing the button (POST /press)');
    }
    const limited = visitor.responses.at(-1)!;
    assertWithHint(
      limited.statusCode === 429,
      `After ${max} presses in a window of ${max}, the next must answer 429 (app.ts registers @fastify/rate-limit)`,
      `statuses: ${statuses.join(' ')}`,
    );
    assertWithHint(
      Number(limited.headers['retry-after']) > 0 &&
        /text\/html/.test(String(limited.headers['content-type'])) &&
        /again/i.test(limited.body),
      'The 429 must be a friendly HTML message saying when to try again, with a Retry-After header (app.ts)',
      `${limited.headers['content-type']} retry-after=${limited.headers['retry-after']}: ${limited.body.slice(0, 200)}`,
    );
    await leave(visitor);
    const actions = sink.of(visitor.sessionId).map((event) => event.action);
    assertWithHint(
      actions.at(-1) === 'ExitPage',
      'A rate-limited visitor must still be able to leave: POST /exit is not rate-limited (button-routes.ts)',
      actions.join(', '),
    );
  });

  it('a forged, unsigned or garbled visit cookie is never trusted', async () => {
    const sink = memorySink();
    const app = await newApp({ events: sink.sink });
    const real = await enter(app, addresses.finland);
    const forgeries: [string, string][] = [
      ['a tampered signature', `${real.cookieName}=${encodeURIComponent(`${real.sessionId}.${'A'.repeat(43)}`)}`],
      ['no signature', `${real.cookieName}=${real.sessionId}`],
      [
        'signed with another secret',
        `${real.cookieName}=${encodeURIComponent(sign(real.sessionId, 'not-the-apps-secret-not-the-apps-secret'))}`,
      ],
      ['garbage', `${real.cookieName}=%%%ff%00;;=`],
    ];
    for (const [what, cookie] of forgeries) {
      const forged: Visitor = { ...real, cookie, responses: [] };
      const response = await press(forged);
      const fresh = visitCookie(response);
      assertWithHint(
        (response.statusCode >= 400 && response.statusCode < 500) ||
          (response.statusCode === 200 && fresh !== undefined && fresh.sessionId !== real.sessionId),
        `A press with a cookie with ${what} must get a 4xx or start a fresh visit — never continue the visit it names (src/session-cookie.ts)`,
        `status ${response.statusCode}, set-cookie ${JSON.stringify(response.headers['set-cookie'])}`,
      );
      await send(app, real.from, { method: 'POST', url: '/exit', headers: { cookie } });
    }
    // Actions only: the counts are §1's test (a count off by one is not the cookie's fault).
    assertWithHint(
      actionsOf(sink.of(real.sessionId)) === 'EnterPage',
      'Forged cookies must not add events to the visit they name (src/session-cookie.ts)',
      describeEvents(sink.of(real.sessionId)),
    );
    await pressOk(real);
    assertWithHint(
      actionsOf(sink.of(real.sessionId)) === 'EnterPage, PressButton',
      'The real cookie must still work after the forgeries',
      describeEvents(sink.of(real.sessionId)),
    );
  });

  it('malformed and oversized requests get a 4xx — and the app keeps going', async () => {
    const sink = memorySink();
    const app = await newApp({ events: sink.sink });
    const visitor = await enter(app, addresses.finland);
    const cookie = visitor.cookie;
    const cases: [string, InjectOptions][] = [
      [
        'invalid JSON',
        { method: 'POST', url: '/press', headers: { ...htmx, cookie, 'content-type': 'application/json' }, payload: '{"press": ' },
      ],
      ['a count chosen by the client', { method: 'POST', url: '/press', headers: { ...htmx, cookie }, payload: 'count=99' }],
      ['a 100 kB body', { method: 'POST', url: '/press', headers: { ...htmx, cookie }, payload: `x=${'a'.repeat(100_000)}` }],
      [
        'an unknown content type',
        { method: 'POST', url: '/press', headers: { ...htmx, cookie, 'content-type': 'application/xml' }, payload: '<press/>' },
      ],
      [
        'no HX-Request header (not from our page)',
        { method: 'POST', url: '/press', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' },
      ],
      [
        'a 100 kB exit beacon',
        { method: 'POST', url: '/exit', headers: { cookie, 'content-type': 'text/plain' }, payload: 'a'.repeat(100_000) },
      ],
      ['a GET of /press', { method: 'GET', url: '/press', headers: { cookie } }],
    ];
    for (const [what, request] of cases) {
      const response = await send(app, visitor.from, request);
      assertWithHint(
        response.statusCode >= 400 && response.statusCode < 500,
        `A request with ${what} must be refused with a 4xx before any handler runs (route schemas and body limits in button-routes.ts)`,
        `status ${response.statusCode}: ${response.body.slice(0, 160)}`,
      );
    }
    assertWithHint(
      actionsOf(sink.of(visitor.sessionId)) === 'EnterPage',
      'Refused requests must not send events (button-routes.ts)',
      describeEvents(sink.of(visitor.sessionId)),
    );
    await pressOk(visitor);
    expectStatus(await send(app, addresses.finland, { method: 'GET', url: '/' }), [200], logs, 'After the bad requests, GET /');
  });

  it('security headers: a Content-Security-Policy that allows only our own scripts, and no inline script or style', async () => {
    const app = await newApp({ events: memorySink().sink });
    const page = await send(app, addresses.finland, { method: 'GET', url: '/' });
    expectStatus(page, [200], logs, 'Opening the page (GET /)');
    const csp = String(page.headers['content-security-policy'] ?? '');
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';
    const scripts = directive('script-src') || directive('default-src');
    assertWithHint(
      scripts.includes("'self'") && !/unsafe-inline|unsafe-eval|\*|https?:/.test(scripts),
      "The page needs a Content-Security-Policy whose script-src is 'self' only (helmet in app.ts)",
      `content-security-policy: ${csp || '(none)'}`,
    );
    for (const header of ['x-content-type-options', 'referrer-policy']) {
      assertWithHint(page.headers[header] !== undefined, `helmet's ${header} header is missing (app.ts)`);
    }
    const html = page.body;
    const scriptTags = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assertWithHint(scriptTags.length > 0, 'The page loads htmx with a <script src> (pages.ts)');
    for (const [tag, attributes, body] of scriptTags) {
      const src = attributes!.match(/\bsrc="([^"]+)"/)?.[1];
      assertWithHint(
        src?.startsWith('/') && body!.trim() === '',
        'Every script is a file of our own (src="/…"), never inline: the CSP would block it (pages.ts)',
        tag,
      );
      const script = await send(app, addresses.finland, { method: 'GET', url: src! });
      assertWithHint(
        script.statusCode === 200 && /javascript/.test(String(script.headers['content-type'])),
        `The page's script ${src} must be served by the app itself — htmx from node_modules, no CDN (app.ts)`,
        `${script.statusCode}`,
      );
    }
    assertWithHint(
      !/\son[a-z]+\s*=/i.test(html) && !/\sstyle\s*=/i.test(html) && !/<style/i.test(html),
      'No inline event handlers (onclick=…) or inline styles in the page: the CSP forbids them (pages.ts)',
    );
    assertWithHint(
      html.includes('href="https://db-ip.com"'),
      'Credit DB-IP with a link to https://db-ip.com wherever its results are shown (CC BY 4.0, pages.ts)',
    );
  });

  it(`the stats page: presses by country from ClickHouse — or a friendly note when there is no table yet`, async () => {
    const clickhouse = createClickHouse(config, { quiet: true });
    cleanUpLater(() => clickhouse.close());
    const table = uniqueName('button_presses_test').replaceAll('-', '_');
    await withHint(describeUnreachable('clickhouse', config.clickhouse.url, `could not create a test table`), () =>
      clickhouse.command({
        query: `CREATE TABLE ${table} (session_id UUID, count UInt32, action String, country_code String, country_name String)
                ENGINE = ReplacingMergeTree ORDER BY (session_id, count)`,
      }),
    );
    cleanUpLater(() => clickhouse.command({ query: `DROP TABLE IF EXISTS ${table}` }));
    const [s1, s2] = [randomUUID(), randomUUID()];
    const row = (session_id: string, count: number, action: string, country_code: string, country_name: string) => ({
      session_id,
      count,
      action,
      country_code,
      country_name,
    });
    await clickhouse.insert({
      table,
      format: 'JSONEachRow',
      values: [
        row(s1, 0, 'EnterPage', 'FI', 'Finland'),
        row(s1, 1, 'PressButton', 'FI', 'Finland'),
        row(s1, 2, 'PressButton', 'FI', 'Finland'),
        row(s2, 0, 'EnterPage', 'BR', 'Brazil'),
        row(s2, 1, 'PressButton', 'BR', 'Brazil'),
      ],
    });
    // The sink delivered one press twice (at least once): FINAL must count it once.
    await clickhouse.insert({ table, format: 'JSONEachRow', values: [row(s2, 1, 'PressButton', 'BR', 'Brazil')] });

    const statsTable = async (stats: ButtonAppOptions['stats']) => {
      const app = await newApp({ events: memorySink().sink, stats });
      const response = await send(app, addresses.finland, { method: 'GET', url: '/stats/table', headers: { 'hx-request': 'true' } });
      expectStatus(response, [200], logs, 'GET /stats/table');
      // The text a person reads: tags out, spaces squeezed.
      return response.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
    };
    const counted = await statsTable(clickHouseStats(clickhouse, table, config.clickhouse.url));
    assertWithHint(
      /Finland 2\b/.test(counted) && /Brazil 1\b/.test(counted) && counted.indexOf('Finland') < counted.indexOf('Brazil'),
      'The stats show PressButton events per country, most first, a redelivered press counted once (stats.ts: FINAL)',
      counted.slice(0, 400),
    );
    const missing = await statsTable(clickHouseStats(clickhouse, `${table}_missing`, config.clickhouse.url));
    assertWithHint(
      /no data yet/i.test(missing) && missing.includes('06'),
      "Without the table, the stats say so kindly: no data yet — run step 06's sink (stats.ts)",
      missing.slice(0, 300),
    );

    const app = await newApp({ events: memorySink().sink });
    const page = await send(app, addresses.finland, { method: 'GET', url: '/stats' });
    assertWithHint(
      page.statusCode === 200 && page.body.includes('hx-get="/stats/table"') && page.body.includes('https://db-ip.com'),
      'GET /stats is a page that polls /stats/table and credits DB-IP (pages.ts)',
      page.body.slice(0, 300),
    );
  });

  it('no log line of this whole file holds a client address', async () => {
    assertWithHint(usedAddresses.size > 0 && logs.lines.length > 0, 'The tests above must have sent requests and the app must log them');
    for (const address of usedAddresses) {
      if (address === addresses.localProxy) continue; // the proxy's own address is not a visitor's
      const line = logs.lines.find((l) => l.includes(address));
      assertWithHint(
        line === undefined,
        "Never log a client address: not in a message, not in an object — README §1 (and fastify's request serializer in app.ts)",
        line?.slice(0, 240),
      );
    }
  });
});
