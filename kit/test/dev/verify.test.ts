import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KitError } from '@workshop/shared/errors';
import type { Mistake } from '../../src/dev/mistakes.js';
import { mapWithConcurrency, mistakesAtOnce, verdictChecks, verdictOk, verifyStep, verifySteps } from '../../src/dev/verify.js';
import { renderVerifyTable } from '../../src/view/verify-table.js';
import type { StepTestOutcome } from '../../src/workshop/run-step-tests.js';
import type { WorkshopStep } from '../../src/workshop/steps.js';

/**
 * verify on a fake workshop: fake test runs (no vitest, no stack) and real data files — the mistake patches' names and a
 * requirements.json — so what is checked is how the runs become a verdict, a table and npm test's tally.
 */
const keyTest = 'produce > keys each event by its session';
const awaitTest = 'produce > resolves only once Kafka acknowledged';

function outcome(failing: Record<string, 'hint' | 'bare'>, crashed = false): StepTestOutcome {
  const names = [keyTest, awaitTest];
  const tests = names.map((fullName) => {
    const how = failing[fullName];
    return {
      fullName,
      status: how ? ('failed' as const) : ('passed' as const),
      failureMessages: how === 'hint' ? [`HintError: ${fullName} — do this`] : how === 'bare' ? ['AssertionError: expected true'] : [],
    };
  });
  const failed = tests.filter((t) => t.status === 'failed');
  return {
    passed: tests.length - failed.length,
    failed: failed.length,
    firstFailure: failed[0]?.failureMessages[0],
    firstFailingTest: failed[0]?.fullName,
    firstFailureIsHint: failed[0]?.failureMessages[0]?.startsWith('HintError') ?? false,
    crashed,
    seconds: 1,
    tests: crashed ? [] : tests,
  };
}

