import { paint } from '@workshop/shared/terminal';
import { startWatch as startWatchSession, type WatchEvent, type WatchSession, type WatchSessionOptions } from '../workshop/watch.js';
import { readWorkshop, starterSrc, stepNumber, type WorkshopStep } from '../workshop/steps.js';
import { hintLine } from './hint-view.js';
import { finalLines, passingTests, solutionPlace } from './progress-view.js';

/** How `npm run watch` reads: a header per step, each test result (only the first failure), and what to do next. */

export type { WatchSession } from '../workshop/watch.js';

export interface WatchOptions extends Omit<WatchSessionOptions, 'onEvent'> {
  out: (line: string) => void;
  /** Clears the terminal before each result (TTY only), so the screen shows the current state, not a history. */
  clearScreen?: () => void;
}

/** Turns a session's events into lines for `out`. */
export function watchRenderer(options: WatchOptions): (event: WatchEvent) => void {
  const { root, steps, out, interactive, clearScreen } = options;
  const { final } = readWorkshop(root);

  function header(step: WorkshopStep): string[] {
    const lines = [
      paint('bold', `▸ step ${stepNumber(step)} — ${step.title}`),
      `  read ${`steps/${step.dir}/README.md`}${step.exercise ? `, edit ${starterSrc(step)}/` : ''}`,
    ];
    const keys = interactive ? 'keys: h hint · r re-run · n next step (once it passes) · q quit' : 'Ctrl-C to stop';
    lines.push(
      paint(
        'dim',
        `  the tests re-run whenever a file in ${starterSrc(step)}/ is saved${options.poll ? ' (polling for changes)' : ''} — ${keys}`,
      ),
    );
    return lines;
  }

  function resultLines({ step, check, stackUp, next }: Extract<WatchEvent, { kind: 'result' }>): string[] {
    const number = stepNumber(step);
    const lines = [''];
    if (check.status === 'done') {
      lines.push(paint('green', `✓ step ${number} done — ${check.passed === 1 ? 'its test passes' : `all ${check.passed} tests pass`}.`));
      if (step.exercise) lines.push(`  The reference solution is in ${solutionPlace(step)}.`);
      if (!next) lines.push('  That was the last step left.');
      else if (interactive) lines.push(paint('bold', `  Press Enter (or n) for step ${stepNumber(next)} — ${next.title}; q to quit.`));
      else lines.push(`  No keyboard here (not a TTY): moving on to step ${stepNumber(next)} by itself.`);
    } else {
      lines.push(
        paint(
          'red',
          `✗ step ${number}: ${passingTests(check)}${check.firstFailingTest ? ` — first failing: "${check.firstFailingTest}"` : ''}`,
        ),
      );
      for (const line of (check.firstFailure ?? '(no message)').split('\n')) lines.push(`  ${line}`);
      if (stackUp === false)
        lines.push(paint('yellow', '  The stack is not up: npm run stack:up (in another terminal), then save again or press r.'));
      lines.push(
        paint(
          'dim',
          `  stuck? ${interactive ? 'press h, or ' : ''}npm run hint -- ${number} · waiting for a save in ${starterSrc(step)}/…`,
        ),
      );
    }
    return lines;
  }

  return (event) => {
    switch (event.kind) {
      case 'watching':
        if (clearScreen) clearScreen();
        else out('');
        for (const line of header(event.step)) out(line);
        return;
      case 'polling-instead':
        out(
          paint(
            'yellow',
            `  file change events stopped (${event.reason}) — polling instead; npm run watch -- --poll does that from the start`,
          ),
        );
        return;
      case 'running':
        out(paint('dim', `  running the tests of step ${stepNumber(event.step)}…`)); // on a TTY, cleared with the result
        return;
      case 'result': {
        const lines = resultLines(event);
        if (clearScreen) {
          clearScreen();
          for (const line of header(event.step)) out(line);
        }
        for (const line of lines) out(line);
        return;
      }
      case 'run-failed':
        out(paint('red', `  could not run the tests of step ${stepNumber(event.step)}: ${event.message}`));
        return;
      case 'not-passing-yet':
        out(
          paint(
            'yellow',
            `  step ${stepNumber(event.step)} ${event.tested ? 'does not pass yet' : 'has no test result yet'} — it has to pass before the next one.`,
          ),
        );
        return;
      case 'all-done':
        out('');
        for (const line of finalLines(final, steps)) out(line);
        return;
      case 'hints':
        for (const hint of event.shown.hints) out(hintLine(hint, event.shown.total));
        return;
    }
  };
}

/** `npm run watch`: a watch session whose events are printed through `out`. */
export function startWatch(options: WatchOptions): WatchSession {
  return startWatchSession({ ...options, onEvent: watchRenderer(options) });
}
