import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';

/** The workshop's step list, read from steps/workshop.json — the only place steps are listed. */
export interface WorkshopStep {
  dir: string;
  title: string;
  teaches: string;
  /** False for the tour (step 00): nothing to write, so no solution and no failing starter. */
  exercise: boolean;
  hints: string[];
}

export function readWorkshopSteps(root = repoRoot): WorkshopStep[] {
  const file = JSON.parse(readFileSync(join(root, 'steps/workshop.json'), 'utf8')) as { steps: WorkshopStep[] };
  return file.steps;
}

/** Steps whose number is in `numbers` ("01", "1", "01-fake-data"); all steps when `numbers` is empty. */
export function selectSteps(steps: WorkshopStep[], numbers: string[]): WorkshopStep[] {
  if (numbers.length === 0) return steps;
  const wanted = numbers.map((n) => n.split('-')[0]!.padStart(2, '0'));
  const unknown = wanted.filter((n) => !steps.some((step) => step.dir.startsWith(`${n}-`)));
  if (unknown.length) throw new Error(`No step ${unknown.join(', ')} in steps/workshop.json (steps: ${steps.map((s) => s.dir.slice(0, 2)).join(' ')})`);
  return steps.filter((step) => wanted.includes(step.dir.slice(0, 2)));
}

/** "01" for 01-fake-data: what a participant types after `npm run hint --`. */
export function stepNumber(step: WorkshopStep): string {
  return step.dir.slice(0, 2);
}

/** The one step named by `number` (a command that works on one step: hint, reset, solution, watch). */
export function selectStep(steps: WorkshopStep[], number: string): WorkshopStep {
  const [step] = selectSteps(steps, [number]);
  return step!;
}

/** Where a step's code lives, relative to the repo root: the participant's and the reference solution's. */
export function starterSrc(step: WorkshopStep): string {
  return `steps/${step.dir}/src`;
}

export function solutionSrc(step: WorkshopStep): string {
  return `solutions/${step.dir}/src`;
}
