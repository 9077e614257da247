import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { KitError } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { openStackProfile } from '@workshop/infra/profiles';
import { createShutdown } from '../lifecycle/shutdown.js';
import { bringStackUpForThisRun } from '../lifecycle/stack-for-this-run.js';
import { readWorkshopSteps } from '../workshop/steps.js';
import { runGates } from '../dev/gates.js';
import { checkNpmStartStopsOnSignal, npmStartPorts } from '../dev/signal-check.js';
import { listeningPorts } from '../lifecycle/leftovers.js';
import { checkPrerequisites } from '../dev/prerequisites.js';
import { verdictChecks, verifySteps } from '../dev/verify.js';
import { checkOnSecuredStack } from '../dev/secured-stage.js';
import { renderMistakeLines, renderVerifyTable } from '../view/verify-table.js';

/**
 * `npm test` at the root: the kit's own suite, on a real stack (whichever profile: infra/src/profiles).
 *  0. prerequisites (in seconds: what is missing, with the command that installs it), then the gates: typecheck, lint,
 *     import layering — a failure there stops the run before minutes of stack tests;
 *  1. the stack: used if it answers; otherwise the profile starts it — and what this run started is stopped at the end,
 *     also on Ctrl-C, SIGTERM or SIGHUP;
 *  2. the unit tests of shared/, infra/, kit/ and slides/ (no service needed), then the *.stack.test.ts on the stack;
 *  3. every step (npm run verify): tests pass on the solution, fail with a hint on the starter, every common mistake
 *     (solutions/NN/mistakes/*.patch) makes them fail with a hint, every README requirement is covered;
 *  4. a rehearsed room of 3 (npm run room:rehearse) and the quick fault suite (npm run faults -- --quick) on the same stack;
 *  5. the secured local stack (TLS and credentials, as on Aiven): it refuses what the cloud refuses, and every step's
 *     solution passes on it (dev/secured-stage.ts) — started, and stopped after, if it was not running.
 */

interface Tally {
  passed: number;
  failed: number;
  failures: string[];
}

