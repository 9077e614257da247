import { describe, expect, it } from 'vitest';
import { HintError, assertWithHint, withHint } from '../../src/testing/hints.js';
import { pollUntil } from '../../src/testing/poll.js';
import { uniqueName, uniqueSessionId } from '../../src/testing/ids.js';
import { exerciseSrcDir, exerciseTarget } from '../../src/exercise-target.js';
import { describeUnreachable } from '../../src/testing/services.js';

describe('hints', () => {
  it('assertWithHint throws a HintError whose message starts with the hint', () => {
    expect(() => assertWithHint(false, 'Give every message a key — README §2', 'key was null')).toThrow(HintError);
    expect(() => assertWithHint(false, 'Give every message a key', 'key was null')).toThrow(/^Give every message a key\n.*key was null/);
    expect(() => assertWithHint(true, 'never shown')).not.toThrow();
  });

  it('withHint puts the hint above the failed expectation and passes results through', async () => {
    await expect(
      withHint('Write produceVisits() — README §2', () => {
        throw new Error('TODO: produce');
      }),
    ).rejects.toThrow(/^Write produceVisits\(\) — README §2\n\s+↳ TODO: produce/);
    await expect(withHint('unused', async () => 42)).resolves.toBe(42);
    const inner = new HintError('the inner, more precise hint');
    await expect(
      withHint('outer', () => {
        throw inner;
      }),
    ).rejects.toBe(inner);
  });

  it('describeUnreachable names the service, where, and what to do', () => {
    expect(describeUnreachable('connect', 'http://127.0.0.1:8083', 'ECONNREFUSED')).toBe(
      'connect is not answering on http://127.0.0.1:8083 — start the stack: npm run stack:up (then npm run stack:status): ECONNREFUSED',
    );
  });
});

describe('pollUntil', () => {
  it('returns the first defined result', async () => {
    let calls = 0;
    const value = await pollUntil(() => (++calls >= 3 ? 'ready' : undefined), { hint: 'never', intervalMs: 1 });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('keeps trying through errors, then fails with the hint and the last problem', async () => {
    await expect(
      pollUntil(
        () => {
          throw new Error('connection refused');
        },
        { hint: 'Is the producer running?', timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow(/^Is the producer running\?\n.*last: connection refused/);
  });
});

describe('ids', () => {
  it('are unique and readable', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('group')));
    expect(names.size).toBe(100);
    expect([...names][0]).toMatch(/^group-/);
    expect(uniqueSessionId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('exercise target', () => {
  it('points a step at its starter, its solution, or any other copy', () => {
    expect(exerciseTarget({})).toBe('starter');
    expect(exerciseSrcDir('/kit/steps/02-produce-json', {})).toBe('/kit/steps/02-produce-json/src');
    expect(exerciseSrcDir('/kit/steps/02-produce-json', { WORKSHOP_TARGET: 'solution' })).toBe('/kit/solutions/02-produce-json/src');
    expect(exerciseSrcDir('/kit/steps/02-produce-json', { WORKSHOP_EXERCISE_DIR: '/tmp/m/src' })).toBe('/tmp/m/src');
  });
});
