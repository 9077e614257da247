import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { KitError } from '@workshop/shared/errors';
import type { ServiceState, StackProfile } from '@workshop/infra/profiles';
import { checkOnSecuredStack } from '../../src/dev/secured-stage.js';
import { createShutdown } from '../../src/lifecycle/shutdown.js';
import type { StepTestOutcome } from '../../src/workshop/run-step-tests.js';
import { readWorkshopSteps } from '../../src/workshop/steps.js';

/**
 * npm test's secured stage with a stand-in stack and stand-in test runs: what it starts it stops, its children get the
 * secured stack's config (this process keeps its own), and every step's solution runs once — no starter, no mistake.
 */

const securedEnv = { STACK: 'secure', WORKSHOP_ENV_FILE: '/secured/env', NODE_EXTRA_CA_CERTS: '/secured/ca.pem' };
const passing: StepTestOutcome = { passed: 3, failed: 0, firstFailureIsHint: false, crashed: false, seconds: 1, tests: [] };

function fakeStack(options: { upFails?: boolean } = {}) {
  const calls: string[] = [];
  let running = false;
  const state = (): ServiceState => ({ service: 'kafka', port: 19092, runs: '-', working: running, log: 'kafka.log' });
  const profile = {
    name: 'secure',
    why: 'STACK=secure',
    capabilities: { startsServices: true, grafana: false },
    status: async () => [state()],
    up: async () => {
      calls.push('up');
      if (options.upFails) throw new KitError('postgres: initdb failed', { hint: 'remove .stack/secure/data/postgres' });
      running = true;
      return { started: ['kafka'], seconds: 1, warnings: [], summary: 'secured stack up' };
    },
    down: async (_report: unknown, downOptions: { only?: string[] } = {}) => {
      calls.push(`down ${downOptions.only?.join(',')}`);
      running = false;
      return { stopped: ['kafka'], summary: 'down' };
    },
  } as unknown as StackProfile;
  return { profile, calls };
}

function run(stack: ReturnType<typeof fakeStack>) {
  const emitter = new EventEmitter();
  const proc = { on: emitter.on.bind(emitter), off: emitter.off.bind(emitter) } as unknown as Pick<NodeJS.Process, 'on' | 'off'>;
  const shutdown = createShutdown({ report: () => undefined, process: proc, ancestors: [], parentCheckMs: 0 });
  const records: [boolean, string][] = [];
  const suites: string[] = [];
  const envs: (string | undefined)[] = [];
  const vitestEnvs: NodeJS.ProcessEnv[] = [];
  const done = checkOnSecuredStack({
    shutdown,
    report: () => undefined,
    record: (ok, what) => records.push([ok, what]),
    shouldStop: () => false,
    env: securedEnv,
    openProfile: async (env) => {
      expect(env.STACK).toBe('secure');
      return stack.profile;
    },
    runVitest: async (_args, env) => {
      vitestEnvs.push(env);
      return true;
    },
    runTests: async (dir, target, options) => {
      suites.push(`${dir} ${target}`);
      envs.push(options?.extraEnv?.WORKSHOP_ENV_FILE);
      return passing;
    },
  });
  return { done, shutdown, records, suites, envs, vitestEnvs };
}

describe('npm test on the secured stack', () => {
  it("starts it, runs the refusals and each step's solution once with its config, and stops what it started", async () => {
    const stack = fakeStack();
    const { done, shutdown, records, suites, envs, vitestEnvs } = run(stack);
    await done;
    const steps = readWorkshopSteps();

    expect(suites).toEqual(steps.map((step) => `${step.dir} ${step.exercise ? 'solution' : 'starter'}`));
    expect(new Set(envs)).toEqual(new Set(['/secured/env']));
    expect(vitestEnvs[0]).toMatchObject(securedEnv);
    expect(process.env.WORKSHOP_ENV_FILE).not.toBe('/secured/env');
    expect(records.every(([ok]) => ok)).toBe(true);
    expect(records.map(([, what]) => what)).toContain(`secured stack: ${steps[1]?.dir} solution`);
    expect(stack.calls).toEqual(['up']);
    await shutdown.stop();
    expect(stack.calls).toEqual(['up', 'down kafka']);
  });

  it('records one failure, with the hint, when the stack does not start — and runs no step', async () => {
    const stack = fakeStack({ upFails: true });
    const { done, shutdown, records, suites } = run(stack);
    await done;
    await shutdown.stop();

    expect(records).toEqual([[false, 'secured stack: did not start — postgres: initdb failed (remove .stack/secure/data/postgres)']]);
    expect(suites).toEqual([]);
  });
});