/** vitest at the root (the four workspaces are projects of vitest.config.ts), with the given filter arguments. */
function runVitest(args: string[], signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/vitest'), ['run', ...args], {
      cwd: repoRoot,
      env: { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: 'inherit',
      signal,
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** One of the kit's own commands (package.json scripts) as a stage: its output inline, its exit code the verdict. */
function runKitCommand(script: string, args: string[], signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: repoRoot,
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: 'inherit',
      signal,
    });
    child.on('error', () => resolve(false));
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
  const log = (line: string) => console.log(line);
  const shutdown = createShutdown({ report: log });
  const children = new AbortController();
  shutdown.onStop('the running tests', async () => children.abort());
  const stopped = () => shutdown.isRequested();
  // A stop request ends the run between two checks; the children get the signal through the AbortController.
  void shutdown.requested.then((reason) => {
    console.log(paint('yellow', `${reason}: stopping the tests and what this run started…`));
    void shutdown.stop().then(() => process.exit(130));
  });

  console.log(paint('bold', '▸ prerequisites'));
  const { missing } = await checkPrerequisites();
  if (missing.length > 0) {
    for (const item of missing) console.log(`  ✗ ${item.what} — install: ${item.install}`);
    throw new KitError(`missing: ${missing.map((item) => item.what.split(' (')[0]).join(', ')}`, {
      hint: 'install them with the commands above (README.md, Requirements), then run npm test again',
      code: 'prerequisites',
    });
  }
  console.log('  ✓ Node, Java, Maven, PostgreSQL, tar, patch, Chromium');

  console.log(paint('bold', '▸ gates'));
  const gates = await runGates((line) => log(`  ${line}`));
  if (!gates.ok) {
    throw new KitError(`gates failed: ${gates.failures.join(', ')}`, {
      hint: 'fix what they print above (npm run lint:fix formats and fixes what it safely can)',
    });
  }

  try {
    console.log(paint('bold', '▸ unit tests of shared, infra, kit and slides (no service needed)'));
    // npm run test:unit (package.json holds its filter); *.secure.test.ts run on the secured stack only: npm run test:secure.
    record(await runKitCommand('test:unit', [], children.signal), 'unit tests');

    // npm start's promise: Ctrl-C, SIGTERM, SIGHUP — also during start-up — leave nothing running. Provable only from a
    // stopped stack (a running one is not npm start's to stop), as on a fresh machine and in CI.
    if (!stopped() && (await listeningPorts(npmStartPorts)).length === 0) {
      console.log(paint('bold', '▸ npm start stops what it started on SIGTERM and SIGHUP, running and while starting'));
      for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
        for (const during of ['start-up', 'running'] as const) {
          if (stopped()) break;
          const check = await checkNpmStartStopsOnSignal(signal, (line) => log(paint('dim', `    ${line}`)), { during });
          const left = check.ok
            ? ''
            : ` — still listening: ${check.stillListening.join(', ') || 'none'}; left: ${check.leftProcesses.join('; ') || 'none'}${check.problem ? `; ${check.problem}` : ''}`;
          log(
            `  ${check.ok ? '✓' : '✗'} ${signal} ${during === 'running' ? 'while running' : 'during start-up'}: ${check.seconds.toFixed(1)} s${left}`,
          );
          record(check.ok, `npm start stops on ${signal} ${during === 'running' ? 'while running' : 'during start-up'}${left}`);
        }
      }
    }

    if (!stopped()) console.log(paint('bold', '▸ stack'));
    const profile = await openStackProfile();
    console.log(`  stack profile: ${profile.name} (${profile.why})`);
    const before = await profile.status();
    if (before.every((s) => s.working)) {
      console.log('  every service already answers — using the running stack');
    } else if (!stopped()) {
      console.log(`  ${(await bringStackUpForThisRun(profile, shutdown, log)).summary}`);
    }

    if (!stopped()) {
      console.log(paint('bold', '▸ tests on the running stack (*.stack.test.ts)'));
      // The namespace proof checks that the default names stay untouched: it runs alone, after the tests that use them
      // (npm start's live pipeline), or their objects would appear in the middle of its run.
      const namespaceProof = 'kit/test/room/namespaces.stack.test.ts';
      // --exclude globs match within each project's root (kit/), hence from room/ on.
      record(await runVitest(['.stack.test.ts', '--exclude', '**/room/namespaces.stack.test.ts'], children.signal), 'stack tests');
      if (!stopped()) record(await runVitest([namespaceProof], children.signal), 'stack tests: participant namespaces');
    }

    if (!stopped()) {
      console.log(paint('bold', '▸ steps: solution passes, starter fails with a hint, every mistake caught, every requirement covered'));
      const verdicts = await verifySteps(readWorkshopSteps(), {
        progress: (step, what) => log(paint('dim', `  ${step.dir}: ${what}…`)),
        shouldStop: stopped,
      });
      for (const line of renderMistakeLines(verdicts)) log(line);
      for (const line of renderVerifyTable(verdicts)) log(line);
      for (const check of verdicts.flatMap(verdictChecks)) record(check.ok, check.what);
    }

    if (!stopped()) {
      console.log(paint('bold', '▸ a room of 3 on this stack: steps 02–06 at once, each in her own namespace, the board following'));
      record(await runKitCommand('room:rehearse', ['--participants', '3'], children.signal), 'npm run room:rehearse -- --participants 3');
    }

    if (!stopped()) {
      // Last on the plain stack: it kills and restarts its services (and starts every one of them again when it ends).
      console.log(paint('bold', '▸ faults (quick): kill -9, restarts, an outage and poison under load — nothing lost'));
      record(await runKitCommand('faults', ['--quick'], children.signal), 'npm run faults -- --quick');
    }

    if (!stopped()) {
      console.log(paint('bold', '▸ secured stack: it refuses plain TCP and anonymous access; every step’s solution passes on it'));
      await checkOnSecuredStack({
        shutdown,
        report: log,
        record,
        shouldStop: stopped,
        runVitest: (args, env) => runVitest(args, children.signal, env),
      });
    }
  } finally {
    if (!stopped()) {
      console.log(paint('bold', '▸ stack: stopping what this run started'));
      await shutdown.stop();
      shutdown.dispose();
    }
  }

  for (const failure of tally.failures) console.log(paint('red', `  ✗ ${failure}`));
  const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
  const line = `kit: ${tally.passed} passed, ${tally.failed} failed (${minutes} min)`;
  console.log(tally.failed === 0 ? paint('green', line) : paint('red', line));
  if (tally.failed > 0) process.exitCode = 1;
}

runCommand(main);
