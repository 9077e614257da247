import type { PressesByCountry } from './press-counter.js';

/** The live table of `npm start`: presses per country, most first. Not an exercise. */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string): string {
  if (code === '--') return 'Unknown';
  try {
    return regionNames.of(code) ?? code;
  } catch {
    // Not a region code Intl knows (e.g. a test's made-up one): show it as it is.
    return code;
  }
}

function byPressesThenCode(presses: PressesByCountry): [string, number][] {
  return [...presses].sort(([codeA, a], [codeB, b]) => b - a || codeA.localeCompare(codeB));
}

function total(presses: PressesByCountry): number {
  return [...presses.values()].reduce((sum, count) => sum + count, 0);
}

export function formatPressTable(presses: PressesByCountry): string[] {
  const rows = byPressesThenCode(presses).map(
    ([code, count]) => `${code.padEnd(4)} ${countryName(code).padEnd(28)} ${String(count).padStart(7)}`,
  );
  return ['code country                      presses', ...rows, `${'total'.padEnd(33)} ${String(total(presses)).padStart(7)}`];
}

/** One line for logs: "FI 12 · DE 7 · -- 2 (total 21)". */
export function formatPressLine(presses: PressesByCountry): string {
  const parts = byPressesThenCode(presses).map(([code, count]) => `${code} ${count}`);
  return `${parts.join(' · ') || 'no presses yet'} (total ${total(presses)})`;
}

/**
 * Shows the counts every `intervalMs`: on a terminal the table is redrawn in place; elsewhere (a pipe,
 * a CI log) a plain line is printed whenever the counts changed. Returns a function that stops it.
 */
export function showPressTable(presses: PressesByCountry, out: NodeJS.WriteStream, header: string, intervalMs = 1000): () => void {
  let lastLine = '';
  const draw = () => {
    if (out.isTTY) {
      // Cursor home + clear screen, then the whole table.
      out.write(`\x1b[H\x1b[2J${header}\n\n${formatPressTable(presses).join('\n')}\n`);
      return;
    }
    const line = formatPressLine(presses);
    if (line !== lastLine) out.write(`${new Date().toISOString()} ${line}\n`);
    lastLine = line;
  };
  if (!out.isTTY) out.write(`${header}\n`);
  draw();
  const timer = setInterval(draw, intervalMs);
  return () => {
    clearInterval(timer);
    draw();
  };
}
