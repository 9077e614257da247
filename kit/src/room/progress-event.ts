import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The board's event: one run of one step's tests by one participant (issue 17). It carries counts, the first failing
 * test's name and the first line of its hint — never code, never an assertion's values (they may be the participant's
 * data), never an address: a test name or hint that mentions one has it replaced before anything leaves the laptop.
 */
export interface ProgressEvent {
  participant: string;
  step: string;
  passed: number;
  failed: number;
  first_failing_test: string | null;
  hint: string | null;
  time: Date;
}

/** The Avro schema, beside this file like the button press's in step 04; registered under `<topic>-value`. */
export const progressSchemaPath = resolve(import.meta.dirname, 'workshop-progress.avsc');

export function readProgressSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(progressSchemaPath, 'utf8')) as Record<string, unknown>;
}

/** A test name or hint is a line for a grid cell: longer is cut (a hint's evidence stays on the participant's screen). */
const maxTextLength = 200;

const ipv4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/**
 * IPv6 however written: four or more hex groups joined by colons, or anything with `::` (also ::ffff:1.2.3.4 once the
 * IPv4 part is gone). It may catch a clock time or a `Foo::bar` too: on the board a false <address> costs nothing.
 */
const ipv6 = /\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b|(?:[0-9a-f]{1,4})?(?::[0-9a-f]{1,4})*::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?/gi;

/** Replaces every IP address in `text` with `<address>` (step 01's tests talk about IPs; the board must not carry one). */
export function withoutAddresses(text: string): string {
  // ::ffff:10.0.0.1 is one address: the IPv4 part goes first, then the rest, and the two pieces become one.
  return text
    .replace(ipv4, '<address>')
    .replace(ipv6, '<address>')
    .replace(/<address>(?::<address>)+/g, '<address>');
}

function line(text: string | undefined): string | null {
  if (!text) return null;
  const first = withoutAddresses(text.split('\n')[0]!.trim());
  if (!first) return null;
  return first.length > maxTextLength ? `${first.slice(0, maxTextLength - 1)}…` : first;
}

/** A finished test as a reporter sees it: its full name, state and the first error's class name and message. */
export interface FinishedTest {
  fullName: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  error?: { name?: string; message?: string };
}

/**
 * The event for one run: `tests` in the order they ran; `suiteErrors` counts files that could not run at all (a syntax
 * error, a failing import) — each is a failure with no test name.
 */
export function progressEvent(
  participant: string,
  step: string,
  tests: FinishedTest[],
  suiteErrors: number,
  time = new Date(),
): ProgressEvent {
  const failedTests = tests.filter((test) => test.state === 'failed');
  const first = failedTests[0];
  const isHint = first?.error?.name === 'HintError' || /^HintError\b/.test(first?.error?.message ?? '');
  return {
    participant,
    step,
    passed: tests.filter((test) => test.state === 'passed').length,
    failed: failedTests.length + suiteErrors,
    first_failing_test: line(first?.fullName),
    hint: isHint ? line(first?.error?.message?.replace(/^HintError:\s*/, '')) : null,
    time,
  };
}
