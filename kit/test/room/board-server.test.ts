import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildBoardServer } from '../../src/room/board-server.js';
import { BoardState } from '../../src/room/board-state.js';

const now = new Date('2026-12-02T20:30:00Z');
let server: FastifyInstance | undefined;
afterEach(() => server?.close());

function board(): FastifyInstance {
  const state = new BoardState();
  state.apply({
    participant: 'alice',
    step: '02-produce-json',
    passed: 6,
    failed: 0,
    first_failing_test: null,
    hint: null,
    time: new Date('2026-12-02T20:00:00Z'),
  });
  state.apply({
    participant: 'bob',
    step: '02-produce-json',
    passed: 2,
    failed: 1,
    first_failing_test: 'produce > keys <b>',
    hint: 'Key every message by session_id — README §2',
    time: new Date('2026-12-02T20:00:00Z'),
  });
  server = buildBoardServer({
    state,
    steps: ['01-fake-data', '02-produce-json'],
    stuckAfterMs: 10 * 60_000,
    refreshMs: 2000,
    now: () => now,
  });
  return server;
}

describe('board server', () => {
  it('shows one row per participant: passing, stuck (same test failing > N min), untouched; totals; escaped text', async () => {
    const response = await board().inject({ url: '/grid', headers: { host: '127.0.0.1:8091' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(
      /<tr data-participant="alice">.*data-step="01-fake-data" data-state="untouched".*data-step="02-produce-json" data-state="passing"/s,
    );
    expect(response.body).toMatch(/<tr data-participant="bob">.*data-step="02-produce-json" data-state="stuck"/s);
    expect(response.body).toContain('data-participants="2" data-stuck="1"');
    expect(response.body).toContain('produce &gt; keys &lt;b&gt;');
  });

  it('filters to the stuck ones', async () => {
    const response = await board().inject({ url: '/grid?only=stuck', headers: { host: 'localhost:8091' } });
    expect(response.body).toContain('data-participant="bob"');
    expect(response.body).not.toContain('data-participant="alice"');
  });

  it('is read-only: anything but GET is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const response = await board().inject({ method, url: '/grid', headers: { host: '127.0.0.1' } });
      expect(response.statusCode).toBe(404);
      await server?.close();
    }
  });

  it('refuses a Host that is not its own (DNS rebinding), serves its page with a self-only CSP', async () => {
    const app = board();
    expect((await app.inject({ url: '/', headers: { host: 'evil.example:8091' } })).statusCode).toBe(421);
    const page = await app.inject({ url: '/', headers: { host: '127.0.0.1:8091' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('hx-get="/grid"');
    expect((await app.inject({ url: '/htmx.min.js', headers: { host: '127.0.0.1' } })).statusCode).toBe(200);
  });
});
