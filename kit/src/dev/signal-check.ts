import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { defaultPorts } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { isProcessAlive, listeningPorts, processesInGroup } from '../lifecycle/leftovers.js';
import type { StopSignal } from '../lifecycle/shutdown.js';

/**
 * Does a command stop what it started when it is signalled? Runs it for real in its own process group, waits for a line
 * of its output, sends the signal, then waits until its ports are free and none of its processes is left. The root
 * `npm test` runs `checkNpmStartStopsOnSignal` on `npm start` (stack down before); the lifecycle tests run the same
 * `runAndSignal` on a small fixture (kit/test/fixtures/signal-fixture).
 */

export interface SignalCheckResult {
  signal: StopSignal;
  /** Every watched port free and no process left within the timeout. */
  ok: boolean;
  stillListening: number[];
  /** `pid command` of each process left (of the command's group, or a watched pid such as a detached service). */
  leftProcesses: string[];
  /** From the signal until everything was gone (or the timeout). */
  seconds: number;
  /** Why the check could not even send the signal (the command ended or never printed the line), if so. */
  problem?: string;
  /** The command's output (stdout and stderr, line by line) — what a failed check shows. */
  output: string[];
}

export interface SignalledRun {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The signal goes out once a line of the output matches this. */
  signalAfter: RegExp;
  signal: StopSignal;
  /**
   * `leader`: the started process only, as `kill -TERM <npm pid>` does; `group`: its whole process group, as Ctrl-C
   * or a closing terminal does.
   */
  to: 'leader' | 'group';
  /** What must be gone afterwards, read from the output so far (a fixture prints its stand-in's port and pid). */
  watch: (output: string[]) => { ports: number[]; pids: number[] };
  /**
   * Stop reading the output when signalling, so the command's later writes fail (EPIPE) as they do on a terminal that
   * has closed: stopping must not depend on being able to print.
   */
  closeOutput?: boolean;
  /** How long the command may take to print the line (a cold `npm start` downloads the stack first). */
  startTimeoutMs: number;
  /** How long, after the signal, until what it started must be gone. */
  stopTimeoutMs: number;
  /** Each output line as it comes (progress for a person watching); silent when absent. */
  echo?: (line: string) => void;
}

export async function runAndSignal(run: SignalledRun): Promise<SignalCheckResult> {
  const output: string[] = [];
  const child = spawn(run.command, run.args, {
    cwd: run.cwd,
    env: run.env ?? process.env,
    // Its own process group: the group is what a terminal signals, and what must be empty afterwards.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    return { signal: run.signal, ok: false, stillListening: [], leftProcesses: [], seconds: 0, problem: error.message, output };
  }
  const streams = [child.stdout, child.stderr];
  const lineSeen = new Promise<'line' | 'exited' | 'timeout'>((resolve) => {
    for (const stream of streams) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        run.echo?.(line);
        if (run.signalAfter.test(line)) resolve('line');
      });
    }
    child.once('exit', () => resolve('exited'));
    setTimeout(() => resolve('timeout'), run.startTimeoutMs).unref();
  });
  const seen = await lineSeen;
  if (seen !== 'line') {
    // Nothing was signalled: end whatever runs, so a failed check leaves nothing behind either.
    signalGroup(pgid, 'SIGKILL');
    const problem =
      seen === 'exited'
        ? `it exited (code ${child.exitCode}) before printing ${run.signalAfter}`
        : `no line matched ${run.signalAfter} within ${run.startTimeoutMs / 1000} s`;
    return { signal: run.signal, ok: false, stillListening: [], leftProcesses: [], seconds: 0, problem, output };
  }

  const { ports, pids } = run.watch(output);
  if (run.closeOutput) for (const stream of streams) stream.destroy();
  const t0 = Date.now();
  if (run.to === 'group') signalGroup(pgid, run.signal);
  else child.kill(run.signal);

  const deadline = t0 + run.stopTimeoutMs;
  let left = await leftovers(pgid, ports, pids);
  // Waits on the condition itself (ports closed, processes gone): fast when stopping is fast, patient under load.
  while ((left.stillListening.length > 0 || left.leftProcesses.length > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = await leftovers(pgid, ports, pids);
  }
  const seconds = (Date.now() - t0) / 1000;
  const ok = left.stillListening.length === 0 && left.leftProcesses.length === 0;
  return { signal: run.signal, ok, ...left, seconds, output };
}

async function leftovers(
  pgid: number,
  ports: number[],
  pids: number[],
): Promise<Pick<SignalCheckResult, 'stillListening' | 'leftProcesses'>> {
  const [stillListening, inGroup, watchedAlive] = await Promise.all([
    listeningPorts(ports),
    processesInGroup(pgid),
    Promise.all(pids.map(async (pid) => ((await isProcessAlive(pid)) ? pid : undefined))),
  ]);
  const leftProcesses = inGroup.map((p) => `${p.pid} ${p.command}`);
  for (const pid of watchedAlive) if (pid !== undefined && !inGroup.some((p) => p.pid === pid)) leftProcesses.push(`${pid} (watched)`);
  return { stillListening, leftProcesses };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is already gone */
  }
}

/** The ports `npm start` opens on the native stack: Kafka, the registry, Connect, ClickHouse's HTTP, the button app. */
export const npmStartPorts = [
  defaultPorts.kafka,
  defaultPorts.schemaRegistry,
  defaultPorts.connect,
  defaultPorts.clickhouseHttp,
  defaultPorts.buttonApp,
];

export interface NpmStartSignalOptions {
  /**
   * `running`: the signal arrives once the whole pipeline is up (the "Button app" line); `start-up`: while the stack is
   * still starting (the first service has been launched, the pipeline is not up yet).
   */
  during?: 'running' | 'start-up';
  /** How long `npm start` may take to get there (a cold machine downloads the stack first). */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/**
 * The real `npm start` at the root, signalled like `kill -TERM <npm pid>` / `kill -HUP <npm pid>` (npm's pid only:
 * npm does not pass these on, so this is the case that needs the ancestor watch in lifecycle/shutdown.ts). Run it only
 * when no stack service answers: `npm start` stops just what it started, so a running stack would (rightly) stay up.
 */
export function checkNpmStartStopsOnSignal(
  signal: 'SIGTERM' | 'SIGHUP',
  report: (line: string) => void,
  options: NpmStartSignalOptions = {},
): Promise<SignalCheckResult> {
  const during = options.during ?? 'running';
  report(`npm start, then ${signal} to npm's pid ${during === 'running' ? 'once the pipeline is up' : 'while the stack is starting'}`);
  return runAndSignal({
    command: 'npm',
    args: ['start'],
    cwd: repoRoot,
    env: { ...withoutNpmVariables(process.env), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    // "  kafka: starting (log: …)" is native/stack.ts's line when it launches a service: something to stop is running.
    signalAfter: during === 'running' ? /Button app\s/ : /^\s+\S+: starting \(log:/,
    signal,
    to: 'leader',
    watch: () => ({ ports: npmStartPorts, pids: [] }),
    startTimeoutMs: options.startTimeoutMs ?? 10 * 60_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 90_000,
  });
}

/**
 * The environment without npm's own variables: when the check itself runs under `npm test`, the inner npm must not
 * inherit the outer one's lifecycle (npm_lifecycle_event, npm_config_*).
 */
export function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('npm_')));
}
