import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from './repo-root.js';
// From their modules, not the '@workshop/shared' index: that one loads every client library (~1.3 s), and the
// workshop commands should answer at once.
import { KitError } from './errors.js';
import { readJsonFile } from './json-file.js';

/**
 * steps/workshop.json, the workshop's one list of steps (as rustlings keeps its exercises in info.toml): each step with
 * its hints, and the welcome and final messages the CLI prints. Checked here, where it is read, so a typo is reported
 * with its field instead of surfacing later as a crash.
 */

export const workshopFile = 'steps/workshop.json';

/** Words in braces the final message may use; the view fills them in (a heading that counts the steps, for one). */
export const finalMessagePlaceholders = ['stepCount', 'firstExercise'] as const;

const nonEmptyText = () => z.string().min(1, { error: 'must not be empty' });
const nonEmptyHints = 'must be a non-empty list of strings (gentle first, explicit last)';

const stepSchema = z.object({
  /** The step's folder under steps/ and solutions/: its number, a dash, a name. */
  dir: z.string().regex(/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$/, {
    error: 'must be a folder name like "01-fake-data": two digits, a dash, then lower-case words joined by dashes',
  }),
  title: nonEmptyText(),
  teaches: nonEmptyText(),
  /** False for the tour (step 00): nothing to write, so no solution and no failing starter. */
  exercise: z.boolean(),
  hints: z.array(nonEmptyText(), { error: nonEmptyHints }).min(1, { error: nonEmptyHints }),
});

/** A message the CLI prints: a heading (highlighted), then its lines as written. */
const messageSchema = z.object({
  heading: nonEmptyText(),
  lines: z.array(z.string()),
});

const knownPlaceholder = new RegExp(`^\\{(${finalMessagePlaceholders.join('|')})\\}$`);

const workshopFileSchema = z.object({
  /** Printed by `npm run workshop` the first time it runs. */
  welcome: messageSchema,
  /** Printed once every step passes. */
  final: messageSchema.superRefine((message, context) => {
    const texts: [PropertyKey[], string][] = [
      [['heading'], message.heading],
      ...message.lines.map((line, index): [PropertyKey[], string] => [['lines', index], line]),
    ];
    for (const [path, text] of texts) {
      const unknown = (text.match(/\{[^}]*\}/g) ?? []).filter((placeholder) => !knownPlaceholder.test(placeholder));
      if (unknown.length > 0) {
        context.addIssue({
          code: 'custom',
          path,
          message: `uses ${unknown.join(', ')}: the placeholders there are ${finalMessagePlaceholders.map((name) => `{${name}}`).join(' and ')}`,
        });
      }
    }
  }),
  steps: z
    .array(stepSchema)
    .min(1, { error: 'must list at least one step' })
    .superRefine((steps, context) => {
      // Commands take a step by its number (npm run hint -- 03): two steps with one number would make that ambiguous.
      const firstWithNumber = new Map<string, number>();
      steps.forEach((step, index) => {
        const number = step.dir.slice(0, 2);
        const first = firstWithNumber.get(number);
        if (first === undefined) firstWithNumber.set(number, index);
        else
          context.addIssue({
            code: 'custom',
            path: [index, 'dir'],
            message: `has the number ${number} of steps[${first}] too: each step needs its own number`,
          });
      });
    }),
});

export type WorkshopStep = z.infer<typeof stepSchema>;
export type WorkshopMessage = z.infer<typeof messageSchema>;
export type Workshop = z.infer<typeof workshopFileSchema>;

export function readWorkshop(root = repoRoot): Workshop {
  const path = join(root, workshopFile);
  if (!existsSync(path)) {
    throw new KitError(`${workshopFile} is not in ${root}`, {
      hint: 'run the command inside the workshop kit (the folder with steps/ and solutions/)',
      code: 'workshop-file',
    });
  }
  return readJsonFile(path, workshopFileSchema, {
    hint: `fix that field in ${workshopFile} (git diff ${workshopFile} shows what changed since the last commit)`,
  });
}

export function readWorkshopSteps(root = repoRoot): WorkshopStep[] {
  return readWorkshop(root).steps;
}

/** Steps whose number is in `numbers` ("01", "1", "01-fake-data"); all steps when `numbers` is empty. */
export function selectSteps(steps: WorkshopStep[], numbers: string[]): WorkshopStep[] {
  if (numbers.length === 0) return steps;
  const wanted = numbers.map((n) => n.split('-')[0]!.padStart(2, '0'));
  const unknown = wanted.filter((n) => !steps.some((step) => step.dir.startsWith(`${n}-`)));
  // The message already lists the steps there are: that is the whole of what to do, so no separate hint.
  if (unknown.length)
    throw new KitError(`No step ${unknown.join(', ')} in ${workshopFile} (steps: ${steps.map((s) => s.dir.slice(0, 2)).join(' ')})`, {
      code: 'unknown-step',
    });
  return steps.filter((step) => wanted.includes(step.dir.slice(0, 2)));
}

/** "01" for 01-fake-data: what a participant types after `npm run hint --`. */
export function stepNumber(step: WorkshopStep): string {
  return step.dir.slice(0, 2);
}

/** The one step named by `number` (a command that works on one step: hint, reset, solution, watch). */
export function selectStep(steps: WorkshopStep[], number: string): WorkshopStep {
  const [step] = selectSteps(steps, [number]);
  return step!;
}

/** Where a step's code lives, relative to the repo root: the participant's and the reference solution's. */
export function starterSrc(step: WorkshopStep): string {
  return `steps/${step.dir}/src`;
}

export function solutionSrc(step: WorkshopStep): string {
  return `solutions/${step.dir}/src`;
}
