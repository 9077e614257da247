import { afterEach, describe, expect, it } from 'vitest';
import { showSolution } from '../../src/view/solution-view.js';
import { solutionDiff } from '../../src/workshop/solution.js';
import { readState } from '../../src/workshop/state.js';
import { readWorkshopSteps, selectStep } from '../../src/workshop/steps.js';
import { collect, createFakeWorkshop, doubleSolved, type FakeWorkshop } from './fake-workshop.js';

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

describe('npm run solution -- NN', () => {
  it('refuses while the step fails, says why and how to see it anyway; --force shows it', async () => {
    fake = createFakeWorkshop();
    const step = selectStep(readWorkshopSteps(fake.root), '01');
    const refused = collect();
    const result = await showSolution(fake.root, step, { colour: false, out: refused.out });
    expect(result).toEqual({
      ok: false,
      summary: 'solution: not yet — step 01 does not pass (npm run solution -- 01 --force shows it anyway)',
    });
    expect(refused.text()).toContain(
      'The solution is shown once the step passes: step 01-double does not pass yet (1 of 2 tests pass; first failure: Make double(n) return twice n — README §1: expected 21 to be 42',
    );
    expect(refused.text()).not.toContain('diff --git');

    const forced = collect();
    const shown = await showSolution(fake.root, step, { colour: false, force: true, out: forced.out });
    expect(forced.text()).toContain('(--force: step 01 has not passed yet)');
    expect(forced.text()).toContain('diff --git a/steps/01-double/src/double.ts b/solutions/01-double/src/double.ts');
    expect(forced.text()).toContain('-  return n; // TODO: twice n\n+  return n * 2;');
    expect(shown).toEqual({ ok: true, summary: 'solution: 1 file of step 01 differs from the reference in solutions/01-double/src/' });
  });

  it('shows the diff once the tests pass, and keeps showing it after the code changes again', async () => {
    fake = createFakeWorkshop();
    const step = selectStep(readWorkshopSteps(fake.root), '01');
    fake.write('steps/01-double/src/double.ts', 'export function double(n: number): number {\n  return n + n;\n}\n');
    const output = collect();
    const result = await showSolution(fake.root, step, { colour: false, out: output.out });
    expect(result.ok).toBe(true);
    expect(output.text()).toContain('-  return n + n;\n+  return n * 2;');
    expect(readState(fake.root).steps['01-double']!.solvedAt).toBeDefined();

    fake.write('steps/01-double/src/double.ts', 'export function double(n: number): number {\n  return 0;\n}\n');
    expect((await showSolution(fake.root, step, { colour: false, out: collect().out })).ok).toBe(true);
  });

  it('says so when the code is the reference solution', async () => {
    fake = createFakeWorkshop();
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    expect(await showSolution(fake.root, fake.steps[0]!, { colour: false, out: collect().out })).toEqual({
      ok: true,
      summary: 'solution: your steps/01-double/src is the reference solution, file for file',
    });
  });

  it('colours the diff only when asked (on a TTY)', () => {
    fake = createFakeWorkshop();
    expect(solutionDiff(fake.root, fake.steps[0]!, false).diff).not.toContain('\x1b[');
    const coloured = solutionDiff(fake.root, fake.steps[0]!, true);
    expect(coloured.diff).toContain('\x1b[');
    expect(coloured.filesDiffering).toBe(1);
  });

  it('has nothing to show for the tour', async () => {
    fake = createFakeWorkshop({ tour: true });
    expect((await showSolution(fake.root, selectStep(fake.steps, '0'), { colour: false, out: collect().out })).summary).toBe(
      'solution: step 00-tour is a tour — there is nothing to solve, so no solution',
    );
  });
});
