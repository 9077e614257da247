import { connect } from 'node:net';
import { afterAll, describe, it } from 'vitest';
import { sign } from '@fastify/cookie';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { ButtonAction, ButtonPressEvent } from '@workshop/shared';
import { assertWithHint } from '@workshop/shared/testing';
import { buildApp, type ButtonAppOptions } from '../src/app.js';
import { openGeoLookup } from '../src/geo.js';
import {
  LogCapture,
  addresses,
  cleanUp,
  cleanUpLater,
  cookieSecret,
  describeEvents,
  expectStatus,
  htmx,
  memo,
  visitCookie,
} from './harness.js';

/**
 * Bad input, class by class: what a broken client, a scanner or a prankster sends the button app. Each is
 * answered with the right 4xx (never a 500), sends no event, and leaves no client address in the log.
 * The app's own web plumbing does this (src/app.ts, src/button-routes.ts); your code must not undo it.
 */
const geo = memo(() => openGeoLookup());
afterAll(cleanUp);

interface Probe {
  app: FastifyInstance;
  events: ButtonPressEvent[];
  logs: LogCapture;
  send(request: InjectOptions, from?: string): Promise<LightMyRequestResponse>;
}

/** The app with a sink that only remembers, and a log of its own: each class is judged on what it alone did. */
async function probeApp(options: Partial<ButtonAppOptions> = {}): Promise<Probe> {
  const events: ButtonPressEvent[] = [];
  const logs = new LogCapture();
  const app = buildApp({
    geo: await geo(),
    cookieSecret,
    logger: { stream: logs.stream },
    rateLimit: { max: 1000, timeWindowMs: 60_000 },
    events: { send: async (event) => void events.push(structuredClone(event)) },
    ...options,
  });
  cleanUpLater(() => app.close());
  return { app, events, logs, send: (request, from = addresses.finland) => app.inject({ ...request, remoteAddress: from }) };
}

/** Opens the page as a browser would: the visit's cookie and session id. */
async function enter(probe: Probe): Promise<{ cookie: string; name: string; sessionId: string }> {
  const response = await probe.send({ method: 'GET', url: '/' });
  expectStatus(response, [200], probe.logs, 'Opening the page (GET /)');
  const cookie = visitCookie(response);
  assertWithHint(cookie, 'GET / must set the signed visit cookie (app code you were given: src/session-cookie.ts)');
  return { cookie: cookie.header, name: cookie.name, sessionId: cookie.sessionId };
}

/** A refusal: one of `statuses`. A 500 quotes the app's log (a participant's bug shows there first). */
function expectRefused(response: LightMyRequestResponse, statuses: number[], probe: Probe, what: string): void {
  if (response.statusCode >= 500) expectStatus(response, statuses, probe.logs, what);
  assertWithHint(
    statuses.includes(response.statusCode),
    `${what} must be answered ${statuses.join(' or ')} before any event is sent (src/button-routes.ts, src/app.ts)`,
    `status ${response.statusCode}: ${response.body.slice(0, 160)}`,
  );
}

/** Nothing but `expected` reached the sink, nothing was logged as an error, and no client address was logged. */
function expectNothingElse(probe: Probe, expected: ButtonAction[], what: string, clientAddresses: string[] = [addresses.finland]): void {
  assertWithHint(
    probe.events.map((event) => event.action).join(', ') === expected.join(', '),
    `${what}: no event may be sent for a refused request (src/button-routes.ts)`,
    `events sent: ${describeEvents(probe.events)}; expected: ${expected.join(', ') || 'none'}`,
  );
  const failed = probe.logs.lastError();
  assertWithHint(failed === undefined, `${what}: the app logged an error — a bad request is the client's, never a 500`, failed);
  for (const address of clientAddresses) {
    const line = probe.logs.lines.find((l) => l.includes(address));
    assertWithHint(line === undefined, `${what}: never log a client address (README §1)`, line?.slice(0, 240));
  }
}

const pressWith = (headers: Record<string, string>, payload?: string): InjectOptions => ({
  method: 'POST',
  url: '/press',
  headers,
  payload,
});

