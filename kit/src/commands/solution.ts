import { showSolution } from '../workshop/solution.js';
import { selectStep } from '../workshop/steps.js';
import { printSummary, runCommand } from '@workshop/shared/terminal';
import { parseWorkshopArgs, probeStack } from './workshop-args.js';

/** npm run solution -- NN [--force] — your code against the reference solution, once step NN passes. */
const usage = 'usage: npm run solution -- NN [--force]   (e.g. npm run solution -- 01)';

async function main(): Promise<void> {
  const { root, steps, numbers, flags } = parseWorkshopArgs(process.argv.slice(2), usage, ['--force']);
  if (!numbers[0]) throw new Error(`which step? ${usage}`);
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  printSummary(await showSolution(root, selectStep(steps, numbers[0]), { force: flags.has('--force'), colour, probeStack, out: (line) => console.log(line) }));
}

runCommand(main);
