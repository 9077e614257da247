import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, listeningPorts, processesInGroup } from '../../src/lifecycle/leftovers.js';
import { createShutdown, type StopSignal } from '../../src/lifecycle/shutdown.js';
import { runAndSignal, type SignalCheckResult, withoutNpmVariables } from '../../src/dev/signal-check.js';

/** A process stand-in: signals are events the test emits. */
function standInProcess() {
  const emitter = new EventEmitter();
  return {
    proc: { on: emitter.on.bind(emitter), off: emitter.off.bind(emitter) } as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    send: (signal: StopSignal) => emitter.emit(signal),
    listeners: (signal: StopSignal) => emitter.listenerCount(signal),
  };
}

describe('createShutdown', () => {
  it('runs the clean-ups in reverse order of registration, once, however often stop() is called', async () => {
    const { proc } = standInProcess();
    const order: string[] = [];
    const shutdown = createShutdown({ report: () => undefined, process: proc, ancestors: [] });
    shutdown.onStop('the stack', async () => order.push('stack'));
    shutdown.onStop('the pipeline', async () => order.push('pipeline'));

    await Promise.all([shutdown.stop(), shutdown.stop()]);
    await shutdown.stop();

    expect(order).toEqual(['pipeline', 'stack']);
    shutdown.dispose();
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('resolves `requested` with the reason on %s', async (signal) => {
    const { proc, send } = standInProcess();
    const shutdown = createShutdown({ report: () => undefined, process: proc, ancestors: [] });
    expect(shutdown.isRequested()).toBe(false);

    send(signal);

    await expect(shutdown.requested).resolves.toBe(signal);
    expect(shutdown.isRequested()).toBe(true);
    shutdown.dispose();
  });

  it('forces the exit on a second signal, saying that something may be left', () => {
    const { proc, send } = standInProcess();
    const lines: string[] = [];
    let forced = 0;
    const shutdown = createShutdown({ report: (line) => lines.push(line), process: proc, ancestors: [], forceExit: () => forced++ });

    send('SIGINT');
    expect(forced).toBe(0);
    send('SIGINT');

    expect(forced).toBe(1);
    expect(lines.join('\n')).toMatch(/SIGINT again — forcing the exit.*npm run stack:status/);
    shutdown.dispose();
  });

  it('reports a failing clean-up and still runs the others; stop() does not throw', async () => {
    const { proc } = standInProcess();
    const lines: string[] = [];
    const ran: string[] = [];
    const shutdown = createShutdown({ report: (line) => lines.push(line), process: proc, ancestors: [] });
    shutdown.onStop('the stack', async () => ran.push('stack'));
    shutdown.onStop('the pipeline', async () => {
      throw new Error('consumer did not disconnect');
    });

    await expect(shutdown.stop()).resolves.toBeUndefined();

    expect(ran).toEqual(['stack']);
    expect(lines).toEqual(['! stopping the pipeline failed: consumer did not disconnect']);
    shutdown.dispose();
  });

  it('asks for a stop when an ancestor (npm, its sh -c) exits', async () => {
    const { proc } = standInProcess();
    // A real process that is already gone: the npm that ran the command, after `kill -TERM <npm pid>`.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const shutdown = createShutdown({
      report: () => undefined,
      process: proc,
      ancestors: [process.pid, gone.pid ?? -1],
      parentCheckMs: 20,
    });

    await expect(shutdown.requested).resolves.toBe('the npm process that ran this command exited');
    shutdown.dispose();
  });

  it('keeps a failed write to a closed terminal from ending the process once a stop is asked for', () => {
    const { proc, send } = standInProcess();
    const stdout = new EventEmitter();
    const shutdown = createShutdown({ report: () => undefined, process: proc, ancestors: [], outputs: [stdout] });
    // Before a stop, an output error is not ours to hide.
    expect(() => stdout.emit('error', new Error('write EIO'))).toThrow('write EIO');

    send('SIGHUP');

    expect(() => stdout.emit('error', new Error('write EIO'))).not.toThrow();
    shutdown.dispose();
  });

  it('removes its signal handlers on dispose', () => {
    const { proc, listeners } = standInProcess();
    const shutdown = createShutdown({ report: () => undefined, process: proc, ancestors: [] });
    expect(listeners('SIGHUP')).toBe(1);

    shutdown.dispose();

    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => listeners(s as StopSignal))).toEqual([0, 0, 0]);
  });
});

/**
 * The fixture (kit/test/fixtures/signal-fixture) run as npm runs `npm start`: npm → sh -c → node, in their own process
 * group. Its stand-in service runs detached in a group of its own, as the native stack's JVMs do, so only the
 * fixture's clean-up can stop it.
 */
const fixtureDir = join(import.meta.dirname, '../fixtures/signal-fixture');
// Generous bounds, never waited out when things work: each wait ends on its event (a line, a port closed, a process gone).
const generous = { startTimeoutMs: 30_000, stopTimeoutMs: 30_000 };
const testTimeoutMs = 90_000;

function fixtureEnv(scenario: string): NodeJS.ProcessEnv {
  // Not the npm variables of a surrounding `npm test`: the fixture's npm sets its own.
  return { ...withoutNpmVariables(process.env), SIGNAL_FIXTURE_SCENARIO: scenario };
}

/** The stand-in's port and pid, from the fixture's `service pid=… port=…` line. */
function standInService(output: string[]): { ports: number[]; pids: number[] } {
  const match = output.map((line) => /^service pid=(\d+) port=(\d+)$/.exec(line)).find((m) => m !== null);
  if (!match) throw new Error(`the fixture printed no service line:\n${output.join('\n')}`);
  return { ports: [Number(match[2])], pids: [Number(match[1])] };
}

