import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import type { StepTestResult, StepTestRunner } from '../../src/workshop/run-step-tests.js';
import { readWorkshop, type WorkshopStep } from '../../src/workshop/steps.js';

/**
 * A throw-away mini-workshop in a temp git repo, for the workshop CLI's tests: two tiny exercises (and
 * optionally a tour) whose vitest tests check a function's return value — fast, and independent of the
 * kit's real steps and of the stack. Nothing in the kit's own checkout is touched.
 */

export const doubleStarter = 'export function double(n: number): number {\n  return n; // TODO: twice n\n}\n';
export const doubleSolved = 'export function double(n: number): number {\n  return n * 2;\n}\n';
export const greetStarter = "export function greet(name: string): string {\n  return ''; // TODO: Hello, <name>!\n}\n";
// biome-ignore lint/suspicious/noTemplateCurlyInString: the fake step's solution, written to a file as source text
export const greetSolved = 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n';

/**
 * The fake steps' tests, as data: written out as vitest files (what `npm run workshop` really runs) and run
 * in-process by inProcessStepTests (what most CLI tests use: a vitest child process per check costs a second).
 */
interface FakeCase {
  name: string;
  /** The call's argument; none for the tour, whose test checks nothing of the participant's. */
  arg?: number | string;
  want: number | string;
  /** The assertion's message: the hint a participant reads. */
  message?: string;
}
interface FakeSuite {
  /** The function under test and the src/ file (without .ts) that exports it; none for the tour. */
  fn?: string;
  file: string;
  cases: FakeCase[];
}
const fakeSuites: Record<string, FakeSuite> = {
  '00-tour': { file: 'tour', cases: [{ name: 'the tour has nothing to write', want: 2 }] },
  '01-double': {
    fn: 'double',
    file: 'double',
    cases: [
      { name: 'keeps zero at zero', arg: 0, want: 0 },
      { name: 'doubles 21', arg: 21, want: 42, message: 'Make double(n) return twice n — README §1' },
    ],
  },
  '02-greet': {
    fn: 'greet',
    file: 'greet',
    cases: [{ name: 'greets Ada', arg: 'Ada', want: 'Hello, Ada!', message: 'Make greet(name) return "Hello, <name>!"' }],
  },
};

function vitestFile(suite: FakeSuite): string {
  const lines = ["import { expect, it } from 'vitest';"];
  if (suite.fn) lines.push(`import { ${suite.fn} } from '../src/${suite.file}.js';`);
  for (const c of suite.cases) {
    const actual = suite.fn ? `${suite.fn}(${JSON.stringify(c.arg)})` : '1 + 1';
    const message = c.message ? `, ${JSON.stringify(c.message)}` : '';
    lines.push('', `it(${JSON.stringify(c.name)}, () => {`, `  expect(${actual}${message}).toBe(${JSON.stringify(c.want)});`, '});');
  }
  return `${lines.join('\n')}\n`;
}

let importGeneration = 0;

/**
 * Runs a fake step's tests in this process, with vitest's own expect — so the outcome, the failure message and
 * its "AssertionError: …" + stack shape are what the vitest child process reports (the tests that use the real
 * runner, runStepTests, pin that).
 */
