import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { runStepTests } from '../../src/workshop/run-step-tests.js';

/**
 * Every step's tests run outside UTC (shared/src/testing/step-config.ts). Proved on a tiny step run the way verify runs
 * one — vitest in the step's folder with its step config — so the check covers how vitest hands TZ to its workers, not
 * just the config object: the zone must hold when the test file is imported, and a timestamp built from local time but
 * labelled Z must fail there even when the machine (or the caller) runs in UTC.
 */
const stepDir = '90-time-zone';
let root: string;

const stepConfig = `import { defineStepConfig } from ${JSON.stringify(join(repoRoot, 'shared/src/testing/step-config.ts'))};
export default defineStepConfig(import.meta.dirname);
`;

const stepTest = `import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../src/time.js';

// Taken when the file is imported: a zone set only later (in a hook or a test) would leave this at UTC.
const offsetAtImport = new Date(0).getTimezoneOffset();

it('runs in the expected zone from the start', () => {
  expect(offsetAtImport).toBe(Number(process.env.EXPECTED_OFFSET_MINUTES));
});

describe('timestamps', () => {
  it('labels a UTC timestamp Z', () => {
    expect(isoTimestamp(new Date(Date.UTC(2026, 0, 5, 12, 0, 0)))).toBe('2026-01-05T12:00:00.000Z');
  });
});
`;

const correct = 'export const isoTimestamp = (date: Date): string => date.toISOString();\n';
const localTimeLabelledZ = `const pad = (n: number, width = 2) => String(n).padStart(width, '0');
// The mistake: the wall clock of this machine, labelled as UTC.
export const isoTimestamp = (d: Date): string =>
  \`\${d.getFullYear()}-\${pad(d.getMonth() + 1)}-\${pad(d.getDate())}T\${pad(d.getHours())}:\${pad(d.getMinutes())}:\${pad(d.getSeconds())}.\${pad(d.getMilliseconds(), 3)}Z\`;
`;

beforeAll(() => {
  // Inside the checkout (git-ignored .stack/), so the fixture's imports of vitest resolve to the kit's own.
  const fixtures = join(repoRoot, '.stack/test-fixtures');
  mkdirSync(fixtures, { recursive: true });
  root = mkdtempSync(join(fixtures, 'time-zone-'));
  for (const dir of ['test', 'src', 'local-time']) mkdirSync(join(root, 'steps', stepDir, dir), { recursive: true });
  writeFileSync(join(root, 'steps', stepDir, 'vitest.config.ts'), stepConfig);
  writeFileSync(join(root, 'steps', stepDir, 'test/time.test.ts'), stepTest);
  writeFileSync(join(root, 'steps', stepDir, 'src/time.ts'), correct);
  writeFileSync(join(root, 'steps', stepDir, 'local-time/time.ts'), localTimeLabelledZ);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a step's tests run outside UTC", () => {
  it('in New York by default — even when the caller runs in UTC — and a correct solution passes there', async () => {
    // 1 January 1970 in New York: EST, 5 hours behind UTC.
    const outcome = await runStepTests(stepDir, 'starter', { root, extraEnv: { TZ: 'UTC', EXPECTED_OFFSET_MINUTES: '300' } });

    expect(outcome.tests).toEqual([
      { fullName: 'runs in the expected zone from the start', status: 'passed', failureMessages: [] },
      // Named as vitest prints it and requirements.json lists it: describe titles and the test's, joined by " > ".
      { fullName: 'timestamps > labels a UTC timestamp Z', status: 'passed', failureMessages: [] },
    ]);
  });

  it('fails a solution that labels local time Z', async () => {
    const outcome = await runStepTests(stepDir, 'starter', {
      root,
      extraEnv: { TZ: 'UTC', EXPECTED_OFFSET_MINUTES: '300', WORKSHOP_EXERCISE_DIR: join(root, 'steps', stepDir, 'local-time') },
    });

    expect(outcome.firstFailingTest).toBe('timestamps > labels a UTC timestamp Z');
    expect(outcome.firstFailure).toContain('2026-01-05T07:00:00.000Z');
  });

  it('in the zone WORKSHOP_TEST_TZ names', async () => {
    const outcome = await runStepTests(stepDir, 'starter', {
      root,
      extraEnv: { WORKSHOP_TEST_TZ: 'Asia/Kolkata', EXPECTED_OFFSET_MINUTES: '-330' },
    });

    expect(outcome).toMatchObject({ passed: 2, failed: 0 });
  });
});
