import { showHint } from '../workshop/hints.js';
import { nextStep, rememberedProgress } from '../workshop/progress.js';
import { selectStep } from '../workshop/steps.js';
import { printSummary, runCommand } from '@workshop/shared/terminal';
import { parseWorkshopArgs } from './workshop-args.js';

/** npm run hint -- NN — the next hint for step NN (without NN: the current step), more explicit each time. */
const usage = 'usage: npm run hint -- NN   (e.g. npm run hint -- 01)';

async function main(): Promise<void> {
  const { root, steps, numbers } = parseWorkshopArgs(process.argv.slice(2), usage);
  const step = numbers[0] ? selectStep(steps, numbers[0]) : (nextStep(rememberedProgress(steps, root)) ?? { step: steps.at(-1)! }).step;
  printSummary(showHint(root, step, (line) => console.log(line)));
}

runCommand(main);
