import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { KitError } from '@workshop/shared';
import { z } from 'zod';

/**
 * Background processes of the native stack: started detached, logging to a file, tracked by pid file.
 *
 * A pid file outlives its process (a reboot, a kill -9, a crash) and the pid is then reused by anything. So
 * the file also records what the process was — when it started and its command line, as ps shows them — and
 * nothing is signalled unless the live process still matches both. A file that no longer matches is stale:
 * removed, with a one-line note.
 */

export interface ManagedProcess {
  pid: number;
  logPath: string;
}

function pidFile(runDir: string, service: string): string {
  return join(runDir, `${service}.pid`);
}

const pidRecordSchema = z.object({ pid: z.number().int().positive(), started: z.string(), command: z.string() });
type PidRecord = z.infer<typeof pidRecordSchema>;

/** When `pid` started and its full command line, from ps (Linux and macOS alike); undefined when it is gone. */
export function processIdentity(pid: number): { started: string; command: string } | undefined {
  const ps = spawnSync('ps', ['-ww', '-o', 'lstart=', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  // lstart is a fixed 24-character date ("Wed Dec  2 17:46:01 2026"), then the command line.
  return line.length > 24 ? { started: line.slice(0, 24), command: line.slice(25) } : undefined;
}

/** The pid file's record, or undefined when it is not one. */
function readPidRecord(file: string): PidRecord | undefined {
  const text = readFileSync(file, 'utf8').trim();
  // A pid-only file, from kits before the check: no start time was recorded (see isOurs).
  if (/^\d+$/.test(text)) return { pid: Number(text), started: '', command: '' };
  try {
    const parsed = pidRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The record still describes the live process: same start time and command line. A pid-only file has neither,
 * so its process must at least name the stack's folder (.stack, the parent of runDir), as every service's
 * arguments do; a stranger's process that got the pid does not.
 */
function isOurs(record: PidRecord, identity: { started: string; command: string }, runDir: string): boolean {
  if (record.started === '') return identity.command.includes(dirname(runDir));
  return identity.started === record.started && identity.command === record.command;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pid of our running process for `service`: its pid file names a live process that started when the kit
 * started it and whose command line carries the stack's mark. A pid file that does not is removed, and `note`
 * says so in one line (default: stderr).
 */
export function runningPid(
  runDir: string,
  service: string,
  note: (line: string) => void = (line) => console.error(line),
): number | undefined {
  const file = pidFile(runDir, service);
  if (!existsSync(file)) return undefined;
  const record = readPidRecord(file);
  const identity = record ? processIdentity(record.pid) : undefined;
  if (record && identity && isOurs(record, identity, runDir)) return record.pid;
  rmSync(file, { force: true });
  const shown = relative(process.cwd(), file) || file;
  note(
    record && identity
      ? `note: ${shown} named pid ${record.pid}, which is no longer the kit's ${service} (${identity.command.slice(0, 60)}) — stale pid file removed, nothing signalled`
      : `note: ${shown} named a process that is gone — stale pid file removed`,
  );
  return undefined;
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
    // Read right after the spawn; a process that already died records nothing, and is reported as gone.
    const identity = processIdentity(pid);
    const record: PidRecord = { pid, started: identity?.started ?? '-', command: identity?.command ?? '' };
    await writeFile(pidFile(options.runDir, options.service), `${JSON.stringify(record)}\n`);
    return { pid, logPath: options.logPath };
  } finally {
    closeSync(logFd);
  }
}

/**
 * SIGTERM to the process group, then SIGKILL after `graceMs`. Resolves once it is gone. Only a process the pid
 * file still identifies (runningPid) is signalled.
 */
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
