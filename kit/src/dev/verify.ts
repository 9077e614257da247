import { isKitError } from '@workshop/shared/errors';
import { repoRoot } from '@workshop/shared/repo-root';
import { runStepTests, type StepTestOutcome } from '../workshop/run-step-tests.js';
import type { WorkshopStep } from '../workshop/steps.js';
import { isCaught, listMistakes, runMistake, type Mistake } from './mistakes.js';
import { coverageComplete, judgeCoverage, readStepRequirements, type StepCoverage } from './requirements.js';

/**
 * The author check (rustlings' `dev check`, and more): for every step, its tests pass on the reference solution, fail on
 * the starter with a hint, catch every authored mistake with a hint, and cover every requirement of its README
 * (requirements.ts). Each mistake is run once: its per-test results feed both "caught" and the coverage.
 */
export interface MistakeVerdict {
  mistake: Mistake;
  outcome?: StepTestOutcome;
  /** Why it did not run: the patch no longer applies, or the run was stopped. */
  notRun?: string;
  caught: boolean;
}

export interface StepVerdict {
  step: WorkshopStep;
  solution: StepTestOutcome;
  starter?: StepTestOutcome;
  solutionOk: boolean;
  starterOk: boolean;
  /** Empty for the tour. */
  mistakes: MistakeVerdict[];
  /** Undefined for the tour: nothing to write, so no requirement a participant's code must meet. */
  coverage?: StepCoverage;
  /** Only the solution ran (VerifyOptions.solutionsOnly): the starter, mistakes and coverage are not judged. */
  solutionOnly?: true;
}

export interface VerifyOptions {
  /** Told what is about to run ("solution", "mistake no-key"), so minutes of tests do not look like a hang. */
  progress?: (step: WorkshopStep, what: string) => void;
  /** Checked between two runs: true ends the check early (npm test on Ctrl-C); what did not run is reported as such. */
  shouldStop?: () => boolean;
  /** Which checkout's steps/ and solutions/ (tests use a fake workshop). */
  root?: string;
  /** Runs one mistake (tests pass a fake). */
  runMistake?: (mistake: Mistake, extraEnv?: NodeJS.ProcessEnv) => Promise<StepTestOutcome>;
  /** Runs a step's suite (tests pass a fake). */
  runTests?: typeof runStepTests;
  /**
   * Each step's solution (the tour's suite) and nothing else: no starter, no mistakes, no coverage. What the secured
   * stack's check needs — the steps' code works with TLS and credentials — in the time of one run per step.
   */
  solutionsOnly?: boolean;
  /** How many of a step's mistakes run at once (default: mistakesAtOnce()). */
  mistakesAtOnce?: number;
  /** Added to every test run's environment: the secured stack's config for npm test's stage, this process keeping its own. */
  env?: NodeJS.ProcessEnv;
}

/** How many mistakes of a step run at once: WORKSHOP_VERIFY_MISTAKES_AT_ONCE, default 2 (a 2-core laptop stays responsive). */
export function mistakesAtOnce(env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number(env.WORKSHOP_VERIFY_MISTAKES_AT_ONCE ?? 2);
  return Number.isInteger(wanted) && wanted >= 1 ? wanted : 2;
}

/**
 * `work` over `items` with at most `limit` running at a time; results in the items' order. (p-limit does this; twelve
 * lines here spare the kit a dependency for one call.)
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

export async function verifyStep(step: WorkshopStep, options: VerifyOptions = {}): Promise<StepVerdict> {
  const root = options.root ?? repoRoot;
  const runTests = options.runTests ?? runStepTests;
  const progress = (what: string) => options.progress?.(step, what);
  progress(step.exercise ? 'solution' : 'tour');
  // The tour has no exercise: its one suite must simply pass.
  const extraEnv = options.env;
  const solution = await runTests(step.dir, step.exercise ? 'solution' : 'starter', { root, extraEnv });
  const solutionOk = !solution.crashed && solution.failed === 0 && solution.passed > 0;
  if (options.solutionsOnly) return { step, solution, solutionOk, starterOk: true, mistakes: [], solutionOnly: true };
  if (!step.exercise) return { step, solution, solutionOk, starterOk: true, mistakes: [] };

  progress('starter');
  const starter = await runTests(step.dir, 'starter', { root, extraEnv });
  const starterOk = !starter.crashed && starter.failed > 0 && starter.firstFailureIsHint;

  const judgeMistake = async (mistake: Mistake): Promise<MistakeVerdict> => {
    if (options.shouldStop?.()) return { mistake, notRun: 'stopped', caught: false };
    progress(`mistake ${mistake.name}`);
    try {
      const outcome = await (options.runMistake ?? runMistake)(mistake, extraEnv);
      return { mistake, outcome, caught: isCaught(outcome) };
    } catch (error) {
      // A patch that no longer applies is this mistake's failure, not the end of the whole check.
      if (!isKitError(error)) throw error;
      return { mistake, notRun: error.message, caught: false };
    }
  };
  // Several at once: a mistake's run mostly waits (on the stack, on an outage's back-off), and each test names its
  // topics, tables, groups and connectors uniquely (shared/src/testing/ids.ts), so two runs never meet.
  const mistakes = await mapWithConcurrency(listMistakes(step.dir, root), options.mistakesAtOnce ?? mistakesAtOnce(), judgeMistake);
  const runs = mistakes.map((m) => ({ name: m.mistake.name, outcome: m.outcome, notRun: m.notRun }));
  const coverage = judgeCoverage(readStepRequirements(step.dir, root), solution, runs);
  return { step, solution, starter, solutionOk, starterOk, mistakes, coverage };
}

/** `npm run verify [NN…]`: every selected step, one after another (they share the stack). */
export async function verifySteps(steps: WorkshopStep[], options: VerifyOptions = {}): Promise<StepVerdict[]> {
  const verdicts: StepVerdict[] = [];
  for (const step of steps) {
    if (options.shouldStop?.()) break;
    verdicts.push(await verifyStep(step, options));
  }
  return verdicts;
}

