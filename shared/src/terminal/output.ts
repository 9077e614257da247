import { styleText } from 'node:util';

/** Terminal output for the kit's commands: colour only on a TTY, plain in CI and pipes. */
const colour = process.stdout.isTTY && !process.env.NO_COLOR;

export function paint(style: 'green' | 'red' | 'yellow' | 'bold' | 'dim', text: string): string {
  return colour ? styleText(style, text) : text;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Runs a command's main function: a known error becomes one line on stderr and exit code 1. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    console.error(paint('red', `✗ ${text}`));
    process.exitCode = 1;
  });
}

/** What a command ends with: its one-line summary (green when ok; red, and exit code 1, when not). */
export interface CommandResult {
  summary: string;
  ok: boolean;
  /** Ok, but something is left to do (yellow): e.g. steps still failing in the progress list. */
  pending?: boolean;
}

export function printSummary(result: CommandResult): void {
  console.log(paint(!result.ok ? 'red' : result.pending ? 'yellow' : 'green', result.summary));
  if (!result.ok) process.exitCode = 1;
}