const exercise: WorkshopStep = { dir: '02-produce', title: 'Produce', teaches: 'keys', exercise: true, hints: ['h'] };
const tour: WorkshopStep = { dir: '00-stack', title: 'Tour', teaches: 'stack', exercise: false, hints: ['h'] };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'verify-'));
  mkdirSync(join(root, 'solutions/02-produce/mistakes'), { recursive: true });
  mkdirSync(join(root, 'steps/02-produce/test'), { recursive: true });
  for (const [name, description] of [
    ['no-key', 'No message key: a visit scatters.'],
    ['send-not-awaited', 'Fire-and-forget send.'],
    ['stale-patch', 'A patch that no longer applies.'],
  ]) {
    writeFileSync(join(root, `solutions/02-produce/mistakes/${name}.patch`), `${description}\n--- a/produce.ts\n+++ b/produce.ts\n`);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeRequirements(requirements: unknown[]): void {
  writeFileSync(join(root, 'steps/02-produce/test/requirements.json'), JSON.stringify({ requirements }));
}

const keyRequirement = { id: 'key-is-session-id', readme: '§2', says: 'key by session_id', tests: [keyTest], mistakes: ['no-key.patch'] };
const awaitRequirement = {
  id: 'await-the-send',
  readme: '§3',
  says: 'an answer means stored',
  tests: [awaitTest],
  mistakes: ['send-not-awaited.patch'],
};

/** Fake runners that count their calls: each mistake must run once, its results serving both checks. */
function fakes(mistakeOutcomes: Record<string, StepTestOutcome>) {
  const mistakeRuns: string[] = [];
  const suiteRuns: string[] = [];
  return {
    mistakeRuns,
    suiteRuns,
    options: {
      root,
      runTests: async (dir: string, target: 'starter' | 'solution') => {
        suiteRuns.push(target);
        // The tour runs its one suite as the "starter": it passes; an exercise's starter fails with hints.
        return target === 'solution' || dir === tour.dir ? outcome({}) : outcome({ [keyTest]: 'hint', [awaitTest]: 'hint' });
      },
      runMistake: async (mistake: Mistake) => {
        mistakeRuns.push(mistake.name);
        if (mistake.name === 'stale-patch') throw new KitError('02-produce/stale-patch.patch no longer applies to the solution');
        return mistakeOutcomes[mistake.name] ?? outcome({});
      },
    },
  };
}

describe('npm run verify', () => {
  it('runs each mistake once and judges both "caught" and the coverage from that one run', async () => {
    writeRequirements([keyRequirement, awaitRequirement]);
    const run = fakes({ 'no-key': outcome({ [keyTest]: 'hint' }), 'send-not-awaited': outcome({ [keyTest]: 'hint' }) });

    const verdict = await verifyStep(exercise, run.options);

    expect(run.mistakeRuns).toEqual(['no-key', 'send-not-awaited', 'stale-patch']);
    expect(run.suiteRuns).toEqual(['solution', 'starter']);
    expect(verdict.mistakes.map((m) => [m.mistake.name, m.caught])).toEqual([
      ['no-key', true],
      ['send-not-awaited', true],
      ['stale-patch', false],
    ]);
    // send-not-awaited is caught, but by the key test: the await requirement is not shown to be held by its own test.
    expect(verdict.coverage?.requirements.map((r) => [r.requirement.id, r.covered, r.reason])).toEqual([
      ['key-is-session-id', true, undefined],
      ['await-the-send', false, 'send-not-awaited.patch is caught only by other tests'],
    ]);
  });

  it('gives npm test one failing check per uncaught mistake and per uncovered requirement, and none for what is fine', async () => {
    writeRequirements([keyRequirement, awaitRequirement]);
    const verdict = await verifyStep(
      exercise,
      fakes({ 'no-key': outcome({ [keyTest]: 'hint' }), 'send-not-awaited': outcome({}) }).options,
    );

    const failing = verdictChecks(verdict)
      .filter((check) => !check.ok)
      .map((check) => check.what);

    expect(failing).toEqual([
      '02-produce mistake send-not-awaited',
      '02-produce mistake stale-patch',
      '02-produce requirement await-the-send — send-not-awaited.patch passes every test',
    ]);
    expect(verdictOk(verdict)).toBe(false);
  });

  it('prints the table with n/n mistakes and the coverage, then the uncovered requirements in a list with the reason', async () => {
    writeRequirements([keyRequirement, awaitRequirement]);
    const verdicts = await verifySteps(
      [tour, exercise],
      fakes({ 'no-key': outcome({ [keyTest]: 'hint' }), 'send-not-awaited': outcome({ [awaitTest]: 'bare' }) }).options,
    );

    const text = renderVerifyTable(verdicts).join('\n');

    expect(text).toMatch(/^step\s+solution\s+starter\s+mistakes\s+requirements$/m);
    expect(text).toMatch(/^00-stack\s+pass \(2\)\s+— \(tour\)\s+—\s+— \(tour\)$/m);
    expect(text).toMatch(/^02-produce\s+pass \(2\)\s+fails with a hint \(2\/2\)\s+1\/3 caught\s+50 % \(1\/2\) — UNCOVERED below$/m);
    expect(text).toContain('✗ mistake send-not-awaited: fails, but without a hint (Fire-and-forget send.)');
    expect(text).toContain('✗ mistake stale-patch: NOT RUN — 02-produce/stale-patch.patch no longer applies to the solution');
    expect(text).toContain(`✗ requirement await-the-send (§3): send-not-awaited.patch makes "${awaitTest}" fail without a hint`);
  });

  it('shows an exercise step without requirements.json as 0 %, a failing check; the tour needs none', async () => {
    const { options } = fakes({ 'no-key': outcome({ [keyTest]: 'hint' }), 'send-not-awaited': outcome({ [awaitTest]: 'hint' }) });
    const tourVerdict = await verifyStep(tour, options);
    const exerciseVerdict = await verifyStep(exercise, options);

    expect(renderVerifyTable([exerciseVerdict]).join('\n')).toMatch(/^02-produce .* 0 % — no requirements\.json$/m);
    expect(
      verdictChecks(exerciseVerdict)
        .filter((c) => !c.ok)
        .map((c) => c.what),
    ).toContain('02-produce requirements: no steps/02-produce/test/requirements.json');
    expect(verdictOk(tourVerdict)).toBe(true);
  });

  it('is all green when every mistake is caught and every requirement covered', async () => {
    writeRequirements([keyRequirement, awaitRequirement]);
    rmSync(join(root, 'solutions/02-produce/mistakes/stale-patch.patch'));
    const verdict = await verifyStep(
      exercise,
      fakes({ 'no-key': outcome({ [keyTest]: 'hint' }), 'send-not-awaited': outcome({ [awaitTest]: 'hint' }) }).options,
    );

    expect(verdictChecks(verdict).every((check) => check.ok)).toBe(true);
    expect(renderVerifyTable([verdict]).join('\n')).toMatch(/all caught \(2\/2\)\s+100 % \(2\/2\)$/m);
  });

  it('solutions only: one run per step, with the environment it was given; only a failing solution fails a check', async () => {
    const seen: (string | undefined)[] = [];
    const run = fakes({});
    const options = {
      ...run.options,
      solutionsOnly: true,
      env: { WORKSHOP_ENV_FILE: '/secured/env' },
      runTests: async (dir: string, target: 'starter' | 'solution', runOptions: { extraEnv?: NodeJS.ProcessEnv } = {}) => {
        seen.push(runOptions.extraEnv?.WORKSHOP_ENV_FILE);
        return run.options.runTests(dir, target);
      },
    };
    // No requirements.json, and mistakes that would not be caught: neither is judged.
    const verdicts = await verifySteps([tour, exercise], options);

    expect(run.suiteRuns).toEqual(['starter', 'solution']);
    expect(run.mistakeRuns).toEqual([]);
    expect(seen).toEqual(['/secured/env', '/secured/env']);
    expect(verdicts.flatMap(verdictChecks)).toEqual([
      { ok: true, what: '00-stack tour' },
      { ok: true, what: '02-produce solution' },
    ]);
    expect(renderVerifyTable(verdicts).join('\n')).toMatch(
      /^02-produce\s+pass \(2, 1\.0 s\)\s+— \(solution only\)\s+— \(solution only\)\s+— \(solution only\)$/m,
    );
  });

  it('stops between runs when asked, reporting what did not run', async () => {
    writeRequirements([keyRequirement]);
    const run = fakes({ 'no-key': outcome({ [keyTest]: 'hint' }) });
    const verdict = await verifyStep(exercise, { ...run.options, shouldStop: () => run.mistakeRuns.length >= 1 });

    expect(run.mistakeRuns).toEqual(['no-key']);
    expect(verdict.mistakes.map((m) => m.notRun)).toEqual([undefined, 'stopped', 'stopped']);
  });
});

describe('mistakes run a few at a time', () => {
  it('never more than the limit at once, and the verdicts in the mistakes’ order whichever finishes first', async () => {
    let running = 0;
    let most = 0;
    const finishOrder: number[] = [];
    const results = await mapWithConcurrency([30, 5, 20, 1, 10], 2, async (ms) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      finishOrder.push(ms);
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20]);
    expect(most).toBe(2);
    expect(finishOrder).not.toEqual([30, 5, 20, 1, 10]);
  });

  it('how many at once comes from WORKSHOP_VERIFY_MISTAKES_AT_ONCE, 2 when unset or not a whole number ≥ 1', () => {
    expect(mistakesAtOnce({})).toBe(2);
    expect(mistakesAtOnce({ WORKSHOP_VERIFY_MISTAKES_AT_ONCE: '1' })).toBe(1);
    expect(mistakesAtOnce({ WORKSHOP_VERIFY_MISTAKES_AT_ONCE: '4' })).toBe(4);
    expect(mistakesAtOnce({ WORKSHOP_VERIFY_MISTAKES_AT_ONCE: '0' })).toBe(2);
    expect(mistakesAtOnce({ WORKSHOP_VERIFY_MISTAKES_AT_ONCE: 'many' })).toBe(2);
  });
});
