import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { repoRoot } from '../src/repo-root.js';

/**
 * kafkajs 2.2.4 sets a timer with a negative delay on Node 24, and Node prints a TimeoutNegativeWarning in every
 * participant's terminal (tulios/kafkajs#1751). createKafka drops exactly that warning; others still print.
 */
it('after createKafka, a negative timer prints no TimeoutNegativeWarning, while other warnings still print', () => {
  const script = `
    import { createKafka, parseConfig } from './shared/src/index.ts';
    createKafka(parseConfig({}));
    setTimeout(() => {}, -1747359280440);
    process.emitWarning('still printed', 'SomeOtherWarning');
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toContain('SomeOtherWarning: still printed');
  expect(run.stderr).not.toContain('TimeoutNegativeWarning');
}, 60_000);
