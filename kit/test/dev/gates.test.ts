import { describe, expect, it } from 'vitest';
import { type Gate, runGates } from '../../src/dev/gates.js';

/** Gates made of tiny Node scripts: what runGates does with a passing and a failing tool, without running the real ones. */
const nodeGate = (name: string, script: string): Gate => ({ name, command: process.execPath, args: ['-e', script] });

const passing = nodeGate('passing', "console.log('all good')");
const failing = nodeGate('failing', "console.log('src/a.ts:3:1 unused import'); console.error('1 error'); process.exit(1)");

describe('the gates in front of npm test', () => {
  it('reports a failing gate with its output, keeps running the others, and fails overall', async () => {
    const lines: string[] = [];
    const outcome = await runGates((line) => lines.push(line), { gates: [failing, passing] });

    expect(outcome).toEqual({ ok: false, failures: ['failing'] });
    expect(lines[0]).toMatch(/^✗ failing \d+\.\d s$/);
    expect(lines).toContain('    src/a.ts:3:1 unused import');
    expect(lines).toContain('    1 error');
    // The gate after the failure still ran: one run shows everything to fix.
    expect(lines.at(-1)).toMatch(/^✓ passing \d+\.\d s$/);
  });

  it('passes when every gate passes, one line each and none of their output', async () => {
    const lines: string[] = [];
    const outcome = await runGates((line) => lines.push(line), { gates: [passing, passing] });

    expect(outcome).toEqual({ ok: true, failures: [] });
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.startsWith('✓ passing'))).toBe(true);
  });

  it('fails a gate whose command cannot be started, saying which command', async () => {
    const lines: string[] = [];
    const outcome = await runGates((line) => lines.push(line), {
      gates: [{ name: 'missing', command: '/nonexistent/tool', args: [] }],
    });

    expect(outcome).toEqual({ ok: false, failures: ['missing'] });
    expect(lines.join('\n')).toContain('could not start /nonexistent/tool');
  });
});
