import { afterEach, describe, expect, it } from 'vitest';
import ProgressReporter from '../../src/room/progress-reporter.js';

/**
 * The board never slows a participant's test run: the reporter hands the event to a detached process and returns at once,
 * even when the room's stack cannot be reached (here: an address that never answers).
 */
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const modules = [
  {
    children: {
      *allTests() {
        yield { fullName: 'a > b', result: () => ({ state: 'failed' as const, errors: [{ name: 'HintError', message: 'Do it' }] }) };
      },
    },
    errors: () => [],
  },
];

describe('progress reporter', () => {
  it('returns at once, without a promise to wait for, when the stack does not answer', () => {
    Object.assign(process.env, {
      WORKSHOP_PARTICIPANT: 'slow-room',
      WORKSHOP_BOARD: 'auto',
      WORKSHOP_TARGET: '',
      WORKSHOP_EXERCISE_DIR: '',
      // TEST-NET-1 (RFC 5737): nothing answers there, so a waiting client would hang until its timeout.
      KAFKA_BROKERS: '192.0.2.1:9092',
      SCHEMA_REGISTRY_URL: 'http://192.0.2.1:8081',
    });
    const reporter = new ProgressReporter();
    reporter.onInit({ config: { root: '/x/steps/02-produce-json' } });
    const started = performance.now();
    const returned = reporter.onTestRunEnd(modules);
    expect(returned).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never throws into the test run, whatever the run looks like', () => {
    Object.assign(process.env, { WORKSHOP_PARTICIPANT: 'odd-run', WORKSHOP_TARGET: '' });
    const reporter = new ProgressReporter();
    expect(() => reporter.onTestRunEnd([{ children: null, errors: () => [] } as never])).not.toThrow();
  });
});
