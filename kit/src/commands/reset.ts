import { printSummary, runCommand } from '@workshop/shared/terminal';
import { warnIfStateUnreadable } from '../view/state-view.js';
import { showReset } from '../view/reset-view.js';
import { selectStep } from '../workshop/steps.js';
import { parseWorkshopArgs, whichStep } from '../workshop/command-line.js';

/** npm run reset -- NN — step NN's src/ back to the starter, from git; nothing else touched. */
const usage = 'usage: npm run reset -- NN   (e.g. npm run reset -- 01: puts steps/01-…/src back as it was committed)';

async function main(): Promise<void> {
  const { root, steps, numbers, stateProblem } = parseWorkshopArgs(process.argv.slice(2), usage);
  warnIfStateUnreadable(stateProblem);
  if (!numbers[0]) throw whichStep(usage);
  printSummary(showReset(root, selectStep(steps, numbers[0]), (line) => console.log(line)));
}

runCommand(main);
