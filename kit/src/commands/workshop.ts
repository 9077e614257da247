import { printSummary, runCommand } from '@workshop/shared/terminal';
import { warnIfStateUnreadable } from '../view/state-view.js';
import { showWorkshop } from '../view/progress-view.js';
import { parseWorkshopArgs, probeStack } from '../workshop/command-line.js';

/** npm run workshop [-- --refresh] — the progress list: each step done, failing or not started, and what to do next. */
const usage = 'usage: npm run workshop [-- --refresh]';

async function main(): Promise<void> {
  const { root, steps, flags, stateProblem } = parseWorkshopArgs(process.argv.slice(2), usage, ['--refresh'], 0);
  warnIfStateUnreadable(stateProblem);
  printSummary(await showWorkshop(steps, { root, refresh: flags.has('--refresh'), probeStack, out: (line) => console.log(line) }));
}

runCommand(main);
