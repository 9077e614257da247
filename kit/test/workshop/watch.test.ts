import { afterEach, describe, expect, it } from 'vitest';
import type { StepCheck } from '../../src/workshop/state.js';
import { readWorkshopSteps, selectStep } from '../../src/workshop/steps.js';
import { startWatch, type WatchOptions, type WatchSession } from '../../src/view/watch-view.js';
import { collect, createFakeWorkshop, doubleSolved, greetSolved, inProcessStepTests, type FakeWorkshop } from './fake-workshop.js';

let fake: FakeWorkshop;
let session: WatchSession | undefined;
afterEach(async () => {
  session?.stop();
  await session?.finished; // a run still in progress must end before its repo goes
  session = undefined;
  fake?.cleanup();
});

/** Starts a watch on the fake workshop and hands out its test results one at a time. */
function watchFake(options: Partial<WatchOptions> & { start?: string } = {}) {
  const steps = readWorkshopSteps(fake.root);
  const output = collect();
  const results: { step: string; check: StepCheck }[] = [];
  const waiting: (() => void)[] = [];
  session = startWatch({
    root: fake.root,
    steps,
    start: selectStep(steps, options.start ?? '01'),
    out: output.out,
    interactive: false,
    debounceMs: 100,
    pollIntervalMs: 100,
    // The fake steps' tests in-process; `runTests: undefined` runs them in vitest, as `npm run watch` does.
    runTests: inProcessStepTests,
    ...options,
    onResult: (step, check) => {
      results.push({ step: step.dir, check });
      for (const wake of waiting.splice(0)) wake();
    },
  });
  let taken = 0;
  const nextResult = async (): Promise<{ step: string; check: StepCheck }> => {
    while (results.length <= taken) await new Promise<void>((resolve) => waiting.push(resolve));
    return results[taken++]!;
  };
  return { session, output, results, nextResult };
}

describe('npm run watch', () => {
  for (const poll of [false, true]) {
    it(`re-runs the tests when a file in src/ is saved, and without a TTY moves on by itself (${poll ? '--poll' : 'fs.watch'})`, async () => {
      fake = createFakeWorkshop();
      // fs.watch runs the fake steps' tests in a vitest child process, as `npm run watch` does.
      const { output, nextResult, session } = watchFake(poll ? { poll } : { poll, runTests: undefined });

      const first = await nextResult();
      expect(output.text().includes('(polling for changes)')).toBe(poll);
      expect(first).toMatchObject({ step: '01-double', check: { status: 'failing', passed: 1, failed: 1 } });
      expect(output.text()).toContain('✗ step 01: 1 of 2 tests pass — first failing: "doubles 21"');
      expect(output.text()).toContain('  Make double(n) return twice n — README §1: expected 21 to be 42 // Object.is equality');
      expect(output.text()).toContain(`stuck? npm run hint -- 01 · waiting for a save in steps/01-double/src/…`);
      expect(output.text()).not.toMatch(/\n\s+at /); // no stack trace

      fake.write('steps/01-double/src/double.ts', doubleSolved);
      expect(await nextResult()).toMatchObject({ step: '01-double', check: { status: 'done', passed: 2 } });
      expect(output.text()).toContain('✓ step 01 done — all 2 tests pass.');
      expect(output.text()).toContain('The reference solution is in solutions/01-double/src/ (npm run solution -- 01).');
      expect(output.text()).toContain('No keyboard here (not a TTY): moving on to step 02 by itself.');

      // On to step 02: its tests run at once.
      expect(await nextResult()).toMatchObject({ step: '02-greet', check: { status: 'failing' } });
      expect(session.current().dir).toBe('02-greet');
      expect(output.text()).toContain('▸ step 02 — Greet someone');

      fake.write('steps/02-greet/src/greet.ts', greetSolved);
      expect(await nextResult()).toMatchObject({ step: '02-greet', check: { status: 'done' } });
      const summary = await session.finished;
      expect(summary.reason).toBe('all done');
      expect(summary.progress.map((p) => p.status)).toEqual(['done', 'done']);
      expect(output.text()).toContain('Every step passes — all 2 of them.');
    });
  }

  it('at a keyboard, waits to be asked before the next step, and only once the step passes', async () => {
    fake = createFakeWorkshop();
    const { output, nextResult, session } = watchFake({ interactive: true });
    await nextResult();
    expect(output.text()).toContain('keys: h hint · r re-run · n next step (once it passes) · q quit');
    expect(session.next()).toBe(false);
    expect(output.text()).toContain('step 01 does not pass yet — it has to pass before the next one.');

    session.hint();
    expect(output.text()).toContain('hint 1 of 3: Look at what double() returns now.');

    fake.write('steps/01-double/src/double.ts', doubleSolved);
    expect((await nextResult()).check.status).toBe('done');
    expect(output.text()).toContain('Press Enter (or n) for step 02 — Greet someone; q to quit.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(session.current().dir).toBe('01-double');

    expect(session.next()).toBe(true);
    expect(session.current().dir).toBe('02-greet');
    expect((await nextResult()).step).toBe('02-greet');
    session.stop();
    expect((await session.finished).reason).toBe('stopped');
  });

  it('runs once for a burst of saves, and not at all for a save that changes nothing', async () => {
    fake = createFakeWorkshop();
    const { nextResult, results } = watchFake({ debounceMs: 300 });
    await nextResult();
    for (let i = 0; i < 5; i++)
      fake.write('steps/01-double/src/double.ts', `export function double(n: number): number {\n  return n * ${i};\n}\n`);
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    expect((await nextResult()).check.status).toBe('done');
    expect(results).toHaveLength(2);
  });

  it('ignores saves that leave the code as it was (or touch only an editor scratch file)', async () => {
    fake = createFakeWorkshop();
    const { nextResult, results } = watchFake({ interactive: true });
    await nextResult();
    fake.write('steps/01-double/src/double.ts', fake.read('steps/01-double/src/double.ts'));
    fake.write('steps/01-double/src/.double.ts.swp', 'vim');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(results).toHaveLength(1);
  });
});
