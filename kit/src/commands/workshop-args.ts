import { repoRoot } from '@workshop/shared/repo-root';
import type { StackProbe } from '../workshop/progress.js';
import { readWorkshopSteps, type WorkshopStep } from '../workshop/steps.js';

/**
 * What every workshop command reads from its command line: step numbers (`1`, `01`, `01-fake-data`) and
 * `--flags`. The checkout is this kit, or WORKSHOP_ROOT (the CLI's own tests point it at a throw-away repo).
 */
export interface WorkshopArgs {
  root: string;
  steps: WorkshopStep[];
  numbers: string[];
  flags: Set<string>;
}

export function parseWorkshopArgs(argv: string[], usage: string, knownFlags: string[] = [], maxNumbers = 1): WorkshopArgs {
  const flags = new Set(argv.filter((arg) => arg.startsWith('-')));
  const numbers = argv.filter((arg) => !arg.startsWith('-'));
  if (flags.has('--help') || flags.has('-h')) throw new Error(usage);
  const unknown = [...flags].filter((flag) => !knownFlags.includes(flag));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} — ${usage}`);
  if (numbers.length > maxNumbers) throw new Error(`one step at a time — ${usage}`);
  const root = process.env.WORKSHOP_ROOT ?? repoRoot;
  return { root, steps: readWorkshopSteps(root), numbers, flags };
}

/** Whether the kit's stack answers — asked only when tests are about to run (imports the stack code lazily). */
export const probeStack: StackProbe = async () => {
  const [{ loadConfig }, { stackStatus }] = await Promise.all([import('@workshop/shared'), import('../../../infra/src/native/stack.js')]);
  return (await stackStatus(loadConfig())).every((service) => service.working);
};
