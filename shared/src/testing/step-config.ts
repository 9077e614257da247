import { existsSync } from 'node:fs';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { exerciseSrcDir, exerciseTarget } from './exercise-target.js';

/**
 * vitest config for a step: `export default defineStepConfig(import.meta.dirname)`.
 * Under `WORKSHOP_TARGET=solution` every `../src/…` import in the step's tests resolves to
 * `solutions/NN/src/…`, so one test suite checks both the starter and the reference solution.
 */
export function defineStepConfig(stepDir: string, overrides: { testTimeoutMs?: number } = {}): ViteUserConfig {
  const srcDir = exerciseSrcDir(stepDir);
  if (!existsSync(srcDir)) throw new Error(`No src folder to test at ${srcDir}`);
  return defineConfig({
    resolve: {
      alias: exerciseTarget() === 'solution' ? [{ find: /^\.\.\/src\/(.*)$/, replacement: `${srcDir}/$1` }] : [],
    },
    test: {
      include: ['test/**/*.test.ts'],
      env: { WORKSHOP_EXERCISE_SRC: srcDir },
      testTimeout: overrides.testTimeoutMs ?? 60_000,
      hookTimeout: 60_000,
      // Steps share one stack and their tests create topics and groups: run files one at a time.
      fileParallelism: false,
    },
  });
}
