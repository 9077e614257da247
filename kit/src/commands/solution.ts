import { printSummary, runCommand } from '@workshop/shared/terminal';
import { warnIfStateUnreadable } from '../view/state-view.js';
import { showSolution } from '../view/solution-view.js';
import { selectStep } from '../workshop/steps.js';
import { parseWorkshopArgs, probeStack, whichStep } from '../workshop/command-line.js';

/** npm run solution -- NN [--force] — your code against the reference solution, once step NN passes. */
const usage = 'usage: npm run solution -- NN [--force]   (e.g. npm run solution -- 01)';

async function main(): Promise<void> {
  const { root, steps, numbers, flags, stateProblem } = parseWorkshopArgs(process.argv.slice(2), usage, ['--force']);
  warnIfStateUnreadable(stateProblem);
  if (!numbers[0]) throw whichStep(usage);
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  printSummary(
    await showSolution(root, selectStep(steps, numbers[0]), {
      force: flags.has('--force'),
      colour,
      probeStack,
      out: (line) => console.log(line),
    }),
  );
}

runCommand(main);
