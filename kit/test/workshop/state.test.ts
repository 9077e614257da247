import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@workshop/shared/repo-root';
import { loadState, readState, stateFileName, updateStepState } from '../../src/workshop/state.js';
import { createFakeWorkshop, type FakeWorkshop } from './fake-workshop.js';
import { tsxNodeArgs } from '@workshop/shared/testing';

let fake: FakeWorkshop;
afterEach(() => fake?.cleanup());

describe('the state file (.workshop-state.json)', () => {
  it('reads back what was written', () => {
    fake = createFakeWorkshop();
    updateStepState(fake.root, '01-double', (state) => {
      state.hintsShown = 2;
    });
    expect(loadState(fake.root)).toEqual({ state: { steps: { '01-double': { hintsShown: 2 } } } });
  });

  it('starts afresh from a file that is not JSON, and says why', () => {
    fake = createFakeWorkshop();
    fake.write(stateFileName, '{"steps": {');
    const { state, problem } = loadState(fake.root);
    expect(state).toEqual({ steps: {} });
    expect(problem).toMatch(/\.workshop-state\.json: not valid JSON/);
  });

  it('starts afresh from a file whose fields are wrong, naming the field, and the next write replaces it', () => {
    fake = createFakeWorkshop();
    fake.write(stateFileName, JSON.stringify({ steps: { '01-double': { hintsShown: 'two' } } }));
    const { state, problem } = loadState(fake.root);
    expect(state).toEqual({ steps: {} });
    expect(problem).toMatch(/\.workshop-state\.json: steps.*01-double.*hintsShown must be a number/);

    updateStepState(fake.root, '02-greet', (step) => {
      step.hintsShown = 1;
    });
    expect(loadState(fake.root).problem).toBeUndefined();
    expect(readState(fake.root).steps).toEqual({ '02-greet': { hintsShown: 1 } });
  });

  it('a corrupt state file does not stop a command: one line on stderr, then the command as usual', () => {
    fake = createFakeWorkshop();
    fake.write(stateFileName, '{"steps": 5}');
    const hint = spawnSync(process.execPath, [...tsxNodeArgs(), join(repoRoot, 'kit/src/commands/hint.ts'), '1'], {
      cwd: fake.root,
      env: { ...process.env, WORKSHOP_ROOT: fake.root, FORCE_COLOR: '0' },
      encoding: 'utf8',
    });
    expect(hint.status).toBe(0);
    expect(hint.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^! .*\.workshop-state\.json: steps must be an object — starting from a fresh state/),
    ]);
    expect(hint.stdout).toContain('hint 1 of 3: Look at what double() returns now.');
    expect(readState(fake.root).steps['01-double']?.hintsShown).toBe(1);
  });
});
