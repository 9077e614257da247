import { existsSync } from 'node:fs';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { resolve } from 'node:path';
import { KitError } from '../errors.js';
import { exerciseSrcDir } from '../exercise-target.js';

/**
 * The time zone every step's tests run in. Not UTC on purpose: a timestamp built from local time but labelled `Z` is
 * right only where local time is UTC (this kit's CI machines), and wrong on most participants' laptops. New York is
 * behind UTC and has daylight saving; `WORKSHOP_TEST_TZ=Asia/Kolkata` (+05:30, no DST) tries another.
 */
export const defaultStepTimeZone = 'America/New_York';

export function stepTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  return env.WORKSHOP_TEST_TZ || defaultStepTimeZone;
}

/**
 * vitest config for a step: `export default defineStepConfig(import.meta.dirname)`.
 * For another target (exercise-target.ts) every `../src/…` import in the step's tests resolves to that
 * target's `src/…`, so one test suite checks the starter, the reference solution and mistaken variants.
 */
/**
 * The board's reporter (issue 17): publishes each run's counts to the room's board when the participant joined a room.
 * Named by path because shared cannot import the kit; vitest loads it like any reporter. `runStepTests` passes it too,
 * since a `--reporter` on vitest's command line replaces the config's list.
 */
export const progressReporterPath = resolve(import.meta.dirname, '../../../kit/src/room/progress-reporter.ts');

export function defineStepConfig(stepDir: string, overrides: { testTimeoutMs?: number } = {}): ViteUserConfig {
  const srcDir = exerciseSrcDir(stepDir);
  if (!existsSync(srcDir)) {
    throw new KitError(`No src folder to test at ${srcDir}`, {
      hint: 'WORKSHOP_TARGET and WORKSHOP_EXERCISE_DIR choose which src/ is tested; a step without its src/ gets it back with npm run reset -- NN',
    });
  }
  return defineConfig({
    resolve: {
      alias: srcDir === resolve(stepDir, 'src') ? [] : [{ find: /^\.\.\/src\/(.*)$/, replacement: `${srcDir}/$1` }],
    },
    test: {
      include: ['test/**/*.test.ts'],
      reporters: ['default', progressReporterPath],
      // vitest passes `env` to each test worker when it starts it, so TZ is set before the test files (and anything they
      // import) make their first Date. kit/test/dev/step-time-zone.test.ts checks that it takes effect.
      env: { WORKSHOP_EXERCISE_SRC: srcDir, TZ: stepTimeZone() },
      testTimeout: overrides.testTimeoutMs ?? 60_000,
      hookTimeout: 60_000,
      // Steps share one stack and their tests create topics and groups: run files one at a time.
      fileParallelism: false,
    },
  });
}
