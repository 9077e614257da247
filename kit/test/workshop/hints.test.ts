import { afterEach, describe, expect, it } from 'vitest';
import { showHint } from '../../src/view/hint-view.js';
import { readState } from '../../src/workshop/state.js';
import { readWorkshopSteps, selectStep } from '../../src/workshop/steps.js';
import { collect, createFakeWorkshop, type FakeWorkshop } from './fake-workshop.js';

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

describe('npm run hint -- NN', () => {
  it('gives one more hint each time, then all of them, and remembers how far it got per step', () => {
    fake = createFakeWorkshop();
    const steps = readWorkshopSteps(fake.root);
    const ask = (number: string) => {
      const output = collect();
      const result = showHint(fake.root, selectStep(steps, number), output.out);
      return { lines: output.lines, summary: result.summary };
    };

    const first = ask('1');
    expect(first.lines).toEqual(['Step 01 — Double a number', '  hint 1 of 3: Look at what double() returns now.']);
    expect(first.summary).toBe('hint: 1 of 3 for 01-double — npm run hint -- 01 again for a more explicit one');

    expect(ask('01').lines[1]).toBe('  hint 2 of 3: Twice n is n + n.');
    const last = ask('01-double');
    expect(last.lines[1]).toBe('  hint 3 of 3: return n * 2;');
    expect(last.summary).toBe('hint: 3 of 3 — that was the last one for 01-double; asking again lists them all');

    const all = ask('1');
    expect(all.lines.slice(1)).toEqual([
      '  hint 1 of 3: Look at what double() returns now.',
      '  hint 2 of 3: Twice n is n + n.',
      '  hint 3 of 3: return n * 2;',
    ]);
    expect(all.summary).toMatch(/^hint: all 3 hints of step 01-double/);
    expect(ask('1').lines).toHaveLength(4);

    // Another step starts from its first hint; the count lives in the state file.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint as printed, quoting a template literal
    expect(ask('2').lines[1]).toBe('  hint 1 of 2: A template literal: `…${name}…`.');
    expect(readState(fake.root).steps).toMatchObject({ '01-double': { hintsShown: 3 }, '02-greet': { hintsShown: 1 } });
  });

  it('names the steps there are when asked for one that is not', () => {
    fake = createFakeWorkshop();
    expect(() => selectStep(readWorkshopSteps(fake.root), '7')).toThrow('No step 07 in steps/workshop.json (steps: 01 02)');
  });
});
