import { emitKeypressEvents } from 'node:readline';
import { printSummary, runCommand } from '@workshop/shared/terminal';
import { warnIfStateUnreadable } from '../view/state-view.js';
import { finalLines } from '../view/progress-view.js';
import { startWatch } from '../view/watch-view.js';
import { nextStep, rememberedProgress } from '../workshop/progress.js';
import { selectStep } from '../workshop/steps.js';
import { parseWorkshopArgs, probeStack } from '../workshop/command-line.js';

/**
 * npm run watch [-- NN] [--poll] — re-runs the current step's tests on every save.
 * At a terminal: h hint · r re-run · Enter/n next step once it passes · q quit.
 * Without one (stdin not a TTY: CI, a pipe, an editor's task runner without a terminal), nobody can press
 * Enter, so once a step passes it moves on to the next by itself, and exits when every step passes.
 */
const usage = 'usage: npm run watch -- [NN] [--poll]   (--poll: for WSL under /mnt and network drives, where change events do not arrive)';

async function main(): Promise<void> {
  const { root, workshop, steps, numbers, flags, stateProblem } = parseWorkshopArgs(process.argv.slice(2), usage, ['--poll']);
  warnIfStateUnreadable(stateProblem);
  const start = numbers[0] ? selectStep(steps, numbers[0]) : nextStep(rememberedProgress(steps, root))?.step;
  if (!start) {
    for (const line of finalLines(workshop.final, steps)) console.log(line);
    printSummary({ ok: true, summary: `watch: nothing to watch — all ${steps.length} steps done (npm run watch -- NN to revisit one)` });
    return;
  }
  const interactive = Boolean(process.stdin.isTTY);
  const session = startWatch({
    root,
    steps,
    start,
    interactive,
    poll: flags.has('--poll'),
    probeStack,
    out: (line) => console.log(line),
    ...(process.stdout.isTTY ? { clearScreen: () => console.clear() } : {}),
  });

  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal, and relayed by tsx).
  const stop = () => session.stop();
  process.on('SIGINT', stop);
  if (interactive) {
    emitKeypressEvents(process.stdin);
    process.stdin.setRawMode(true);
    process.stdin.on('keypress', (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
      const name = key?.name ?? text;
      if ((key?.ctrl && name === 'c') || name === 'q' || name === 'escape') session.stop();
      else if (name === 'return' || name === 'enter' || name === 'n') session.next();
      else if (name === 'h') session.hint();
      else if (name === 'r') session.rerun();
    });
  }

  const summary = await session.finished;
  process.off('SIGINT', stop);
  if (interactive) {
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
  const done = summary.progress.filter((p) => p.status === 'done').length;
  console.log('');
  printSummary(
    summary.reason === 'all done'
      ? { ok: true, summary: `watch: all ${steps.length} steps done` }
      : {
          ok: true,
          pending: true,
          summary: `watch: stopped at step ${summary.step.dir} — ${done} of ${steps.length} steps done (npm run watch carries on)`,
        },
  );
}

runCommand(main);
