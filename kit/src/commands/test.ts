import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { stackDown, stackStatus, stackUp } from '../../../infra/src/native/stack.js';
import { nativeServices } from '../../../infra/src/native/services.js';
import { readWorkshopSteps } from '../workshop/steps.js';
import { listMistakes, runMistake } from '../dev/mistakes.js';
import { verifySteps } from './verify.js';
import { paint, runCommand } from '@workshop/shared/terminal';

/**
 * `npm test` at the root: the kit's own suite, on a real stack.
 *  1. the stack: used if it answers; otherwise the native stack is started — and stopped again at the end;
 *  2. unit and integration tests of shared/ and infra/ (incl. the ClickHouse HTTP server and stack smoke tests);
 *  3. every step: tests pass on the solution, fail with a hint on the starter (npm run verify);
 *  4. every step's common mistakes (solutions/NN/mistakes/*.patch) make its tests fail with a hint.
 */

interface Tally {
  passed: number;
  failed: number;
  failures: string[];
}

function runVitest(workspace: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/vitest'), ['run'], {
      cwd: join(repoRoot, workspace),
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: 'inherit',
    });
    child.on('close', (code) => resolve(code === 0));
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const tally: Tally = { passed: 0, failed: 0, failures: [] };
  const record = (ok: boolean, what: string) => {
    if (ok) tally.passed += 1;
    else {
      tally.failed += 1;
      tally.failures.push(what);
    }
  };
  const config = loadConfig();
  const log = (line: string) => console.log(line);

  console.log(paint('bold', '▸ stack'));
  const before = await stackStatus(config);
  let startedByUs: string[] = [];
  if (before.every((s) => s.working)) {
    console.log('  every service already answers — using the running stack');
  } else {
    const result = await stackUp(config, log);
    startedByUs = result.started;
    console.log(`  stack up in ${result.seconds.toFixed(1)} s (started: ${result.started.join(', ') || 'nothing'})`);
  }

  try {
    for (const workspace of ['shared', 'infra']) {
      console.log(paint('bold', `▸ ${workspace}: unit and integration tests`));
      record(await runVitest(workspace), `${workspace} tests`);
    }

    console.log(paint('bold', '▸ steps: solution passes, starter fails with a hint'));
    for (const verdict of await verifySteps([], log)) {
      record(verdict.solutionOk, `${verdict.step.dir} solution`);
      if (verdict.starter) record(verdict.starterOk, `${verdict.step.dir} starter`);
    }

    console.log(paint('bold', '▸ steps: every common mistake is caught'));
    for (const step of readWorkshopSteps()) {
      for (const mistake of listMistakes(step.dir)) {
        const outcome = await runMistake(mistake);
        const caught = outcome.failed > 0 && outcome.firstFailureIsHint;
        console.log(`  ${caught ? '✓' : '✗'} ${step.dir}/${mistake.name}: ${caught ? 'caught' : outcome.failed > 0 ? 'fails, but without a hint' : 'NOT caught — tests pass'} (${mistake.description})`);
        record(caught, `${step.dir} mistake ${mistake.name}`);
      }
    }
  } finally {
    if (startedByUs.length > 0) {
      console.log(paint('bold', '▸ stack: stopping what this run started'));
      await stackDown(log, { services: nativeServices.filter((s) => startedByUs.includes(s.name)) });
    }
  }

  for (const failure of tally.failures) console.log(paint('red', `  ✗ ${failure}`));
  const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
  const line = `kit: ${tally.passed} passed, ${tally.failed} failed`;
  console.log(`(${minutes} min)`);
  console.log(tally.failed === 0 ? paint('green', line) : paint('red', line));
  if (tally.failed > 0) process.exitCode = 1;
}

runCommand(main);