/** Whatever a failed run left: stopped here, so one failure does not leak into the next test. */
async function cleanUpAfter(result: SignalCheckResult): Promise<void> {
  if (result.ok) return;
  for (const line of result.leftProcesses) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

function expectAllStopped(result: SignalCheckResult): void {
  const details = `${JSON.stringify({ ...result, output: undefined })}\n${result.output.join('\n')}`;
  expect(result.problem, details).toBeUndefined();
  expect(result.stillListening, details).toEqual([]);
  expect(result.leftProcesses, details).toEqual([]);
  expect(result.ok, details).toBe(true);
}

describe('npm run of a command using createShutdown, signalled', () => {
  // Names under 40 characters: vitest cuts longer ones in its report. npm 11 passes neither SIGTERM nor SIGHUP on to
  // the script (on HUP npm dies and its sh -c lives on): the ancestor watch in createShutdown is what stops those.
  const cases: { what: string; signal: StopSignal; to: 'leader' | 'group'; scenario: string; after: RegExp; closeOutput?: boolean }[] = [
    { what: 'kill -TERM <npm pid>', signal: 'SIGTERM', to: 'leader', scenario: 'runs', after: /^ready$/ },
    { what: 'kill -HUP <npm pid>', signal: 'SIGHUP', to: 'leader', scenario: 'runs', after: /^ready$/ },
    {
      what: 'terminal closed: HUP to group, no output',
      signal: 'SIGHUP',
      to: 'group',
      scenario: 'runs',
      after: /^ready$/,
      closeOutput: true,
    },
    { what: 'Ctrl-C (SIGINT to the group)', signal: 'SIGINT', to: 'group', scenario: 'runs', after: /^ready$/ },
    { what: 'kill -TERM <npm pid> while starting', signal: 'SIGTERM', to: 'leader', scenario: 'starting', after: /^starting$/ },
    { what: 'kill -HUP <npm pid> while starting', signal: 'SIGHUP', to: 'leader', scenario: 'starting', after: /^starting$/ },
    { what: 'Ctrl-C while starting', signal: 'SIGINT', to: 'group', scenario: 'starting', after: /^starting$/ },
  ];

  it.each(cases)(
    '$what: the service port is closed and no process is left',
    async ({ signal, to, scenario, after, closeOutput }) => {
      const result = await runAndSignal({
        command: 'npm',
        args: ['run', 'start'],
        cwd: fixtureDir,
        env: fixtureEnv(scenario),
        signalAfter: after,
        signal,
        to,
        watch: standInService,
        closeOutput,
        ...generous,
      });
      await cleanUpAfter(result);

      expectAllStopped(result);
      if (!closeOutput) expect(result.output).toContain('stopped');
    },
    testTimeoutMs,
  );

  it(
    'the check itself fails, saying why, when the command ends before the line it waits for',
    async () => {
      const result = await runAndSignal({
        command: 'npm',
        args: ['run', 'start'],
        cwd: fixtureDir,
        env: fixtureEnv('fails'),
        signalAfter: /^ready$/,
        signal: 'SIGTERM',
        to: 'leader',
        watch: standInService,
        ...generous,
      });

      expect(result.ok).toBe(false);
      expect(result.problem).toMatch(/exited \(code 1\) before printing/);
    },
    testTimeoutMs,
  );

  it(
    'a failed start-up stops what it had started, and fails',
    async () => {
      const child = spawn('npm', ['run', 'start'], {
        cwd: fixtureDir,
        env: fixtureEnv('fails'),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      const service = standInService(output.split('\n'));

      expect(code, output).not.toBe(0);
      expect(output).toContain('start-up failed: stopping what this run started');
      expect(await listeningPorts(service.ports)).toEqual([]);
      expect(await isProcessAlive(service.pids[0] ?? -1)).toBe(false);
      expect(await processesInGroup(child.pid ?? -1)).toEqual([]);
    },
    testTimeoutMs,
  );

  it(
    'a second Ctrl-C while stopping forces exit 130 (and says what may be left)',
    async () => {
      // node directly as the group leader, so its own exit code is what the test sees (npm would report its own).
      const child = spawn(process.execPath, ['--import', 'tsx', './fixture.ts'], {
        cwd: fixtureDir,
        env: fixtureEnv('slow-stop'),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const pgid = child.pid ?? -1;
      const lines: string[] = [];
      const waiting = new Set<{ pattern: RegExp; resolve: () => void }>();
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        for (const waiter of waiting) if (waiter.pattern.test(line)) waiter.resolve();
      });
      const waitFor = (pattern: RegExp) =>
        lines.some((line) => pattern.test(line)) ? Promise.resolve() : new Promise<void>((resolve) => waiting.add({ pattern, resolve }));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let service: { ports: number[]; pids: number[] } | undefined;
      try {
        await waitFor(/^ready$/);
        service = standInService(lines);
        process.kill(-pgid, 'SIGINT');
        await waitFor(/^stopping the service hangs$/);
        process.kill(-pgid, 'SIGINT');

        expect(await exited).toBe(130);
        expect(lines.join('\n')).toMatch(/SIGINT again — forcing the exit/);
      } finally {
        // Forced means the stand-in was (by design) left running: end it here.
        for (const pid of service?.pids ?? []) process.kill(-pid, 'SIGKILL');
      }
    },
    testTimeoutMs,
  );
});
