import { styleText } from 'node:util';
import { isKitError } from '../errors.js';

/** Terminal output for the kit's commands: colour only on a TTY, plain in CI and pipes. */
const colour = process.stdout.isTTY && !process.env.NO_COLOR;

export function paint(style: 'green' | 'red' | 'yellow' | 'bold' | 'dim', text: string): string {
  return colour ? styleText(style, text) : text;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The lines a command prints for an error: a KitError as one line plus its hint and log; anything else with its stack. */
export function describeError(error: unknown): string[] {
  if (isKitError(error)) {
    const lines = [paint('red', `✗ ${error.message}`)];
    if (error.hint) lines.push(`  → ${error.hint}`);
    if (error.logPath) lines.push(paint('dim', `  log: ${error.logPath}`));
    return lines;
  }
  // Not something a person can act on: a bug in the kit. The stack says where.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return [paint('red', `✗ unexpected error (a bug in the kit — please report it): ${text}`)];
}

/** Runs a command's main function: an error becomes its lines on stderr and exit code 1. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    for (const line of describeError(error)) console.error(line);
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
