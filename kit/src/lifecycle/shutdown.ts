/**
 * Stopping what a long-running command started — exactly once, whichever way it ends: Ctrl-C (SIGINT), a process manager
 * (SIGTERM), a closed terminal (SIGHUP), the parent npm process dying, a failed start-up, or the normal end. A second
 * signal while stopping forces the exit (exit code 130), as a second Ctrl-C does in most tools.
 *
 * Hand-written rather than a library: the ones on npm (e.g. signal-exit, exit-hook) run synchronous hooks only, and
 * stopping a JVM or a Kafka consumer is asynchronous.
 */
import { spawnSync } from 'node:child_process';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const stopSignals: StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface Shutdown {
  /** Registers a clean-up; clean-ups run in reverse order of registration (last started, first stopped). */
  onStop(name: string, stop: () => Promise<unknown>): void;
  /** Resolves with the reason once a signal (or the parent's exit) asks the command to stop. */
  readonly requested: Promise<string>;
  /** Whether a stop was asked for (a command checks it between long start-up steps). */
  isRequested(): boolean;
  /** Runs every clean-up once; later calls wait for the same run. Errors are reported, never thrown. */
  stop(): Promise<void>;
  /** Removes the signal handlers (tests; a command's normal end). */
  dispose(): void;
}

export interface ShutdownOptions {
  report: (line: string) => void;
  /** Called on a second signal while stopping (default: exit 130 at once). */
  forceExit?: () => void;
  /** The process whose signals are watched (tests pass a stand-in). */
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** The processes whose exit means "stop" (default: the npm process that runs this command, and the shell between). */
  ancestors?: number[];
  /** How often the ancestors are checked (ms); 0 turns the check off. */
  parentCheckMs?: number;
  /** The command's output streams (default: stdout and stderr; tests pass stand-ins). */
  outputs?: { on(event: 'error', listener: () => void): unknown }[];
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const proc = options.process ?? process;
  const forceExit = options.forceExit ?? (() => process.exit(130));
  const outputs = options.outputs ?? [process.stdout, process.stderr];
  const cleanups: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping: Promise<void> | undefined;
  let requestedReason: string | undefined;
  let resolveRequested: (reason: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve;
  });

  const request = (reason: string) => {
    if (requestedReason !== undefined) {
      options.report(`${reason} again — forcing the exit; what is still running may be left (npm run stack:status shows it)`);
      forceExit();
      return;
    }
    requestedReason = reason;
    // Once the terminal has closed (SIGHUP), a write to it fails with EIO, and an unhandled stream error would end the
    // process before anything is stopped (measured under a pty: a process.stdout.write after the hang-up exits 1).
    // From now on output is best effort; console.log already ignores such errors, a raw write does not.
    for (const output of outputs) output.on('error', ignoreOutputError);
    resolveRequested(reason);
  };
  const handlers = new Map<StopSignal, () => void>(stopSignals.map((signal) => [signal, () => request(signal)]));
  for (const [signal, handler] of handlers) proc.on(signal, handler);

  // `kill -TERM <npm>` or `kill -HUP <npm>` reaches npm only: npm 11 dies without passing it on (measured), and its
  // `sh -c` may live on. A terminal that closes signals the whole group (SIGHUP, above); this covers the rest.
  const ancestors = options.ancestors ?? npmAncestors();
  const parentCheckMs = options.parentCheckMs ?? 1000;
  const parentCheck =
    parentCheckMs > 0 && ancestors.length > 0
      ? setInterval(() => {
          if (requestedReason === undefined && ancestors.some((pid) => !isAlive(pid)))
            request('the npm process that ran this command exited');
        }, parentCheckMs)
      : undefined;
  parentCheck?.unref();

  const dispose = () => {
    for (const [signal, handler] of handlers) proc.off(signal, handler);
    if (parentCheck) clearInterval(parentCheck);
  };

  return {
    onStop(name, stop) {
      cleanups.push({ name, stop });
    },
    requested,
    isRequested: () => requestedReason !== undefined,
    stop() {
      stopping ??= (async () => {
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup.stop();
          } catch (error) {
            options.report(`! stopping ${cleanup.name} failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      })();
      return stopping;
    },
    dispose,
  };
}

function ignoreOutputError(): void {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours (cannot happen for our own parents, but it is alive either way).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parentOf(pid: number): number | undefined {
  const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
  const parent = Number(ps.stdout?.trim());
  return ps.status === 0 && Number.isInteger(parent) && parent > 1 ? parent : undefined;
}

/**
 * The parent and, when it is npm's `sh -c`, npm itself: the processes this command lives under. Only when run by npm
 * (npm_lifecycle_event is set); where `ps` is missing (Windows) just the parent.
 */
export function npmAncestors(env: NodeJS.ProcessEnv = process.env): number[] {
  if (!env.npm_lifecycle_event) return [];
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  return grandparent === undefined ? [parent] : [parent, grandparent];
}
