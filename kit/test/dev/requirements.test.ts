import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coverageComplete, judgeCoverage, readStepRequirements, type Requirement } from '../../src/dev/requirements.js';
import type { StepTestOutcome, StepTestResult } from '../../src/workshop/run-step-tests.js';

/** Fake runs: the coverage check reads only which tests ran, and how each ended. */
const keyTest = 'produce > keys each event by its session';
const awaitTest = 'produce > resolves only once Kafka acknowledged';

function run(tests: Record<string, 'passed' | 'failed hint' | 'failed bare' | 'skipped'>): StepTestOutcome {
  const results: StepTestResult[] = Object.entries(tests).map(([fullName, how]) => ({
    fullName,
    status: how.startsWith('failed') ? 'failed' : (how as 'passed' | 'skipped'),
    failureMessages:
      how === 'failed hint'
        ? ['HintError: no key — use event.session_id\n    at test.ts:3']
        : how === 'failed bare'
          ? ['AssertionError: expected 1 to be 2']
          : [],
  }));
  const failed = results.filter((t) => t.status === 'failed');
  return {
    passed: results.filter((t) => t.status === 'passed').length,
    failed: failed.length,
    firstFailure: failed[0]?.failureMessages[0],
    firstFailingTest: failed[0]?.fullName,
    firstFailureIsHint: failed[0]?.failureMessages[0]?.startsWith('HintError') ?? false,
    crashed: false,
    seconds: 1,
    tests: results,
  };
}

const requirement = (overrides: Partial<Requirement> = {}): Requirement => ({
  id: 'key-is-session-id',
  readme: '§2',
  says: 'key each event by its session_id',
  tests: [keyTest],
  mistakes: ['no-key.patch'],
  ...overrides,
});

const solution = run({ [keyTest]: 'passed', [awaitTest]: 'passed' });

describe('requirement coverage', () => {
  it('covers a requirement whose mistake makes its own test fail with a hint, naming that mistake', () => {
    const coverage = judgeCoverage([requirement()], solution, [
      { name: 'no-key', outcome: run({ [keyTest]: 'failed hint', [awaitTest]: 'passed' }) },
    ]);

    expect(coverage.requirements[0]).toMatchObject({ covered: true, caughtBy: 'no-key.patch' });
    expect(coverageComplete(coverage)).toBe(true);
  });

  it('does not count a mistake caught only by another test: nothing then shows the listed test holds the requirement', () => {
    const coverage = judgeCoverage([requirement()], solution, [
      { name: 'no-key', outcome: run({ [keyTest]: 'passed', [awaitTest]: 'failed hint' }) },
    ]);

    expect(coverage.requirements[0]).toMatchObject({ covered: false, reason: 'no-key.patch is caught only by other tests' });
    expect(coverageComplete(coverage)).toBe(false);
  });

  it('does not count a failure without a hint', () => {
    const coverage = judgeCoverage([requirement()], solution, [{ name: 'no-key', outcome: run({ [keyTest]: 'failed bare' }) }]);

    expect(coverage.requirements[0]?.reason).toBe(`no-key.patch makes "${keyTest}" fail without a hint`);
  });

  it('is covered when any one of its mistakes is caught by its tests, and says why each other one is not', () => {
    const req = requirement({ mistakes: ['key-constant.patch', 'no-key.patch'] });
    const covered = judgeCoverage([req], solution, [
      { name: 'key-constant', outcome: run({ [keyTest]: 'passed' }) },
      { name: 'no-key', outcome: run({ [keyTest]: 'failed hint' }) },
    ]);
    expect(covered.requirements[0]).toMatchObject({ covered: true, caughtBy: 'no-key.patch' });

    const uncovered = judgeCoverage([req], solution, [{ name: 'key-constant', outcome: run({ [keyTest]: 'passed' }) }]);
    expect(uncovered.requirements[0]?.reason).toBe('key-constant.patch passes every test; no-key.patch does not exist');
  });

  it('needs each listed test to run and pass on the solution, with the name as vitest prints it', () => {
    const caught = [{ name: 'no-key', outcome: run({ [keyTest]: 'failed hint' }) }];
    const misnamed = judgeCoverage([requirement({ tests: ['produce > keys events'] })], solution, caught);
    expect(misnamed.requirements[0]?.reason).toBe('no test named "produce > keys events" ran on the solution');

    const failingOnSolution = judgeCoverage([requirement()], run({ [keyTest]: 'failed hint' }), caught);
    expect(failingOnSolution.requirements[0]?.reason).toBe(`"${keyTest}" fails on the solution`);

    const skipped = judgeCoverage([requirement()], run({ [keyTest]: 'skipped' }), caught);
    expect(skipped.requirements[0]?.reason).toBe(`"${keyTest}" is skipped on the solution`);
  });

  it('reports a requirement with no test or no mistake as uncovered, and a mistake that did not run with why', () => {
    const coverage = judgeCoverage(
      [requirement({ id: 'a', tests: [] }), requirement({ id: 'b', mistakes: [] }), requirement({ id: 'c' })],
      solution,
      [{ name: 'no-key', notRun: 'the patch no longer applies' }],
    );

    expect(coverage.requirements.map((r) => r.reason)).toEqual([
      'no test listed',
      'no mistake listed',
      'no-key.patch not run (the patch no longer applies)',
    ]);
    expect(coverage).toMatchObject({ covered: 0, total: 3, listed: true });
  });

  it('counts a step without a requirements file, or with none in it, as 0 % — never as complete', () => {
    const absent = judgeCoverage(undefined, solution, []);
    expect(absent).toMatchObject({ listed: false, covered: 0, total: 0 });
    expect(coverageComplete(absent)).toBe(false);
    expect(coverageComplete(judgeCoverage([], solution, []))).toBe(false);
  });
});

describe('reading steps/NN/test/requirements.json', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function writeRequirements(content: unknown): string {
    root = mkdtempSync(join(tmpdir(), 'requirements-'));
    mkdirSync(join(root, 'steps/02-produce/test'), { recursive: true });
    writeFileSync(join(root, 'steps/02-produce/test/requirements.json'), JSON.stringify(content));
    return root;
  }

  it('returns undefined for a step without the file', () => {
    root = mkdtempSync(join(tmpdir(), 'requirements-'));
    expect(readStepRequirements('02-produce', root)).toBeUndefined();
  });

  it('reads a valid file', () => {
    const at = writeRequirements({ requirements: [requirement()] });
    expect(readStepRequirements('02-produce', at)).toEqual([requirement()]);
  });

  it('names the file and the field of a broken entry', () => {
    const at = writeRequirements({ requirements: [{ ...requirement(), mistakes: ['no-key'] }] });
    expect(() => readStepRequirements('02-produce', at)).toThrow(
      /steps\/02-produce\/test\/requirements\.json: requirements\[0\]\.mistakes\[0\] must be a patch file name like "no-key\.patch"/,
    );
  });

  it('rejects an id used twice', () => {
    const at = writeRequirements({ requirements: [requirement(), requirement()] });
    expect(() => readStepRequirements('02-produce', at)).toThrow(/requirements\[1\]\.id repeats "key-is-session-id"/);
  });
});