export const inProcessStepTests: StepTestRunner = async (stepDir, _target, options = {}) => {
  const t0 = Date.now();
  const suite = fakeSuites[stepDir];
  if (!suite || !options.root) throw new Error(`inProcessStepTests: no fake suite for ${stepDir} (root ${options.root})`);
  const src = join(options.root, 'steps', stepDir, 'src', `${suite.file}.ts`);
  let exported: Record<string, (arg: unknown) => unknown> = {};
  try {
    // A fresh URL per run: the module as saved now, not as first imported.
    if (suite.fn) exported = await import(`${pathToFileURL(src).href}?run=${++importGeneration}`);
  } catch (error) {
    const message = error instanceof Error ? String(error.stack) : String(error);
    return { passed: 0, failed: 1, firstFailure: message, firstFailureIsHint: false, crashed: true, seconds: 0, tests: [] };
  }
  const tests: StepTestResult[] = [];
  for (const c of suite.cases) {
    try {
      const actual = suite.fn ? exported[suite.fn]!(c.arg) : 1 + 1;
      expect(actual, c.message).toBe(c.want);
      tests.push({ fullName: c.name, status: 'passed', failureMessages: [] });
    } catch (error) {
      tests.push({ fullName: c.name, status: 'failed', failureMessages: [String((error as Error).stack)] });
    }
  }
  const failedTests = tests.filter((t) => t.status === 'failed');
  const firstFailure = failedTests[0]?.failureMessages[0];
  return {
    passed: tests.length - failedTests.length,
    failed: failedTests.length,
    ...(firstFailure ? { firstFailure, firstFailingTest: failedTests[0]!.fullName } : {}),
    firstFailureIsHint: false,
    crashed: false,
    seconds: (Date.now() - t0) / 1000,
    tests,
  };
};

export const fakeSteps: WorkshopStep[] = [
  {
    dir: '01-double',
    title: 'Double a number',
    teaches: 'Multiplication.',
    exercise: true,
    hints: ['Look at what double() returns now.', 'Twice n is n + n.', 'return n * 2;'],
  },
  {
    dir: '02-greet',
    title: 'Greet someone',
    teaches: 'Template literals.',
    exercise: true,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: hints quote the code a participant would type
    hints: ['A template literal: `…${name}…`.', 'return `Hello, ${name}!`;'],
  },
];

const tourStep: WorkshopStep = { dir: '00-tour', title: 'A tour', teaches: 'Where things are.', exercise: false, hints: ['Just run it.'] };

export interface FakeWorkshop {
  root: string;
  steps: WorkshopStep[];
  write(path: string, content: string): void;
  read(path: string): string;
  remove(path: string): void;
  git(...args: string[]): string;
  cleanup(): void;
}

export function createFakeWorkshop(options: { tour?: boolean; git?: boolean } = {}): FakeWorkshop {
  const root = mkdtempSync(join(tmpdir(), 'fake-workshop-'));
  const steps = options.tour ? [tourStep, ...fakeSteps] : fakeSteps;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const git = (...args: string[]) => {
    const result = spawnSync(
      'git',
      ['-c', 'user.name=Workshop Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
      { cwd: root, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  // The kit's own welcome and final messages, so the tests read what a participant reads.
  const { welcome, final } = readWorkshop();
  write('steps/workshop.json', JSON.stringify({ welcome, final, steps }, null, 2));
  write('.gitignore', 'node_modules/\n.stack/\n.workshop-state.json\n');
  write('steps/01-double/README.md', '# Double\n§1: make double(n) return twice n.\n');
  write('steps/01-double/src/double.ts', doubleStarter);
  write('steps/01-double/test/double.test.ts', vitestFile(fakeSuites['01-double']!));
  write('solutions/01-double/src/double.ts', doubleSolved);
  write('steps/02-greet/README.md', '# Greet\n');
  write('steps/02-greet/src/greet.ts', greetStarter);
  write('steps/02-greet/test/greet.test.ts', vitestFile(fakeSuites['02-greet']!));
  write('solutions/02-greet/src/greet.ts', greetSolved);
  if (options.tour) {
    write('steps/00-tour/README.md', '# Tour\n');
    write('steps/00-tour/src/tour.ts', 'export const tour = true;\n');
    write('steps/00-tour/test/tour.test.ts', vitestFile(fakeSuites['00-tour']!));
  }
  if (options.git !== false) {
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'fake workshop');
  }

  return {
    root,
    steps,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    remove: (path) => rmSync(join(root, path), { force: true }),
    git,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Collects a command's output lines. */
export function collect(): { lines: string[]; out: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), text: () => lines.join('\n') };
}
