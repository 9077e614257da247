import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { KitError } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * The live pipeline's ClickHouse sink in a child process (sink-process.ts), which the suite can kill -9 and start
 * again. A sink that stops by itself (exit 3: a batch it could not store) is started again after a moment, and said
 * so through `onExit` — the fault's row then notes it.
 */
export interface SinkChild {
  start(): Promise<void>;
  /** kill -9; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the sink stores and commits what it holds), and no restart. */
  stop(): Promise<void>;
}

export function sinkChild(options: { log: (line: string) => void; onExit: (why: string) => void; restartAfterMs?: number }): SinkChild {
  const entry = join(repoRoot, 'kit/src/faults/sink-process.ts');
  let child: ChildProcess | undefined;
  let wanted = false;
  let exited: Promise<void> = Promise.resolve();

  const spawnOnce = () =>
    new Promise<void>((resolveReady, rejectReady) => {
      const started = spawn(process.execPath, ['--import', 'tsx', entry], {
        cwd: repoRoot,
        env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let ready = false;
      let lastLine = '';
      for (const stream of [started.stdout, started.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          if (line === 'ready') {
            ready = true;
            resolveReady();
            return;
          }
          lastLine = line;
          options.log(`[clickhouse sink] ${line}`);
        });
      }
      exited = new Promise<void>((resolveExit) => {
        started.once('exit', (code, signal) => {
          if (child === started) child = undefined;
          resolveExit();
          if (!ready) {
            rejectReady(new KitError(`the ClickHouse sink did not start (exit ${code ?? signal}): ${lastLine}`));
            return;
          }
          if (!wanted || signal === 'SIGKILL') return;
          options.onExit(
            `the ClickHouse sink stopped by itself (exit ${code ?? signal}: ${lastLine.slice(0, 160)}); the suite started it again`,
          );
          setTimeout(() => void startUntilReady(), options.restartAfterMs ?? 2000);
        });
      });
    });

  /** Starts it, again and again while it fails to start (its services may still be coming back). */
  async function startUntilReady(): Promise<void> {
    while (wanted && !child) {
      try {
        await spawnOnce();
        return;
      } catch (error) {
        options.log(`[clickhouse sink] ${error instanceof Error ? error.message : String(error)} — trying again`);
        await new Promise((r) => setTimeout(r, options.restartAfterMs ?? 2000));
      }
    }
  }

  return {
    async start() {
      wanted = true;
      await startUntilReady();
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      wanted = false;
      child?.kill('SIGTERM');
      await exited;
    },
  };
}
