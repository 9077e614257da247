import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { createFakeWorkshop, doubleSolved, greetSolved, type FakeWorkshop } from '../workshop/fake-workshop.js';
import { tsxNodeArgs } from '@workshop/shared/testing';

/** The entry points themselves, as `npm run …` runs them — without a TTY, so plain output and no keys. */

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

function cli(
  command: 'workshop' | 'watch' | 'hint' | 'reset' | 'solution',
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; lastLine: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...tsxNodeArgs(), join(repoRoot, 'kit/src/commands', `${command}.ts`), ...args], {
      cwd: fake.root,
      env: { ...process.env, WORKSHOP_ROOT: fake.root, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, lastLine: stdout.trimEnd().split('\n').at(-1) ?? '' }));
  });
}

describe('the workshop commands, end to end (no TTY)', () => {
  it('workshop, hint, solution, reset: plain output, each ending with its one-line summary', async () => {
    fake = createFakeWorkshop();
    const list = await cli('workshop');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Welcome to the workshop!');
    expect(list.stdout).not.toContain('\x1b[');
    expect(list.lastLine).toBe('workshop: 0 of 2 steps done — next: 01-double (npm run watch)');

    const hint = await cli('hint', '1');
    expect(hint.stdout).toContain('hint 1 of 3: Look at what double() returns now.');
    expect(hint.lastLine).toMatch(/^hint: 1 of 3 for 01-double/);
    expect((await cli('hint')).stdout).toContain('hint 2 of 3'); // no number: the current step

    const refused = await cli('solution', '01');
    expect(refused.code).toBe(1);
    expect(refused.lastLine).toBe('solution: not yet — step 01 does not pass (npm run solution -- 01 --force shows it anyway)');
    const forced = await cli('solution', '01', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('+++ b/solutions/01-double/src/double.ts');
    expect(forced.stdout).not.toContain('\x1b[');

    fake.write('steps/01-double/src/double.ts', doubleSolved);
    const reset = await cli('reset', '01-double');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('  restored      steps/01-double/src/double.ts');
    expect(reset.lastLine).toBe('reset: step 01 is back to its starter — 1 file restored');
  });

  it('watch without a TTY goes through the steps by itself and exits when every step passes', async () => {
    fake = createFakeWorkshop();
    fake.write('steps/01-double/src/double.ts', doubleSolved);
    fake.write('steps/02-greet/src/greet.ts', greetSolved);
    const watch = await cli('watch');
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain('▸ step 01 — Double a number');
    expect(watch.stdout).toContain('No keyboard here (not a TTY): moving on to step 02 by itself.');
    expect(watch.stdout).toContain('Every step passes — all 2 of them.');
    expect(watch.lastLine).toBe('watch: all 2 steps done');

    const again = await cli('watch');
    expect(again.lastLine).toBe('watch: nothing to watch — all 2 steps done (npm run watch -- NN to revisit one)');
  });

  it('says what is wrong with a step number or an option, on stderr, with exit code 1', async () => {
    fake = createFakeWorkshop();
    const unknownStep = await cli('hint', '7');
    expect(unknownStep.code).toBe(1);
    expect(unknownStep.stderr.trim()).toBe('✗ No step 07 in steps/workshop.json (steps: 01 02)');
    const unknownOption = await cli('reset', '1', '--hard');
    expect(unknownOption.code).toBe(1);
    expect(unknownOption.stderr).toContain('unknown option --hard');
    const noStep = await cli('reset');
    expect(noStep.stderr).toContain('which step? usage: npm run reset -- NN');
  });
});
