import { basename, resolve } from 'node:path';

/**
 * Which code a step's tests run against. The same test files serve every target: `npm test` in a step
 * tests the participant's `steps/NN/src`; `WORKSHOP_TARGET=solution` (set by `npm run verify`) tests
 * `solutions/NN/src`; `WORKSHOP_EXERCISE_DIR=<dir>` tests any other copy (the kit's "common mistakes"
 * check runs the tests against the solution with one mistake patched in).
 */
export type ExerciseTarget = 'starter' | 'solution' | 'other';

export function exerciseTarget(env: NodeJS.ProcessEnv = process.env): ExerciseTarget {
  if (env.WORKSHOP_EXERCISE_DIR) return 'other';
  return env.WORKSHOP_TARGET === 'solution' ? 'solution' : 'starter';
}

/** The `src/` folder under test for the step at `stepDir`. */
export function exerciseSrcDir(stepDir: string, env: NodeJS.ProcessEnv = process.env): string {
  switch (exerciseTarget(env)) {
    case 'other':
      return resolve(env.WORKSHOP_EXERCISE_DIR!);
    case 'solution':
      return resolve(stepDir, '../../solutions', basename(stepDir), 'src');
    case 'starter':
      return resolve(stepDir, 'src');
  }
}
