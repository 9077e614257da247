import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';

/** The board's reporter (kit/src/room): the step configs name it too (shared/src/testing/step-config.ts). */
const progressReporterPath = join(import.meta.dirname, '../room/progress-reporter.ts');

/** Runs one step's vitest suite against the starter or the solution and summarises the outcome. */

/** One test of the run, named as vitest prints it: describe titles and its own, joined by " > " ("geo lookup > opens the database"). */
export interface StepTestResult {
  fullName: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure's messages (a hint starts with "HintError:"); empty unless the test failed. */
  failureMessages: string[];
}

export interface StepTestOutcome {
  passed: number;
  failed: number;
  /** The first failing assertion's message (what a participant would read first). */
  firstFailure?: string;
  /** The full name of the test that failed first ("geo lookup > opens the database"), when a test failed. */
  firstFailingTest?: string;
  /** True when the first failure is a hint (HintError) rather than a bare assertion or crash. */
  firstFailureIsHint: boolean;
  /** vitest could not run the suite at all (e.g. a syntax error in a test). */
  crashed: boolean;
  seconds: number;
  /** Every test of the run: the author checks ask which tests a mistake made fail (requirement coverage). */
  tests: StepTestResult[];
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  testResults: {
    message?: string;
    assertionResults: { status: string; ancestorTitles: string[]; title: string; failureMessages: string[] }[];
  }[];
}

/** The name as vitest's default reporter prints it ("geo lookup > opens the database"); the JSON's fullName joins with spaces. */
function testName(assertion: { ancestorTitles: string[]; title: string }): string {
  return [...assertion.ancestorTitles, assertion.title].join(' > ');
}

export interface RunStepTestsOptions {
  extraEnv?: NodeJS.ProcessEnv;
  testNamePattern?: string;
  /** The checkout whose steps/ to test (default: this kit). The vitest binary is always the kit's own. */
  root?: string;
}

/** What runs a step's tests: runStepTests, or a stand-in with the same contract. */
export type StepTestRunner = (stepDir: string, target: 'starter' | 'solution', options?: RunStepTestsOptions) => Promise<StepTestOutcome>;

export async function runStepTests(
  stepDir: string,
  target: 'starter' | 'solution',
  options: RunStepTestsOptions = {},
): Promise<StepTestOutcome> {
  const t0 = Date.now();
  const outDir = await mkdtemp(join(tmpdir(), 'workshop-verify-'));
  const outputFile = join(outDir, 'result.json');
  try {
    // The board's reporter (it decides whether to publish): a --reporter here replaces the step config's list.
    const args = ['run', '--reporter=json', `--reporter=${progressReporterPath}`, `--outputFile.json=${outputFile}`];
    if (options.testNamePattern) args.push('-t', options.testNamePattern);
    let spawnError: Error | undefined;
    const exitCode = await new Promise<number>((resolve) => {
      const child = spawn(join(repoRoot, 'node_modules/.bin/vitest'), args, {
        cwd: join(options.root ?? repoRoot, 'steps', stepDir),
        env: { ...process.env, ...options.extraEnv, WORKSHOP_TARGET: target, FORCE_COLOR: '0', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.resume();
      // No vitest (npm ci not run) or the step's folder is gone: a result to report, not a crash.
      child.on('error', (error) => {
        spawnError = error;
        resolve(-1);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
    if (spawnError) {
      return {
        passed: 0,
        failed: 1,
        firstFailure: `could not run vitest for ${stepDir}: ${spawnError.message}`,
        firstFailureIsHint: false,
        crashed: true,
        seconds: (Date.now() - t0) / 1000,
        tests: [],
      };
    }
    let report: VitestJson;
    try {
      report = JSON.parse(await readFile(outputFile, 'utf8')) as VitestJson;
    } catch {
      return {
        passed: 0,
        failed: 1,
        firstFailure: `vitest exited ${exitCode} without a report`,
        firstFailureIsHint: false,
        crashed: true,
        seconds: (Date.now() - t0) / 1000,
        tests: [],
      };
    }
    const failures = report.testResults.flatMap((file) => [
      ...(file.message ? [{ message: file.message, test: undefined }] : []),
      ...file.assertionResults
        .filter((a) => a.status === 'failed')
        .flatMap((a) => a.failureMessages.map((message) => ({ message, test: testName(a) }))),
    ]);
    const firstFailure = failures[0]?.message;
    const suiteErrors = report.testResults.filter((file) => file.message && file.assertionResults.length === 0).length;
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests + suiteErrors,
      firstFailure,
      firstFailingTest: failures[0]?.test,
      firstFailureIsHint: firstFailure !== undefined && isHintMessage(firstFailure),
      crashed: report.numTotalTests === 0,
      seconds: (Date.now() - t0) / 1000,
      tests: report.testResults.flatMap((file) =>
        file.assertionResults.map((a) => ({
          fullName: testName(a),
          // vitest also reports pending, todo and disabled tests: none of them ran, so none can catch anything.
          status: a.status === 'passed' || a.status === 'failed' ? a.status : 'skipped',
          failureMessages: a.status === 'failed' ? a.failureMessages : [],
        })),
      ),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** A failure that tells the participant what to do: the step tests' HintError, not a bare assertion or a crash. */
export function isHintMessage(failureMessage: string): boolean {
  return /^HintError\b/.test(failureMessage.trim());
}

/**
 * A failure message as a participant should read it: the hint and its evidence, without the stack trace
 * (which points into the test and vitest, not at anything the participant wrote) or the error's class name.
 */
export function readableFailure(message: string, maxLines = 12): string {
  const lines = message
    .replace(/^(HintError|AssertionError|Error): /, '')
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.length > maxLines ? [...lines.slice(0, maxLines), '…'].join('\n') : lines.join('\n');
}
