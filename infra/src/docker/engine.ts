import { spawn } from 'node:child_process';

/**
 * Is there a Docker engine, and which Compose speaks to it? Both questions are asked of the `docker` CLI
 * with a deadline, so a CLI without an engine (or an engine that hangs) answers "no" in seconds, never blocks.
 */

export interface CommandOutcome {
  /** Exit code; undefined when the command could not start or ran out of time. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the command could not start (e.g. ENOENT: not installed). */
  spawnError?: string;
}

/** Runs a command with a deadline; never throws. Its output is kept, for the messages that quote it. */
export function runWithDeadline(
  command: string,
  args: string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (outcome: CommandOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ code: undefined, stdout, stderr, timedOut: true });
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => finish({ code: undefined, stdout, stderr, timedOut: false, spawnError: error.message }));
    child.on('close', (code) => finish({ code: code ?? undefined, stdout, stderr, timedOut: false }));
  });
}

export interface EngineAnswer {
  answers: boolean;
  /** Why not, in words a participant can act on. */
  reason?: string;
}

/** `docker info` exits 0 within the deadline ⇔ an engine answers. */
export async function dockerEngineAnswers(options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<EngineAnswer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const outcome = await runWithDeadline('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs, env: options.env });
  if (outcome.spawnError) return { answers: false, reason: 'the docker command is not installed' };
  if (outcome.timedOut) return { answers: false, reason: `docker info did not answer within ${timeoutMs / 1000} s` };
  if (outcome.code !== 0) {
    const said = `${outcome.stderr}\n${outcome.stdout}`
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /cannot connect|error|daemon/i.test(line));
    return { answers: false, reason: said ?? `docker info exited with ${outcome.code}` };
  }
  return { answers: true };
}

/** `docker compose` (v2 plugin) if present, else `docker-compose` (v1). */
export interface ComposeCommand {
  command: string;
  prefixArgs: string[];
  /** v2 has `up --wait`; v1 does not (the kit polls the probes either way). */
  version: 1 | 2;
}

export async function findComposeCommand(env?: NodeJS.ProcessEnv): Promise<ComposeCommand | undefined> {
  const v2 = await runWithDeadline('docker', ['compose', 'version'], { timeoutMs: 5000, env });
  if (v2.code === 0) return { command: 'docker', prefixArgs: ['compose'], version: 2 };
  const v1 = await runWithDeadline('docker-compose', ['version'], { timeoutMs: 5000, env });
  if (v1.code === 0) return { command: 'docker-compose', prefixArgs: [], version: 1 };
  return undefined;
}
