import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, runningPid, startDetached, stopProcess } from '../../src/native/processes.js';

// Issue 14: with a stale pid file, `stack:down` killed an unrelated process (a `sleep` whose pid was written into
// kafka.pid). Now a pid is only signalled while it is still the process the kit started.

const strangers: number[] = [];
afterEach(() => {
  for (const pid of strangers.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

async function runDirOfAStack(): Promise<string> {
  const runDir = join(await mkdtemp(join(tmpdir(), 'stale-pid-')), '.stack', 'run');
  await mkdir(runDir, { recursive: true });
  return runDir;
}

function stranger(): number {
  // Somebody else's process: not started by the kit, its command line names no stack folder.
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('sleep did not start');
  strangers.push(child.pid);
  return child.pid;
}

describe('pid files name the process the kit started, or nothing', () => {
  it('does not signal a stranger whose pid sits in a pid file, and removes the file with a one-line note', async () => {
    const runDir = await runDirOfAStack();
    const pid = stranger();
    await writeFile(join(runDir, 'kafka.pid'), `${pid}\n`);
    const notes: string[] = [];
    expect(runningPid(runDir, 'kafka', (line) => notes.push(line))).toBeUndefined();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`named pid ${pid}, which is no longer the kit's kafka .* stale pid file removed`));
    expect(existsSync(join(runDir, 'kafka.pid'))).toBe(false);

    await writeFile(join(runDir, 'kafka.pid'), `${pid}\n`);
    expect(await stopProcess(runDir, 'kafka', 500)).toBe('not running');
    expect(isAlive(pid)).toBe(true);
  });

  it('does not signal a process that reused the pid of a recorded one (other start time and command line)', async () => {
    const runDir = await runDirOfAStack();
    const pid = stranger();
    const record = { pid, started: 'Thu Jan  1 00:00:00 1970', command: `java -cp ${runDir}/x kafka.Kafka` };
    await writeFile(join(runDir, 'kafka.pid'), `${JSON.stringify(record)}\n`);
    expect(await stopProcess(runDir, 'kafka', 500)).toBe('not running');
    expect(isAlive(pid)).toBe(true);
  });

  it('still stops what it started', async () => {
    const runDir = await runDirOfAStack();
    const { pid } = await startDetached({
      service: 'kafka',
      command: 'sleep',
      args: ['60'],
      cwd: tmpdir(),
      runDir,
      logPath: join(runDir, 'kafka.log'),
    });
    strangers.push(pid);
    expect(runningPid(runDir, 'kafka')).toBe(pid);
    expect(await stopProcess(runDir, 'kafka', 2000)).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
  });
});
