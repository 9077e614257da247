import { runStepTests, type StepTestOutcome } from '../workshop/run-step-tests.js';
import type { WorkshopStep } from '../workshop/steps.js';

/**
 * The author check (rustlings' `dev check`): every step's tests pass on its reference solution and fail
 * on its starter — and the starter's first failure is a hint that says what to do next.
 */
export interface StepVerdict {
  step: WorkshopStep;
  solution: StepTestOutcome;
  starter?: StepTestOutcome;
  solutionOk: boolean;
  starterOk: boolean;
}

export async function verifyStep(step: WorkshopStep): Promise<StepVerdict> {
  // The tour has no exercise: its one suite must simply pass.
  const solution = await runStepTests(step.dir, step.exercise ? 'solution' : 'starter');
  const solutionOk = !solution.crashed && solution.failed === 0 && solution.passed > 0;
  if (!step.exercise) return { step, solution, solutionOk, starterOk: true };
  const starter = await runStepTests(step.dir, 'starter');
  const starterOk = !starter.crashed && starter.failed > 0 && starter.firstFailureIsHint;
  return { step, solution, starter, solutionOk, starterOk };
}

export function describeSolution(verdict: StepVerdict): string {
  const { solution } = verdict;
  if (verdict.solutionOk) return `pass (${solution.passed})`;
  return `FAIL (${solution.failed} failed)`;
}

export function describeStarter(verdict: StepVerdict): string {
  const { starter } = verdict;
  if (!starter) return '— (tour)';
  if (verdict.starterOk) return `fails with a hint (${starter.failed}/${starter.failed + starter.passed})`;
  if (starter.failed === 0) return 'PASSES — the starter is already solved';
  if (starter.crashed) return 'CRASHED — tests did not run';
  return 'fails WITHOUT a hint';
}

/** `npm run verify [NN…]`: every selected step, one after another (they share the stack). */
export async function verifySteps(steps: WorkshopStep[], progress: (step: WorkshopStep) => void): Promise<StepVerdict[]> {
  const verdicts: StepVerdict[] = [];
  for (const step of steps) {
    progress(step);
    verdicts.push(await verifyStep(step));
  }
  return verdicts;
}
