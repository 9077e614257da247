import { afterEach, describe, expect, it } from 'vitest';
import { passingTests, progressBar, showWorkshop, wrap } from '../../src/view/progress-view.js';
import { checkStep, rememberedProgress, workshopProgress } from '../../src/workshop/progress.js';
import { readState, updateStepState } from '../../src/workshop/state.js';
import { readWorkshopSteps } from '../../src/workshop/steps.js';
import { collect, createFakeWorkshop, doubleSolved, greetSolved, inProcessStepTests, type FakeWorkshop } from './fake-workshop.js';

// Most tests run the fake steps' tests in-process (inProcessStepTests); the ones marked "(vitest)" run them as
// `npm run workshop` does, in a vitest child process.
const runTests = inProcessStepTests;

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

describe('npm run workshop: the progress list', () => {
  it('welcomes a newcomer once, lists untouched steps as not started without running anything, and points at step 01', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    const first = collect();
    const result = await showWorkshop(steps, { root: fake.root, out: first.out });
    expect(first.text()).toContain('Welcome to the workshop!');
    expect(first.text()).not.toContain('checking');
    expect(first.lines.find((l) => l.includes('01-double'))).toMatch(/·\s+01-double\s+Double a number\s+not started/);
    expect(first.lines.find((l) => l.includes('02-greet'))).toMatch(/not started/);
    expect(first.text()).toContain('[░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 0/2 steps done');
    expect(first.text()).toContain('Next: step 01 — Double a number');
    expect(first.text()).toContain('read       steps/01-double/README.md');
    expect(first.text()).toContain('edit       steps/01-double/src/');
    expect(result).toEqual({ ok: true, pending: true, summary: 'workshop: 0 of 2 steps done — next: 01-double (npm run watch)' });

    const second = collect();
    await showWorkshop(steps, { root: fake.root, out: second.out });
    expect(second.text()).not.toContain('Welcome');
  });

  it('runs the tests of a changed step, remembers the result, and re-checks only when its src/ changes', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    fake.write('steps/02-greet/src/greet.ts', "export function greet(name: string): string {\n  return 'Hi ' + name;\n}\n");

    const checked: string[] = [];
    const onChecking = (step: { dir: string }) => checked.push(step.dir);
    const progress = await workshopProgress(steps, { root: fake.root, onChecking, runTests });
    expect(progress.map((p) => p.status)).toEqual(['done', 'failing']);
    expect(checked).toEqual(['01-double', '02-greet']);
    expect(progress[1]!.check).toMatchObject({ passed: 0, failed: 1, firstFailingTest: 'greets Ada' });
    expect(progress[1]!.check!.firstFailure).toMatch(/^Make greet\(name\) return "Hello, <name>!": expected 'Hi Ada' to be 'Hello, Ada!'/);
    expect(progress[1]!.check!.firstFailure).not.toMatch(/\n\s+at /);

    // Nothing changed: instant, from the state file.
    checked.length = 0;
    expect((await workshopProgress(steps, { root: fake.root, onChecking, runTests })).map((p) => p.status)).toEqual(['done', 'failing']);
    expect(checked).toEqual([]);

    // A saved change in 02's src/ re-checks 02 only.
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    expect((await workshopProgress(steps, { root: fake.root, onChecking, runTests })).map((p) => p.status)).toEqual(['done', 'done']);
    expect(checked).toEqual(['02-greet']);

    // --refresh runs everything again.
    checked.length = 0;
    await workshopProgress(steps, { root: fake.root, onChecking, refresh: true, runTests });
    expect(checked).toEqual(['01-double', '02-greet']);
  });

  it('shows a failing step with its first failure, and the final message once every step passes (vitest)', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    fake.write('steps/01-double/src/double.ts', 'export function double(n: number): number {\n  return n * 3;\n}\n');
    const failing = collect();
    await showWorkshop(steps, { root: fake.root, out: failing.out });
    expect(failing.text()).toContain('checking 01-double (running its tests)…');
    expect(failing.lines.find((l) => l.includes('01-double') && !l.includes('checking'))).toMatch(
      /✗\s+01-double\s+Double a number\s+failing \(1 of 2 tests pass\)/,
    );
    expect(failing.text()).toContain('↳ Make double(n) return twice n — README §1: expected 63 to be 42 // Object.is equality');

    fake.write('steps/01-double/src/double.ts', doubleSolved);
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    const done = collect();
    const result = await showWorkshop(steps, { root: fake.root, out: done.out });
    expect(done.text()).toContain('[██████████████████████████████] 2/2 steps done');
    expect(done.text()).toContain('Every step passes — all 2 of them.');
    expect(result).toEqual({ ok: true, summary: 'workshop: all 2 steps done' });
  });

  it('prints the welcome and final messages of steps/workshop.json, the final one with its placeholders filled in', async () => {
    fake = createFakeWorkshop();
    const file = JSON.parse(fake.read('steps/workshop.json'));
    file.welcome = { heading: 'Hello, participant', lines: ['Start with step 01.'] };
    file.final = { heading: 'All {stepCount} done', lines: ['compare: npm run solution -- {firstExercise}'] };
    fake.write('steps/workshop.json', JSON.stringify(file));
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    const output = collect();
    await showWorkshop(readWorkshopSteps(fake.root), { root: fake.root, out: output.out, runTests });
    expect(output.lines.slice(0, 3)).toEqual(['Hello, participant', 'Start with step 01.', '']);
    expect(output.lines.slice(-2)).toEqual(['All 2 done', '  compare: npm run solution -- 01']);
  });

  it('a step that was checked and then put back to the starter by hand is checked again (failing), not "not started"', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    await workshopProgress(steps, { root: fake.root, runTests });
    fake.git('checkout', 'HEAD', '--', 'steps/01-double/src');
    expect((await workshopProgress(steps, { root: fake.root, runTests })).map((p) => p.status)).toEqual(['failing', 'not started']);
  });

  it('measures a failure again once the stack is up if it was measured while the stack was down', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    await checkStep(fake.root, steps[1]!, false, runTests);
    // Pretend the failure came from the stack being down (the result is "failing", measured without the stack).
    updateStepState(fake.root, '02-greet', (state) => {
      state.check!.status = 'failing';
    });
    const checked: string[] = [];
    const stillDown = await workshopProgress(steps, {
      root: fake.root,
      probeStack: async () => false,
      onChecking: (s) => checked.push(s.dir),
      runTests,
    });
    expect(stillDown[1]!.status).toBe('failing');
    expect(checked).toEqual([]);
    const up = await workshopProgress(steps, {
      root: fake.root,
      probeStack: async () => true,
      onChecking: (s) => checked.push(s.dir),
      runTests,
    });
    expect(up[1]!.status).toBe('done');
    expect(checked).toEqual(['02-greet']);
    expect(readState(fake.root).steps['02-greet']!.check!.stackUp).toBe(true);
  });

  it('measures the tour (nothing to write) instead of calling it not started (vitest)', async () => {
    fake = createFakeWorkshop({ tour: true });
    const steps = readWorkshopSteps(fake.root);
    const progress = await workshopProgress(steps, { root: fake.root });
    expect(progress.map((p) => [p.step.dir, p.status])).toEqual([
      ['00-tour', 'done'],
      ['01-double', 'not started'],
      ['02-greet', 'not started'],
    ]);
    expect(rememberedProgress(steps, fake.root).map((p) => p.status)).toEqual(['done', 'not started', 'not started']);
  });

  it('counts passing tests in words', () => {
    expect(passingTests({ passed: 1, failed: 1 })).toBe('1 of 2 tests pass');
    expect(passingTests({ passed: 0, failed: 1 })).toBe('0 of 1 test passes');
  });

  it('draws the progress bar', () => {
    expect(progressBar(0, 5, 10)).toBe('[░░░░░░░░░░] 0/5 steps done');
    expect(progressBar(2, 5, 10)).toBe('[████░░░░░░] 2/5 steps done');
    expect(progressBar(5, 5, 10)).toBe('[██████████] 5/5 steps done');
  });
});

describe('wrap', () => {
  it('wraps long text at word boundaries, indenting the lines after the first', () => {
    expect(wrap('one two three four five', 9, '  ')).toBe('one two\n  three\n  four\n  five');
    expect(wrap('short', 80, '  ')).toBe('short');
  });
});
