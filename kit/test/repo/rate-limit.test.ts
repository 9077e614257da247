import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../solutions/08-button-app/src/app.js';

// Issue 14: the button app's rate limit was keyed by the visit cookie, so each fresh cookie got a fresh bucket (9
// presses from one address with max 3). The bucket is the client address now; the room's size is in its default.

function app(max: number) {
  return buildApp({
    events: { send: async () => undefined },
    geo: { lookupLocation: () => ({ country_code: '--', country_name: 'Unknown', subdivision_name: null, city_name: null }) },
    cookieSecret: 'rate-limit-test-secret-0123456789abcdef',
    rateLimit: { max, timeWindowMs: 60_000 },
    logger: { level: 'silent' },
  });
}

/** What htmx posts: an empty form and its header. */
const press = {
  method: 'POST',
  url: '/press',
  headers: { 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
  payload: '',
} as const;

describe('the button app rate-limits by client address', () => {
  it('gives fresh cookies (or none) no extra presses: 3 of 9 pass from one address with max 3', async () => {
    const button = app(3);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      // A new visit each time: no cookie, so the app starts a visit and sets a fresh one.
      const response = await button.inject({ ...press, remoteAddress: '198.51.100.7' });
      statuses.push(response.statusCode);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);

    // Another address (another phone on its own connection) has its own bucket.
    expect((await button.inject({ ...press, remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
    await button.close();
  });

  it('keeps the same count when every press brings the fresh cookie of a new visit', async () => {
    const button = app(3);
    let passed = 0;
    for (let i = 0; i < 9; i++) {
      const page = await button.inject({ method: 'GET', url: '/', remoteAddress: '198.51.100.8' });
      const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const response = await button.inject({ ...press, headers: { ...press.headers, cookie }, remoteAddress: '198.51.100.8' });
      if (response.statusCode === 200) passed++;
    }
    // GET / has a bucket of its own (per address too), so the three presses are the press route's three.
    expect(passed).toBe(3);
    await button.close();
  });
});
