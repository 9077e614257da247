import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';

/**
 * What a stopped command may have left behind: processes of its process group, and ports something still listens on.
 * Used by the signal checks (kit/src/dev/signal-check.ts) and their tests; the answers are data, the caller decides.
 */

const execFileAsync = promisify(execFile);

export interface LeftProcess {
  pid: number;
  /** `ps`'s command line, for a report a person can act on. */
  command: string;
}

/**
 * The live processes of process group `pgid` (zombies excluded: they are dead and only wait to be reaped — in a
 * container whose init does not reap, orphans stay zombies forever).
 */
export async function processesInGroup(pgid: number): Promise<LeftProcess[]> {
  const { stdout } = await execFileAsync('ps', ['-e', '-o', 'pid=,pgid=,stat=,args='], { maxBuffer: 16 * 1024 * 1024 });
  const left: LeftProcess[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match || Number(match[2]) !== pgid || match[3]?.startsWith('Z')) continue;
    left.push({ pid: Number(match[1]), command: match[4] ?? '' });
  }
  return left;
}

/** Whether `pid` is a live process (a zombie counts as gone). */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const { stdout } = await execFileAsync('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  const stat = stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

/** True when something accepts TCP connections on host:port. */
export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
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

/** The ports of `ports` something still listens on. */
export async function listeningPorts(ports: number[], host = '127.0.0.1'): Promise<number[]> {
  const answers = await Promise.all(ports.map((port) => portAnswers(port, host)));
  return ports.filter((_, index) => answers[index]);
}
