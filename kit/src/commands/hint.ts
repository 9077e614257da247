import { printSummary, runCommand } from '@workshop/shared/terminal';
import { warnIfStateUnreadable } from '../view/state-view.js';
import { showHint } from '../view/hint-view.js';
import { nextStep, rememberedProgress } from '../workshop/progress.js';
import { selectStep } from '../workshop/steps.js';
import { parseWorkshopArgs } from '../workshop/command-line.js';

/** npm run hint -- NN — the next hint for step NN (without NN: the current step), more explicit each time. */
const usage = 'usage: npm run hint -- NN   (e.g. npm run hint -- 01)';

async function main(): Promise<void> {
  const { root, steps, numbers, stateProblem } = parseWorkshopArgs(process.argv.slice(2), usage);
  warnIfStateUnreadable(stateProblem);
  const step = numbers[0] ? selectStep(steps, numbers[0]) : (nextStep(rememberedProgress(steps, root)) ?? { step: steps.at(-1)! }).step;
  printSummary(showHint(root, step, (line) => console.log(line)));
}

runCommand(main);
