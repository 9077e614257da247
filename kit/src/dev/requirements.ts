import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '@workshop/shared/json-file';
import { repoRoot } from '@workshop/shared/repo-root';
import { isHintMessage, type StepTestOutcome } from '../workshop/run-step-tests.js';

/**
 * Requirement coverage: every "must" of a step's README, mapped to the tests that fail without it and to the mistake
 * patches that prove they do. Kept as data beside the step's tests (steps/NN-name/test/requirements.json) so the author
 * check can hold the tests to the README rather than to the authors' own list of mistakes.
 */

export const requirementsFileName = 'test/requirements.json';

const nonEmptyText = () => z.string().min(1, { error: 'must not be empty' });

const requirementSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'must be a kebab-case id like "key-is-session-id"' }),
  /** Where the README says it: "§2". */
  readme: nonEmptyText(),
  /** The README's sentence, or its key clause. */
  says: nonEmptyText(),
  /** Full vitest names (describe titles and the test's, joined by " > "). An empty list is allowed: it shows as uncovered. */
  tests: z.array(nonEmptyText()),
  /** Patch files in solutions/NN-name/mistakes/ ("no-key.patch"). Empty: uncovered, as above. */
  mistakes: z.array(z.string().regex(/^[\w.-]+\.patch$/, { error: 'must be a patch file name like "no-key.patch"' })),
});

const requirementsFileSchema = z.object({
  requirements: z.array(requirementSchema).superRefine((requirements, context) => {
    const seen = new Set<string>();
    requirements.forEach((requirement, index) => {
      if (seen.has(requirement.id))
        context.addIssue({ code: 'custom', path: [index, 'id'], message: `repeats "${requirement.id}": each id once` });
      seen.add(requirement.id);
    });
  }),
});

export type Requirement = z.infer<typeof requirementSchema>;

/** The step's requirements, or undefined when it has no requirements.json (a tour; an exercise step not yet mapped). */
export function readStepRequirements(stepDir: string, root = repoRoot): Requirement[] | undefined {
  const path = join(root, 'steps', stepDir, requirementsFileName);
  if (!existsSync(path)) return undefined;
  return readJsonFile(path, requirementsFileSchema, {
    hint: `fix that field in steps/${stepDir}/${requirementsFileName} (the format: one entry per README requirement with its tests and mistakes)`,
  }).requirements;
}

/** A mistake's run, as the coverage check needs it: its name (without .patch) and what its tests did (undefined: not run). */
export interface MistakeRun {
  name: string;
  outcome?: StepTestOutcome;
  /** Why there is no outcome (the patch no longer applies; the run was stopped). */
  notRun?: string;
}

export interface RequirementCoverage {
  requirement: Requirement;
  covered: boolean;
  /** Why it is not covered: the first problem found, in the words an author acts on. */
  reason?: string;
  /** The mistake that proves it (covered only). */
  caughtBy?: string;
}

/**
 * Covered = each of its tests is in the solution's run and passes there, and at least one of its mistakes makes at least
 * one of its tests fail with a hint. (Another test failing is not enough: then nothing shows that its own tests hold it.)
 */
export function judgeRequirement(requirement: Requirement, solution: StepTestOutcome, mistakes: MistakeRun[]): RequirementCoverage {
  const uncovered = (reason: string): RequirementCoverage => ({ requirement, covered: false, reason });
  if (requirement.tests.length === 0) return uncovered('no test listed');
  const onSolution = new Map(solution.tests.map((test) => [test.fullName, test.status]));
  for (const name of requirement.tests) {
    const status = onSolution.get(name);
    if (status === undefined) return uncovered(`no test named "${name}" ran on the solution`);
    if (status !== 'passed') return uncovered(`"${name}" ${status === 'failed' ? 'fails' : 'is skipped'} on the solution`);
  }
  if (requirement.mistakes.length === 0) return uncovered('no mistake listed');

  const runs = new Map(mistakes.map((run) => [run.name, run]));
  const misses: string[] = [];
  for (const file of requirement.mistakes) {
    const run = runs.get(file.replace(/\.patch$/, ''));
    if (!run) {
      misses.push(`${file} does not exist`);
      continue;
    }
    if (!run.outcome) {
      misses.push(`${file} not run (${run.notRun ?? 'no result'})`);
      continue;
    }
    const ownFailures = run.outcome.tests.filter((test) => test.status === 'failed' && requirement.tests.includes(test.fullName));
    if (ownFailures.some((test) => test.failureMessages.some(isHintMessage))) return { requirement, covered: true, caughtBy: file };
    const [firstOwnFailure] = ownFailures;
    if (firstOwnFailure) misses.push(`${file} makes "${firstOwnFailure.fullName}" fail without a hint`);
    else if (run.outcome.failed > 0) misses.push(`${file} is caught only by other tests`);
    else misses.push(`${file} passes every test`);
  }
  return uncovered(misses.join('; '));
}

export interface StepCoverage {
  /** False: the step has no requirements.json. */
  listed: boolean;
  requirements: RequirementCoverage[];
  covered: number;
  total: number;
}

export function judgeCoverage(requirements: Requirement[] | undefined, solution: StepTestOutcome, mistakes: MistakeRun[]): StepCoverage {
  const judged = (requirements ?? []).map((requirement) => judgeRequirement(requirement, solution, mistakes));
  return {
    listed: requirements !== undefined,
    requirements: judged,
    covered: judged.filter((r) => r.covered).length,
    total: judged.length,
  };
}

/** Complete when every requirement is covered; a step without requirements (none listed, or no file) is 0 %, not 100 %. */
export function coverageComplete(coverage: StepCoverage): boolean {
  return coverage.total > 0 && coverage.covered === coverage.total;
}