// ---------------------------------------------------------------------------------------------------------
describe('bad input: the right 4xx, no event, no address in the log', () => {
  it('an oversized body (a press of 300 B or 100 kB, an exit beacon of 100 kB): 413', async () => {
    const probe = await probeApp();
    const { cookie } = await enter(probe);
    for (const [what, request] of [
      ['a press with 300 bytes', pressWith({ ...htmx, cookie }, `x=${'a'.repeat(298)}`)],
      ['a press with 100 kB', pressWith({ ...htmx, cookie }, `x=${'a'.repeat(100_000)}`)],
      [
        'an exit beacon with 100 kB',
        { method: 'POST', url: '/exit', headers: { cookie, 'content-type': 'text/plain' }, payload: 'a'.repeat(100_000) },
      ],
    ] as [string, InjectOptions][]) {
      expectRefused(await probe.send(request), [413], probe, what);
    }
    expectNothingElse(probe, ['EnterPage'], 'Oversized bodies');
  });

  it('a malformed body (broken JSON, a form with fields, a count of its own): 400', async () => {
    const probe = await probeApp();
    const { cookie } = await enter(probe);
    const json = { ...htmx, cookie, 'content-type': 'application/json' };
    for (const [what, request] of [
      ['broken JSON', pressWith(json, '{"press": ')],
      ['a JSON count', pressWith(json, '{"count": 99}')],
      ['a form with a count', pressWith({ ...htmx, cookie }, 'count=99')],
      ['JSON that is not an object', pressWith(json, '[1,2,3]')],
      [
        'an exit beacon of broken JSON',
        { method: 'POST', url: '/exit', headers: { cookie, 'content-type': 'application/json' }, payload: '{' },
      ],
    ] as [string, InjectOptions][]) {
      expectRefused(await probe.send(request), [400], probe, `A press with ${what}`);
    }
    expectNothingElse(probe, ['EnterPage'], 'Malformed bodies');
  });

  it('a content type the app does not take (XML, multipart, bytes, nonsense): 415', async () => {
    const probe = await probeApp();
    const { cookie } = await enter(probe);
    for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'no/such;;type']) {
      expectRefused(await probe.send(pressWith({ ...htmx, cookie, 'content-type': type }, 'x')), [415], probe, `A press sent as ${type}`);
    }
    expectNothingElse(probe, ['EnterPage'], 'Wrong content types');
  });

  it('a press without HX-Request: true (not from our page): 400', async () => {
    const probe = await probeApp();
    const { cookie } = await enter(probe);
    const form = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    for (const [what, headers] of [
      ['no HX-Request header', form],
      ['HX-Request: false', { ...form, 'hx-request': 'false' }],
      ['an empty HX-Request', { ...form, 'hx-request': '' }],
    ] as [string, Record<string, string>][]) {
      expectRefused(await probe.send(pressWith(headers, '')), [400], probe, `A press with ${what}`);
    }
    expectNothingElse(probe, ['EnterPage'], 'Presses without HX-Request');
  });

  it('a forged visit cookie (tampered, unsigned, signed with another secret): a fresh visit, never the one it names', async () => {
    const probe = await probeApp();
    const real = await enter(probe);
    for (const [what, value] of [
      ['a tampered signature', `${real.sessionId}.${'A'.repeat(43)}`],
      ['no signature', real.sessionId],
      ['another secret', sign(real.sessionId, 'not-the-apps-secret-not-the-apps-secret')],
    ] as [string, string][]) {
      const cookie = `${real.name}=${encodeURIComponent(value)}`;
      const exit = await probe.send({ method: 'POST', url: '/exit', headers: { cookie } });
      expectRefused(exit, [204], probe, `An exit beacon with ${what}`);
      const pressed = await probe.send(pressWith({ ...htmx, cookie }, ''));
      expectStatus(pressed, [200], probe.logs, `A press with ${what}`);
      const fresh = visitCookie(pressed);
      assertWithHint(
        fresh !== undefined && fresh.sessionId !== real.sessionId,
        `A press with a cookie with ${what} must start a fresh visit (a new cookie), never continue the one it names (src/session-cookie.ts)`,
        JSON.stringify(pressed.headers['set-cookie']),
      );
    }
    const named = probe.events.filter((event) => event.session_id === real.sessionId);
    assertWithHint(
      describeEvents(named) === 'EnterPage#0',
      'Forged cookies must add no event to the visit they name — no PressButton, no ExitPage (src/session-cookie.ts)',
      describeEvents(named),
    );
    // The real visit's EnterPage, then a fresh visit (EnterPage, PressButton) per forgery.
    expectNothingElse(
      probe,
      ['EnterPage', ...Array.from({ length: 3 }, (): ButtonAction[] => ['EnterPage', 'PressButton']).flat()],
      'Forged cookies',
    );
  });

  it('a garbled cookie header (bad escapes, NUL, 4 kB of junk, the name twice, no value): never a 500', async () => {
    const probe = await probeApp();
    const real = await enter(probe);
    const garbled = [
      `${real.name}=%%%ff%00;;=`,
      `${real.name}=%E0%A4%A`,
      `${real.name}=${'\u0000'.repeat(3)}`,
      `${real.name}=${'z'.repeat(4000)}`,
      `${real.name}=junk; ${real.cookie}`,
      `${real.name}=`,
      `=${real.name}`,
      ';;;;',
    ];
    for (const cookie of garbled) {
      const pressed = await probe.send(pressWith({ ...htmx, cookie }, ''));
      expectRefused(pressed, [200, 400], probe, `A press with the cookie header ${JSON.stringify(cookie.slice(0, 40))}`);
      const exit = await probe.send({ method: 'POST', url: '/exit', headers: { cookie } });
      expectRefused(exit, [204, 400], probe, `An exit beacon with the cookie header ${JSON.stringify(cookie.slice(0, 40))}`);
    }
    const named = probe.events.filter((event) => event.session_id === real.sessionId);
    assertWithHint(
      describeEvents(named) === 'EnterPage#0',
      'A garbled cookie must not act for any visit: it is no visit at all (src/session-cookie.ts)',
      describeEvents(named),
    );
    const failed = probe.logs.lastError();
    assertWithHint(failed === undefined, "A garbled cookie is the client's problem, never a 500 (src/session-cookie.ts)", failed);
  });

  it('an expired cookie (its visit ended, or was forgotten): a fresh visit; an exit beacon with it sends nothing', async () => {
    const probe = await probeApp();
    const ended = await enter(probe);
    expectRefused(await probe.send({ method: 'POST', url: '/exit', headers: { cookie: ended.cookie } }), [204], probe, 'Leaving the page');
    // Forgotten: a cookie this app signed for a visit it never had (as after a restart).
    const forgotten = `${ended.name}=${encodeURIComponent(sign('0b8f3c52-6a53-4f0e-9d8e-3f4f6d3f2a11', cookieSecret))}`;
    for (const [what, cookie] of [
      ['a visit that ended', ended.cookie],
      ['a visit the app forgot', forgotten],
    ] as [string, string][]) {
      expectRefused(await probe.send({ method: 'POST', url: '/exit', headers: { cookie } }), [204], probe, `An exit beacon for ${what}`);
      const pressed = await probe.send(pressWith({ ...htmx, cookie }, ''));
      expectStatus(pressed, [200], probe.logs, `A press for ${what}`);
      const fresh = visitCookie(pressed);
      assertWithHint(
        fresh !== undefined && fresh.sessionId !== ended.sessionId,
        `A press for ${what} starts a fresh visit with a new cookie (src/button-routes.ts)`,
        JSON.stringify(pressed.headers['set-cookie']),
      );
    }
    const named = probe.events.filter((event) => event.session_id === ended.sessionId);
    assertWithHint(
      describeEvents(named) === 'EnterPage#0, ExitPage#1',
      'Nothing may be added to a visit after its ExitPage (src/button-routes.ts)',
      describeEvents(named),
    );
    expectNothingElse(probe, ['EnterPage', 'ExitPage', 'EnterPage', 'PressButton', 'EnterPage', 'PressButton'], 'Expired cookies');
  });

  it('a press without a visit (no cookie): a visit of its own, EnterPage then PressButton, counted from 0', async () => {
    const probe = await probeApp();
    const pressed = await probe.send(pressWith(htmx, ''));
    expectStatus(pressed, [200], probe.logs, 'A press without a cookie');
    const fresh = visitCookie(pressed);
    assertWithHint(
      fresh,
      'A press without a visit starts one, and sets its cookie (src/button-routes.ts)',
      JSON.stringify(pressed.headers['set-cookie']),
    );
    assertWithHint(
      describeEvents(probe.events) === 'EnterPage#0, PressButton#1' && probe.events.every((event) => event.session_id === fresh.sessionId),
      'A press without a visit is a visit of its own: its EnterPage (count 0), then the press (count 1) — README §1',
      describeEvents(probe.events),
    );
    expectNothingElse(probe, ['EnterPage', 'PressButton'], 'A press without a visit');
  });

  it('an exit beacon twice (one after the other, and two at once): one ExitPage', async () => {
    const probe = await probeApp();
    for (const atOnce of [false, true]) {
      const { cookie, sessionId } = await enter(probe);
      const exit = () => probe.send({ method: 'POST', url: '/exit', headers: { cookie } });
      const answers = atOnce ? await Promise.all([exit(), exit()]) : [await exit(), await exit()];
      for (const answer of answers) expectRefused(answer, [204], probe, `An exit beacon sent twice${atOnce ? ' at once' : ''}`);
      const events = probe.events.filter((event) => event.session_id === sessionId);
      assertWithHint(
        describeEvents(events) === 'EnterPage#0, ExitPage#1',
        `A visit ends once: the second beacon${atOnce ? ', sent at the same time,' : ''} finds no visit (src/button-routes.ts)`,
        describeEvents(events),
      );
    }
    expectNothingElse(probe, ['EnterPage', 'ExitPage', 'EnterPage', 'ExitPage'], 'Exit beacons twice');
  });

  it('junk and oversized X-Forwarded-For (not addresses; 8 kB from a trusted proxy): ignored or Unknown, never logged', async () => {
    const junk = ['not-an-ip', '999.1.1.1, <script>', ', , ,', `${addresses.britain}:80, ::ffff:zz`, `${addresses.britain}, `.repeat(500)];
    for (const trustProxy of [false, addresses.localProxy]) {
      const probe = await probeApp({ trustProxy });
      const from = trustProxy ? addresses.localProxy : addresses.finland;
      for (const forwarded of junk) {
        const response = await probe.send({ method: 'GET', url: '/', headers: { 'x-forwarded-for': forwarded } }, from);
        expectStatus(response, [200], probe.logs, `Opening the page with X-Forwarded-For ${JSON.stringify(forwarded.slice(0, 30))}`);
      }
      const places = [...new Set(probe.events.map((event) => event.country_code))].join(' ');
      const expected = trustProxy ? ['--', 'GB'] : ['FI'];
      assertWithHint(
        expected.some((place) => places.includes(place)) && !(trustProxy === false && places !== 'FI'),
        trustProxy
          ? 'From a trusted proxy, junk in X-Forwarded-For is a place nobody knows (--), or the last real address it names: use request.ip — README §1'
          : "Without a trusted proxy, X-Forwarded-For counts for nothing: the country is the connection's — use request.ip — README §1",
        `countries: ${places}`,
      );
      expectNothingElse(
        probe,
        junk.map(() => 'EnterPage'),
        'Junk X-Forwarded-For',
        [addresses.finland, addresses.britain, 'not-an-ip', '999.1.1.1'],
      );
    }
  });

  it('HEAD and OPTIONS (link checkers, CORS preflights): 404, and no visit', async () => {
    const probe = await probeApp();
    for (const [method, url] of [
      ['HEAD', '/'],
      ['HEAD', '/press'],
      ['OPTIONS', '/'],
      ['OPTIONS', '/press'],
      ['OPTIONS', '*'],
    ] as [InjectOptions['method'], string][]) {
      const response = await probe.send({
        method,
        url,
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
      });
      expectRefused(response, [404], probe, `${method} ${url}`);
      assertWithHint(
        response.headers['access-control-allow-origin'] === undefined,
        `${method} ${url} must not allow another origin (no CORS: the page and its requests come from this server only)`,
        String(response.headers['access-control-allow-origin']),
      );
    }
    expectNothingElse(probe, [], 'HEAD and OPTIONS');
  });

  it('odd paths and methods (trailing slash, capitals, dot segments, NUL, 4 kB, PUT): 4xx, never a file outside public/', async () => {
    const probe = await probeApp();
    const { cookie } = await enter(probe);
    const press = (url: string, method: InjectOptions['method'] = 'POST'): InjectOptions => ({
      method,
      url,
      headers: { ...htmx, cookie },
      payload: '',
    });
    for (const [what, request] of [
      ['/press/', press('/press/')],
      ['/PRESS', press('/PRESS')],
      ['//press', press('//press')],
      ['/press%00', press('/press%00')],
      ['PUT /press', press('/press', 'PUT')],
      ['DELETE /press', press('/press', 'DELETE')],
      ['GET /press', { method: 'GET', url: '/press', headers: { cookie } }],
      ['GET /exit', { method: 'GET', url: '/exit', headers: { cookie } }],
      ['a 4 kB path', { method: 'GET', url: `/${'a'.repeat(4000)}` }],
      ['/static/../package.json', { method: 'GET', url: '/static/../package.json' }],
      ['/static/%2e%2e/%2e%2e/package.json', { method: 'GET', url: '/static/%2e%2e/%2e%2e/package.json' }],
      ['/static/..%2fapp.ts', { method: 'GET', url: '/static/..%2fapp.ts' }],
      ['/static/ (a folder)', { method: 'GET', url: '/static/' }],
    ] as [string, InjectOptions][]) {
      const response = await probe.send(request);
      expectRefused(response, [400, 403, 404, 405], probe, what);
    }
    // A count in the query string is no more the client's to choose than one in the body.
    const pressed = await probe.send(press('/press?count=99'));
    expectStatus(pressed, [200], probe.logs, 'A press with ?count=99');
    assertWithHint(
      probe.events.at(-1)?.count === 1,
      "The count is the server's: a count in the query string is ignored — README §1",
      describeEvents(probe.events),
    );
    expectNothingElse(probe, ['EnterPage', 'PressButton'], 'Odd paths');
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('bad input over a real connection', () => {
  /** The app on a free port, requests that must arrive within 500 ms. */
  const listening = async (): Promise<{ probe: Probe; port: number }> => {
    const probe = await probeApp({ requestTimeoutMs: 500 });
    await probe.app.listen({ host: '127.0.0.1', port: 0 });
    const address = probe.app.server.address();
    assertWithHint(typeof address === 'object' && address !== null, 'the app did not listen');
    return { probe, port: address.port };
  };

  /** Writes `parts` to a raw connection (waiting `gapMs` between them) and reads until the server closes it. */
  function rawExchange(
    port: number,
    parts: string[],
    gapMs: number,
    giveUpMs = 10_000,
  ): Promise<{ answer: string; closedAfterMs: number }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      const timers: NodeJS.Timeout[] = [];
      const finish = () => {
        for (const timer of timers) clearTimeout(timer);
        socket.destroy();
        resolve({ answer, closedAfterMs: Date.now() - started });
      };
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('close', finish);
      socket.on('error', finish);
      for (const [i, part] of parts.entries()) timers.push(setTimeout(() => socket.writable && socket.write(part), i * gapMs));
      timers.push(setTimeout(finish, giveUpMs));
    });
  }

  it('a slow client (headers that never end): 408 and closed — the app serves others meanwhile', async () => {
    const { probe, port } = await listening();
    const neverEnds = rawExchange(port, ['POST /press HTTP/1.1\r\n', 'Host: button\r\n', 'HX-Request: true\r\n'], 100);
    const meanwhile = await fetch(`http://127.0.0.1:${port}/`);
    expectStatus(
      { statusCode: meanwhile.status, body: await meanwhile.text() },
      [200],
      probe.logs,
      'Opening the page while slow clients hold connections',
    );
    const exchange = await neverEnds;
    assertWithHint(
      // 408 as a rule; on a loaded machine Node has been seen to end the same timed-out, half-sent request with its generic
      // 400 (twice in ten runs). Either refuses the client in time — what the README asks; with the app's timeout gone, Node
      // waits its own 60 s for headers and this fails.
      /^HTTP\/1\.1 40[08] /.test(exchange.answer) && exchange.closedAfterMs < 8000,
      'A client whose headers never end must be answered 408 and closed once the request timeout is up (requestTimeout in src/app.ts)',
      `after ${exchange.closedAfterMs} ms: ${JSON.stringify(exchange.answer.slice(0, 80))}`,
    );
    expectNothingElse(probe, ['EnterPage'], 'Slow clients', [addresses.finland]);
  });

  it('a huge X-Forwarded-For (20 kB): 431, before any route runs', async () => {
    const { probe, port } = await listening();
    const forwarded = Array.from({ length: 1500 }, () => addresses.britain).join(', ');
    const { answer } = await rawExchange(port, [`GET / HTTP/1.1\r\nHost: button\r\nX-Forwarded-For: ${forwarded}\r\n\r\n`], 0);
    assertWithHint(
      answer.startsWith('HTTP/1.1 431'),
      "Headers beyond 16 kB must be refused with 431 (Node's maxHeaderSize: do not raise it)",
      JSON.stringify(answer.slice(0, 80)),
    );
    expectNothingElse(probe, [], 'A huge X-Forwarded-For', [addresses.britain]);
  });
});
