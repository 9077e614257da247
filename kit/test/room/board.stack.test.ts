import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { pollUntil } from '@workshop/shared/testing';
import { startBoard, type RunningBoard } from '../../src/room/board.js';
import type { ProgressEvent } from '../../src/room/progress-event.js';
import { publishProgress } from '../../src/room/progress-topic.js';
import { isGreen, rehearsalParticipants, rehearse } from '../../src/room/rehearsal.js';

/**
 * The board on the real stack: events go through Kafka in Avro via the registry, the board reads them, and a headless
 * Chromium sees its grid change without a reload. The participants are unique to this run; earlier runs' events stay
 * in the topic (a board reads the topic from its beginning) and are simply other rows.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const config = loadConfig();
const steps = ['01-fake-data', '02-produce-json', '03-consume'];
const run = randomUUID().slice(0, 8);
const alice = `alice-${run}`;
const bob = `bob-${run}`;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

let board: RunningBoard | undefined;
async function theBoard(): Promise<RunningBoard> {
  if (!board) {
    board = await startBoard(config, { host: '127.0.0.1', port: 0, steps, stuckAfterMs: 10 * 60_000, refreshMs: 300 });
    cleanups.push(() => board!.stop());
  }
  return board;
}

let browser: Browser | undefined;
async function theBrowser(): Promise<Browser> {
  expect(existsSync(chromiumPath), `Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`).toBe(true);
  if (!browser) {
    const launched = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    browser = launched;
    cleanups.push(() => launched.close());
  }
  return browser;
}

const event = (participant: string, step: string, failing: string | null, minutesAgo = 0): ProgressEvent => ({
  participant,
  step,
  passed: failing ? 3 : 7,
  failed: failing ? 2 : 0,
  first_failing_test: failing,
  hint: failing ? `Do the next thing for ${failing} — README §2` : null,
  time: new Date(Date.now() - minutesAgo * 60_000),
});

describe('board (npm run board) on the stack', () => {
  it('a step’s own npm test publishes its run, and the board shows it', async () => {
    const { state } = await theBoard();
    const participant = `carol-${run}`;
    // Exactly what a participant's `npm test` in steps/01-fake-data runs (the starter fails there: a red cell).
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = spawn(join(repoRoot, 'node_modules/.bin/vitest'), ['run'], {
        cwd: join(repoRoot, 'steps/01-fake-data'),
        env: { ...process.env, WORKSHOP_PARTICIPANT: participant, WORKSHOP_BOARD: 'auto', WORKSHOP_TARGET: '', WORKSHOP_EXERCISE_DIR: '' },
        stdio: 'ignore',
      });
      child.on('close', resolve);
    });
    expect(exitCode).toBe(1);
    const row = await pollUntil(() => state.participants().find((p) => p.participant === participant), {
      timeoutMs: 30_000,
      hint: `${participant}'s row never showed on the board`,
    });
    const cell = row.cells.get('01-fake-data')!;
    expect(cell.state).toBe('failing');
    expect(cell.failed).toBeGreaterThan(0);
    expect(cell.firstFailingTest).toBeTruthy();
  });

  it('a browser sees two participants’ rows update live, the totals, and the stuck filter', async () => {
    const { url } = await theBoard();
    const page = await (await theBrowser()).newPage();
    await page.goto(url);
    const cell = (participant: string, step: string) => page.locator(`tr[data-participant="${participant}"] td[data-step="${step}"]`);

    await publishProgress(config, event(alice, '02-produce-json', 'produce > keys every message', 12));
    await publishProgress(config, event(bob, '02-produce-json', null));
    // No reload: htmx fetches the grid again by itself.
    await expect.poll(() => cell(alice, '02-produce-json').getAttribute('data-state'), { timeout: 20_000 }).toBe('stuck');
    await expect.poll(() => cell(bob, '02-produce-json').getAttribute('data-state'), { timeout: 20_000 }).toBe('passing');
    expect(await cell(bob, '03-consume').getAttribute('data-state')).toBe('untouched');
    expect(await cell(alice, '02-produce-json').getAttribute('title')).toContain('produce > keys every message');

    await expect.poll(() => page.locator('.totals').getAttribute('data-stuck'), { timeout: 20_000 }).not.toBe('0');

    // The presenter's filter: only the stuck ones (bob is not).
    await page.goto(`${url}?only=stuck`);
    expect(await page.locator(`tr[data-participant="${alice}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-participant="${bob}"]`).count()).toBe(0);

    // Alice gets it: her row turns green and drops out of the stuck ones, live.
    await publishProgress(config, event(alice, '02-produce-json', null));
    await expect.poll(() => page.locator(`tr[data-participant="${alice}"]`).count(), { timeout: 20_000 }).toBe(0);
    await page.goto(url);
    expect(await cell(alice, '02-produce-json').getAttribute('data-state')).toBe('passing');
    await publishProgress(config, event(bob, '03-consume', 'consumer > commits after processing'));
    await expect.poll(() => cell(bob, '03-consume').getAttribute('data-state'), { timeout: 20_000 }).toBe('failing');
    await page.screenshot({ path: join(repoRoot, '.stack/test-output/board.png'), fullPage: true }).catch(() => {});
  });
  it('a browser on the board sees a rehearsal’s participants appear and turn green as their runs end', {
    timeout: 5 * 60_000,
  }, async () => {
    const { url } = await theBoard();
    const page = await (await theBrowser()).newPage();
    await page.goto(url);
    const participants = rehearsalParticipants(2, `r${run.slice(0, 6)}`);
    const row = (participant: string) => page.locator(`tr[data-participant="${participant}"]`);
    for (const participant of participants) expect(await row(participant).count()).toBe(0);

    // What npm run room:rehearse does: the simulated participants run step 02's tests on the solution, side by side,
    // each run published by its own reporter (WORKSHOP_BOARD=on) — nothing here talks to the board directly.
    const results = await rehearse({ participants, steps: ['02-produce-json'] });
    expect(results.flatMap((result) => result.runs).every(isGreen)).toBe(true);
    for (const participant of participants) {
      await expect
        .poll(() => row(participant).locator('td[data-step="02-produce-json"]').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('passing');
      expect(await row(participant).locator('td[data-step="03-consume"]').getAttribute('data-state')).toBe('untouched');
    }
    await page.screenshot({ path: join(repoRoot, '.stack/test-output/board-rehearsal.png'), fullPage: true }).catch(() => {});
  });
});
