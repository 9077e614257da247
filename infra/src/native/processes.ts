import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { KitError } from '@workshop/shared';

/** Background processes of the native stack: started detached, logging to a file, tracked by pid file. */

export interface ManagedProcess {
  pid: number;
  logPath: string;
}

function pidFile(runDir: string, service: string): string {
  return join(runDir, `${service}.pid`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of our running process for `service`, if its pid file points at a live process. */
export function runningPid(runDir: string, service: string): number | undefined {
  const file = pidFile(runDir, service);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

export async function startDetached(options: {
  service: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  runDir: string;
  logPath: string;
}): Promise<ManagedProcess> {
  await mkdir(options.runDir, { recursive: true });
  const logFd = openSync(options.logPath, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      // Own process group, so stop() can signal the service and anything it started, and the service
      // outlives the `npm run stack:up` that started it.
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once('error', (error) =>
        reject(
          new KitError(`${options.service}: could not start ${options.command}: ${error.message}`, {
            hint: `install ${options.command} and put it on PATH (infra/README.md lists what the native stack needs)`,
            cause: error,
          }),
        ),
      );
      child.once('spawn', () => resolvePid(child.pid ?? -1));
    });
    child.unref();
    await writeFile(pidFile(options.runDir, options.service), `${pid}\n`);
    return { pid, logPath: options.logPath };
  } finally {
    closeSync(logFd);
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopProcess(runDir: string, service: string, graceMs = 20_000): Promise<'stopped' | 'not running'> {
  const pid = runningPid(runDir, service);
  await rm(pidFile(runDir, service), { force: true }).catch(() => undefined);
  if (pid === undefined) return 'not running';
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(pid)) signalGroup('SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  return 'stopped';
}

/** True when something accepts TCP connections on host:port. */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = createConnection({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolveAnswer(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log, for an error message that shows why a service died. */
export async function logTail(logPath: string, lines = 8): Promise<string> {
  if (!existsSync(logPath)) return '(no log written)';
  const text = await readFile(logPath, 'utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
