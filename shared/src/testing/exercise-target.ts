import { basename, resolve } from 'node:path';

/**
 * Which code a step's tests run against. The same test files serve both: `npm test` in a step tests the
 * participant's `steps/NN/src`; `WORKSHOP_TARGET=solution` (set by `npm run verify`) tests
 * `solutions/NN/src` instead.
 */
export type ExerciseTarget = 'starter' | 'solution';

export function exerciseTarget(env: NodeJS.ProcessEnv = process.env): ExerciseTarget {
  return env.WORKSHOP_TARGET === 'solution' ? 'solution' : 'starter';
}

/** The `src/` folder under test for the step at `stepDir`. */
export function exerciseSrcDir(stepDir: string, target: ExerciseTarget = exerciseTarget()): string {
  if (target === 'starter') return resolve(stepDir, 'src');
  return resolve(stepDir, '../../solutions', basename(stepDir), 'src');
}
