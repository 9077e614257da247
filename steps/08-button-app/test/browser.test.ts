import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { assertWithHint, withHint } from '@workshop/shared/testing';
import { buildApp } from '../src/app.js';
import { openGeoLookup } from '../src/geo.js';
import type { PressStatsSource } from '../src/stats.js';
import {
  LogCapture,
  cleanUp,
  cleanUpLater,
  cookieSecret,
  countHint,
  describeEvents,
  expectStatus,
  memo,
  topic,
  topicReader,
  watchedKafkaSink,
} from './harness.js';

/**
 * Step 08 in a real browser: Debian's Chromium, driven by playwright-core, opens the page, presses the big
 * button, sees the replies, leaves — and the visit's events (Enter, Press × 3, Exit, sent by the page's
 * pagehide beacon) reach button_presses. Screenshots land in test-output/ (git-ignored): look at them.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const outputDir = resolve(import.meta.dirname, '../test-output');
const logs = new LogCapture();

afterAll(cleanUp);

/** A closed network and no sandbox for root: Chromium must not phone home, update, or try QUIC. */
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * How long an event may take before the test gives up on it — only a bound for an app that never answers: the
 * tests wait for the event itself, and a busy machine (both cores loaded) takes seconds for what takes milliseconds.
 */
const replyTimeoutMs = 20_000;
const beaconTimeoutMs = 30_000;
const statsTimeoutMs = 20_000;

/** A promise that fails after `ms` with this message (computed then, so it can say what had happened by then). */
function rejectAfter(ms: number, message: string | (() => string)): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(typeof message === 'function' ? message() : message)), ms).unref();
  });
}

const browser = memo(async () => {
  assertWithHint(
    existsSync(chromiumPath),
    'The browser test needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)',
    `${chromiumPath} not found`,
  );
  // playwright's launch() gives Chromium a fresh, temporary --user-data-dir of its own (and refuses one in args):
  // no cookie or cache from an earlier run.
  const launched = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  cleanUpLater(() => launched.close());
  return launched;
});

/** A few countries for the stats page's screenshot (its ClickHouse query has its own test). */
const sampleStats: PressStatsSource = {
  pressesByCountry: async () => ({
    state: 'counted',
    countries: [
      { country_code: 'FI', country_name: 'Finland', presses: 1234 },
      { country_code: 'BR', country_name: 'Brazil', presses: 876 },
      { country_code: 'JP', country_name: 'Japan', presses: 512 },
      { country_code: 'KE', country_name: 'Kenya', presses: 233 },
      { country_code: '--', country_name: 'Unknown', presses: 41 },
    ],
  }),
};

/** The app on a free port of 127.0.0.1 (Chromium talks to it over real HTTP). */
const running = memo(async () => {
  const watched = await watchedKafkaSink();
  const reader = await topicReader();
  const app: FastifyInstance = buildApp({
    events: watched.sink,
    geo: await openGeoLookup(),
    cookieSecret,
    stats: sampleStats,
    logger: { stream: logs.stream },
    rateLimit: { max: 1000, timeWindowMs: 60_000 },
  });
  cleanUpLater(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, watched, reader };
});

/** Opens the page and records what a participant would see in the browser's console. */
async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(url);
  expectStatus({ statusCode: response?.status() ?? 0, body: (await response?.text()) ?? '' }, [200], logs, `Opening ${url} in Chromium`);
  return { page, problems };
}

async function visitSessionId(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => /^[0-9a-f-]{36}\./i.test(decodeURIComponent(c.value)));
  assertWithHint(cookie, 'The page must set the signed visit cookie (src/session-cookie.ts)');
  assertWithHint(
    cookie.httpOnly && cookie.sameSite === 'Strict',
    'The visit cookie must be httpOnly and SameSite=Strict (src/session-cookie.ts)',
    JSON.stringify(cookie),
  );
  const value = decodeURIComponent(cookie.value);
  return value.slice(0, value.lastIndexOf('.'));
}

