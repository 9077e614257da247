import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStep } from '../../src/workshop/progress.js';
import { showReset } from '../../src/view/reset-view.js';
import { readState } from '../../src/workshop/state.js';
import { readWorkshopSteps, selectStep } from '../../src/workshop/steps.js';
import { collect, createFakeWorkshop, doubleSolved, doubleStarter, greetSolved, type FakeWorkshop } from './fake-workshop.js';

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

describe('npm run reset -- NN', () => {
  it('restores the starter files exactly, lists them, keeps a copy, leaves new files and every other step alone', async () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    const step = selectStep(steps, '01');
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    await checkStep(fake.root, step);
    fake.write('steps/01-double/src/notes.ts', '// my notes\n');
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    fake.git('add', 'steps/01-double/src/double.ts'); // staged changes are reset too

    const output = collect();
    const result = showReset(fake.root, step, output.out);
    expect(result).toEqual({ ok: true, summary: 'reset: step 01 is back to its starter — 1 file restored, 1 new left alone' });
    expect(output.lines[0]).toBe('Restored from git (git checkout HEAD -- steps/01-double/src):');
    expect(output.lines).toContain('  restored      steps/01-double/src/double.ts');
    expect(output.lines).toContain('  kept          steps/01-double/src/notes.ts');
    const backup = output.lines
      .find((line) => line.startsWith('Your version, as it was, is in '))!
      .replace(/^Your version, as it was, is in (.*)\/$/, '$1');
    expect(readFileSync(join(fake.root, backup, 'double.ts'), 'utf8')).toBe(doubleSolved);

    expect(fake.read('steps/01-double/src/double.ts')).toBe(doubleStarter);
    expect(fake.git('status', '--porcelain', '--', 'steps/01-double/src')).toBe('?? steps/01-double/src/notes.ts\n');
    expect(fake.read('steps/02-greet/src/greet.ts')).toBe(greetSolved);
    // Its remembered result was for the code just replaced; "solved once" stays.
    expect(readState(fake.root).steps['01-double']!.check).toBeUndefined();
    expect(readState(fake.root).steps['01-double']!.solvedAt).toBeDefined();
  });

  it('brings back a deleted starter file', () => {
    fake = createFakeWorkshop();
    fake.remove('steps/02-greet/src/greet.ts');
    const output = collect();
    const result = showReset(fake.root, selectStep(fake.steps, '2'), output.out);
    expect(output.lines).toContain('  brought back  steps/02-greet/src/greet.ts');
    expect(result.summary).toBe('reset: step 02 is back to its starter — 1 file restored');
    expect(existsSync(join(fake.root, 'steps/02-greet/src/greet.ts'))).toBe(true);
  });

  it('says so when there is nothing to restore', () => {
    fake = createFakeWorkshop();
    const output = collect();
    expect(showReset(fake.root, fake.steps[0]!, output.out)).toEqual({
      ok: true,
      summary: 'reset: nothing to do — steps/01-double/src is already the starter',
    });
    expect(output.lines).toEqual([]);
  });

  it('refuses politely outside a git checkout', () => {
    fake = createFakeWorkshop({ git: false });
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    const result = showReset(fake.root, fake.steps[0]!, collect().out);
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/^reset: nothing done — reset needs a git checkout, and .* is not one/);
    expect(fake.read('steps/01-double/src/double.ts')).toBe(doubleSolved);
  });

  it('refuses for a step that is not committed yet', () => {
    fake = createFakeWorkshop();
    cpSync(join(fake.root, 'steps/02-greet'), join(fake.root, 'steps/03-new'), { recursive: true });
    const step = { ...fake.steps[1]!, dir: '03-new' };
    expect(showReset(fake.root, step, collect().out)).toEqual({
      ok: false,
      summary: 'reset: nothing done — steps/03-new/src is not committed yet: there is no starter in git to restore',
    });
  });
});
