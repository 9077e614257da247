import { spawn } from 'node:child_process';
import { repoRoot } from '@workshop/shared/repo-root';

/**
 * The gates in front of `npm test`, as fastify's `npm test` is lint + types + unit: cheap checks that fail in seconds,
 * before minutes of stack tests. Each gate is an npm script, so the command lives in one place (the root
 * package.json) and `npm run lint` by hand runs exactly what the gate runs.
 */
export interface Gate {
  name: string;
  command: string;
  args: readonly string[];
}

const npmScript = (script: string, ...extraArgs: string[]): Gate => ({
  name: script,
  command: 'npm',
  args: ['run', '--silent', script, ...(extraArgs.length > 0 ? ['--', ...extraArgs] : [])],
});

/** In order of what a failure most often explains: a type error can show up as a lint finding, not the reverse. */
export const kitGates: readonly Gate[] = [
  npmScript('typecheck'),
  // Only what fails the gate is shown: warnings (npm run lint lists them) would bury the errors.
  npmScript('lint', '--diagnostic-level=error'),
  npmScript('deps'),
];

export interface GatesOutcome {
  ok: boolean;
  /** The names of the gates that failed, in the order they ran. */
  failures: string[];
}

export interface GatesOptions {
  gates?: readonly Gate[];
  cwd?: string;
}

interface GateRun {
  ok: boolean;
  output: string;
}

/**
 * Runs every gate, in order, even after one fails: one run shows everything to fix. Reports one line per gate with its
 * time, followed on failure by the tool's own output (indented), which already names the file and line.
 */
export async function runGates(report: (line: string) => void, options: GatesOptions = {}): Promise<GatesOutcome> {
  const failures: string[] = [];
  for (const gate of options.gates ?? kitGates) {
    const startedAt = performance.now();
    const run = await runGate(gate, options.cwd ?? repoRoot);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    report(`${run.ok ? '✓' : '✗'} ${gate.name} ${seconds} s`);
    if (!run.ok) {
      failures.push(gate.name);
      for (const line of run.output.trimEnd().split('\n')) report(`    ${line}`);
    }
  }
  return { ok: failures.length === 0, failures };
}

function runGate(gate: Gate, cwd: string): Promise<GateRun> {
  return new Promise((resolve) => {
    const child = spawn(gate.command, gate.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // stdout and stderr interleaved as the tool wrote them: its diagnostics often span both.
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => resolve({ ok: false, output: `could not start ${gate.command}: ${error.message}` }));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve({ ok: true, output });
      else resolve({ ok: false, output: output.trim() === '' ? `${gate.command} exited with ${signal ?? `code ${code}`}` : output });
    });
  });
}