/** Presses the big button (a click, or a tap on a phone) and returns the reply htmx swapped in. */
async function pressAndSeeReply(page: Page, how: 'click' | 'tap'): Promise<string> {
  // htmx fires htmx:afterSettle on the page once the answer is in place.
  const settled = page.evaluate(
    () => new Promise<void>((resolve) => document.body.addEventListener('htmx:afterSettle', () => resolve(), { once: true })),
  );
  const button = page.getByRole('button', { name: /push/i });
  await (how === 'tap' ? button.tap() : button.click());
  await withHint('A press showed no reply under the button — the browser console or the app log says why', () =>
    Promise.race([
      settled,
      rejectAfter(replyTimeoutMs, () => `no htmx:afterSettle in ${replyTimeoutMs / 1000} s; app log: ${logs.lastError() ?? '(no error)'}`),
    ]),
  );
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a visitor sees, hidden parts left out
  return (await page.locator('#reply').innerText()).trim();
}

describe('in a real browser (Chromium)', () => {
  it('a click on the big button shows a reply; leaving sends ExitPage; the visit reaches Kafka', async () => {
    const { url, watched, reader } = await running();
    const context = await (await browser()).newContext({ viewport: { width: 1280, height: 800 } });
    cleanUpLater(() => context.close());
    const { page, problems } = await openPage(context, url);
    const sessionId = await visitSessionId(context);

    const replies: string[] = [];
    for (let press = 1; press <= 3; press++) replies.push(await pressAndSeeReply(page, 'click'));
    assertWithHint(
      replies.every((reply) => /press #\d+/i.test(reply) && reply.length > 12),
      'Each press must answer with a reply and its number in the visit — if the app log shows an error, README §1–2',
      JSON.stringify(replies),
    );
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: join(outputDir, 'button-page-desktop.png'), animations: 'disabled' });

    assertWithHint(
      problems.length === 0,
      'The browser reported errors — often the Content-Security-Policy blocking an inline script or style (app.ts, pages.ts)',
      problems.join(' | '),
    );

    // Leaving the page fires pagehide: the beacon sends POST /exit with the visit's cookie. Waited for as an event
    // (the sink gets the ExitPage), not for a fixed time: a busy machine delivers the beacon late, not never.
    const exited = watched.waitForAction(sessionId, 'ExitPage');
    await page.goto('about:blank');
    const events = await withHint(
      "Leaving the page must end the visit: src/public/button.js sends navigator.sendBeacon('/exit') on pagehide, and POST /exit sends ExitPage",
      () =>
        Promise.race([
          exited,
          rejectAfter(
            beaconTimeoutMs,
            () => `no ExitPage ${beaconTimeoutMs / 1000} s after leaving the page; events: ${describeEvents(watched.of(sessionId))}`,
          ),
        ]),
    );
    const actions = events.map((event) => event.action).join(', ');
    assertWithHint(
      actions === 'EnterPage, PressButton, PressButton, PressButton, ExitPage',
      "The browser's visit must be one EnterPage, 3 × PressButton and one ExitPage, with the visit's session id — README §1",
      describeEvents(events),
    );
    const counts = events.map((event) => event.count);
    assertWithHint(counts.join() === '0,1,2,3,4', countHint(counts), describeEvents(events));
    await reader.waitFor([sessionId], 5, `The browser's 5 events did not all reach ${topic} — README §2`);

    // The presenter's big screen.
    const stats = await openPage(context, `${url}/stats`);
    await withHint('The stats page must show the counts it polls from /stats/table (pages.ts, stats.ts)', () =>
      stats.page.getByText('Finland').waitFor({ timeout: statsTimeoutMs }),
    );
    await stats.page.screenshot({ path: join(outputDir, 'stats-page-desktop.png'), animations: 'disabled' });
  });

  it('looks good on a phone too (screenshots in test-output/)', async () => {
    const { url } = await running();
    const context = await (await browser()).newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    cleanUpLater(() => context.close());
    const { page, problems } = await openPage(context, url);
    await pressAndSeeReply(page, 'tap');
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: join(outputDir, 'button-page-phone.png'), animations: 'disabled' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assertWithHint(overflow <= 0, "The page must fit a phone's width without scrolling sideways (button.css)", `${overflow}px too wide`);

    const stats = await openPage(context, `${url}/stats`);
    await withHint('The stats page must show the counts it polls from /stats/table (pages.ts, stats.ts)', () =>
      stats.page.getByText('Finland').waitFor({ timeout: statsTimeoutMs }),
    );
    await stats.page.screenshot({ path: join(outputDir, 'stats-page-phone.png'), animations: 'disabled' });
    assertWithHint(
      problems.length + stats.problems.length === 0,
      'The browser reported errors (CSP?)',
      [...problems, ...stats.problems].join(' | '),
    );
  });
});
