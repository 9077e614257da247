import { describe, expect, it } from 'vitest';
import { loadConfig } from '@workshop/shared';
import type { StackProfile } from '@workshop/infra/profiles';
import { createShutdown } from '../../src/lifecycle/shutdown.js';
import { bringStackUpForThisRun } from '../../src/lifecycle/stack-for-this-run.js';

/** A profile whose `up` warns, as the docker profile does offline (Grafana without its ClickHouse plugin). */
function warningProfile(warnings: string[]): StackProfile {
  return {
    name: 'docker',
    why: 'test',
    capabilities: { startsServices: true, grafana: true },
    config: () => loadConfig({ env: {} }),
    up: async () => ({ started: [], seconds: 0, warnings, summary: 'up' }),
    down: async () => ({ stopped: [], summary: 'down' }),
    status: async () => [],
    reset: async () => {
      throw new Error('not in this test');
    },
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}

describe('bringStackUpForThisRun (npm start, npm test)', () => {
  it("says each of up's warnings in one line of its own, and returns the outcome", async () => {
    const lines: string[] = [];
    const shutdown = createShutdown({ report: () => undefined, process: { on: () => process, off: () => process }, parentCheckMs: 0 });
    const warning = 'Grafana: the ClickHouse plugin is not installed (… no internet?)';
    const outcome = await bringStackUpForThisRun(warningProfile([warning]), shutdown, (line) => lines.push(line));
    shutdown.dispose();
    expect(lines).toEqual([`! ${warning}`]);
    expect(outcome.warnings).toEqual([warning]);
  });

  it('says nothing more when up has nothing to warn of', async () => {
    const lines: string[] = [];
    const shutdown = createShutdown({ report: () => undefined, process: { on: () => process, off: () => process }, parentCheckMs: 0 });
    await bringStackUpForThisRun(warningProfile([]), shutdown, (line) => lines.push(line));
    shutdown.dispose();
    expect(lines).toEqual([]);
  });
});
