import { repoRoot } from '@workshop/shared/repo-root';
// From its module, not the '@workshop/shared' index, which loads every client library (~1.3 s).
import { KitError } from '@workshop/shared/errors';
import type { StackProbe } from './progress.js';
import { loadState } from './state.js';
import { readWorkshop, type Workshop, type WorkshopStep } from './steps.js';

/**
 * What every workshop command reads from its command line: step numbers (`1`, `01`, `01-fake-data`) and
 * `--flags`. The checkout is this kit, or WORKSHOP_ROOT (the CLI's own tests point it at a throw-away repo).
 */
export interface WorkshopArgs {
  root: string;
  workshop: Workshop;
  steps: WorkshopStep[];
  numbers: string[];
  flags: Set<string>;
  /** Why the state file could not be used, if it could not: the command says so in one line and goes on afresh. */
  stateProblem?: string;
}

const listSteps = 'npm run workshop lists the steps and their numbers';

export function parseWorkshopArgs(argv: string[], usage: string, knownFlags: string[] = [], maxNumbers = 1): WorkshopArgs {
  const flags = new Set(argv.filter((arg) => arg.startsWith('-')));
  const numbers = argv.filter((arg) => !arg.startsWith('-'));
  if (flags.has('--help') || flags.has('-h')) throw new KitError(usage, { hint: listSteps, code: 'usage' });
  const unknown = [...flags].filter((flag) => !knownFlags.includes(flag));
  if (unknown.length > 0) {
    throw new KitError(`unknown option ${unknown.join(' ')} — ${usage}`, {
      hint: knownFlags.length ? `the options here: ${knownFlags.join(' ')}` : 'this command takes no options',
      code: 'usage',
    });
  }
  if (numbers.length > maxNumbers) throw new KitError(`one step at a time — ${usage}`, { hint: listSteps, code: 'usage' });
  const root = process.env.WORKSHOP_ROOT ?? repoRoot;
  const workshop = readWorkshop(root);
  const { problem } = loadState(root);
  return { root, workshop, steps: workshop.steps, numbers, flags, ...(problem ? { stateProblem: problem } : {}) };
}

/** The usage error of a command that needs a step number and was given none. */
export function whichStep(usage: string): KitError {
  return new KitError(`which step? ${usage}`, { hint: listSteps, code: 'usage' });
}

/** Whether the stack answers, whichever profile runs it — asked only when tests are about to run (the stack code loads lazily). */
export const probeStack: StackProbe = async () => {
  const { everyServiceWorks, openStackProfile } = await import('@workshop/infra/profiles');
  return everyServiceWorks(await openStackProfile());
};
