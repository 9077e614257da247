import { showWorkshop } from '../workshop/progress.js';
import { printSummary, runCommand } from '@workshop/shared/terminal';
import { parseWorkshopArgs, probeStack } from './workshop-args.js';

/** npm run workshop [-- --refresh] — the progress list: each step done, failing or not started, and what to do next. */
const usage = 'usage: npm run workshop [-- --refresh]';

async function main(): Promise<void> {
  const { root, steps, flags } = parseWorkshopArgs(process.argv.slice(2), usage, ['--refresh'], 0);
  printSummary(await showWorkshop(steps, { root, refresh: flags.has('--refresh'), probeStack, out: (line) => console.log(line) }));
}

runCommand(main);
