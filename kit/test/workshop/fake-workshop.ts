import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

const doubleTest = `import { expect, it } from 'vitest';
import { double } from '../src/double.js';

it('keeps zero at zero', () => {
  expect(double(0)).toBe(0);
});

it('doubles 21', () => {
  expect(double(21), 'Make double(n) return twice n — README §1').toBe(42);
});
`;

const greetTest = `import { expect, it } from 'vitest';
import { greet } from '../src/greet.js';

it('greets Ada', () => {
  expect(greet('Ada'), 'Make greet(name) return "Hello, <name>!"').toBe('Hello, Ada!');
});
`;

const tourTest = `import { expect, it } from 'vitest';

it('the tour has nothing to write', () => {
  expect(1 + 1).toBe(2);
});
`;

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
  write('steps/01-double/test/double.test.ts', doubleTest);
  write('solutions/01-double/src/double.ts', doubleSolved);
  write('steps/02-greet/README.md', '# Greet\n');
  write('steps/02-greet/src/greet.ts', greetStarter);
  write('steps/02-greet/test/greet.test.ts', greetTest);
  write('solutions/02-greet/src/greet.ts', greetSolved);
  if (options.tour) {
    write('steps/00-tour/README.md', '# Tour\n');
    write('steps/00-tour/src/tour.ts', 'export const tour = true;\n');
    write('steps/00-tour/test/tour.test.ts', tourTest);
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