/**
 * Every check of a verdict as one line of a tally: what `npm test` records (one failure per broken check, so its
 * summary names each uncaught mistake and each uncovered requirement) and what `npm run verify` exits on.
 */
export interface VerifyCheck {
  ok: boolean;
  what: string;
}

export function verdictChecks(verdict: StepVerdict): VerifyCheck[] {
  const dir = verdict.step.dir;
  const checks: VerifyCheck[] = [{ ok: verdict.solutionOk, what: `${dir} ${verdict.step.exercise ? 'solution' : 'tour'}` }];
  if (!verdict.step.exercise || verdict.solutionOnly) return checks;
  checks.push({ ok: verdict.starterOk, what: `${dir} starter` });
  for (const m of verdict.mistakes) checks.push({ ok: m.caught, what: `${dir} mistake ${m.mistake.name}` });
  const coverage = verdict.coverage;
  if (!coverage?.listed) checks.push({ ok: false, what: `${dir} requirements: no steps/${dir}/test/requirements.json` });
  else if (coverage.total === 0) checks.push({ ok: false, what: `${dir} requirements: none listed` });
  for (const r of coverage?.requirements ?? [])
    checks.push({ ok: r.covered, what: `${dir} requirement ${r.requirement.id}${r.reason ? ` — ${r.reason}` : ''}` });
  return checks;
}

export function verdictOk(verdict: StepVerdict): boolean {
  return verdictChecks(verdict).every((check) => check.ok);
}

const notJudged = '— (solution only)';

export function describeSolution(verdict: StepVerdict): string {
  const { solution } = verdict;
  // A solutions-only run is about time too (the CI stage's budget): each step's own.
  const seconds = verdict.solutionOnly ? `, ${solution.seconds.toFixed(1)} s` : '';
  if (verdict.solutionOk) return `pass (${solution.passed}${seconds})`;
  return `FAIL (${solution.failed} failed)`;
}

export function describeStarter(verdict: StepVerdict): string {
  const { starter } = verdict;
  if (verdict.solutionOnly) return notJudged;
  if (!starter) return '— (tour)';
  if (verdict.starterOk) return `fails with a hint (${starter.failed}/${starter.failed + starter.passed})`;
  if (starter.failed === 0) return 'PASSES — the starter is already solved';
  if (starter.crashed) return 'CRASHED — tests did not run';
  return 'fails WITHOUT a hint';
}

export function describeMistakes(verdict: StepVerdict): string {
  if (verdict.solutionOnly) return notJudged;
  if (!verdict.step.exercise) return '—';
  const caught = verdict.mistakes.filter((m) => m.caught).length;
  const total = verdict.mistakes.length;
  if (total === 0) return 'NONE authored';
  return caught === total ? `all caught (${caught}/${total})` : `${caught}/${total} caught`;
}

export function describeCoverage(verdict: StepVerdict): string {
  if (verdict.solutionOnly) return notJudged;
  const coverage = verdict.coverage;
  if (!coverage) return '— (tour)';
  if (!coverage.listed) return '0 % — no requirements.json';
  if (coverage.total === 0) return '0 % — none listed';
  const percent = Math.floor((100 * coverage.covered) / coverage.total);
  return `${percent} % (${coverage.covered}/${coverage.total})${coverageComplete(coverage) ? '' : ' — UNCOVERED below'}`;
}
