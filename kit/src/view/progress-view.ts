import { paint, table, type CommandResult } from '@workshop/shared/terminal';
import { nextStep, workshopProgress, type ProgressOptions, type StepProgress, type StepStatus } from '../workshop/progress.js';
import { isFirstVisit, recordWelcome, type StepCheck } from '../workshop/state.js';
import { readWorkshop, solutionSrc, starterSrc, stepNumber, type WorkshopMessage, type WorkshopStep } from '../workshop/steps.js';

/** How `npm run workshop` reads: the welcome, the list of steps with their statuses, the progress bar, what to do next. */

/** "1 of 2 tests pass", "0 of 1 test passes". */
export function passingTests(result: { passed: number; failed: number }): string {
  const total = result.passed + result.failed;
  return `${result.passed} of ${total} ${total === 1 ? 'test passes' : 'tests pass'}`;
}

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} steps done`;
}

const statusIcon: Record<StepStatus, string> = { done: '✓', failing: '✗', 'not started': '·' };
const statusStyle = { done: 'green', failing: 'red', 'not started': 'dim' } as const;

/** The first line of a failure, short enough for one line of the list. */
function failureHeadline(check: StepCheck | undefined): string | undefined {
  const line = check?.firstFailure?.split('\n')[0]?.trim();
  if (!line) return undefined;
  return line.length > 110 ? `${line.slice(0, 109)}…` : line;
}

export function progressLines(progress: StepProgress[]): string[] {
  const rows = progress.map((p) => [
    statusIcon[p.status],
    p.step.dir,
    p.step.title,
    p.status === 'failing' && p.check ? `failing (${passingTests(p.check)})` : p.status,
  ]);
  const lines: string[] = [];
  table(rows)
    .split('\n')
    .forEach((line, index) => {
      const p = progress[index]!;
      lines.push(`  ${paint(statusStyle[p.status], line)}`);
      const headline = p.status === 'failing' ? failureHeadline(p.check) : undefined;
      if (headline) lines.push(paint('dim', `      ↳ ${headline}`));
    });
  const done = progress.filter((p) => p.status === 'done').length;
  lines.push('', `  ${progressBar(done, progress.length)}`);
  return lines;
}

/** steps/workshop.json's welcome: its heading in bold, its lines as written, then a blank line. */
export function welcomeLines(welcome: WorkshopMessage): string[] {
  return [paint('bold', welcome.heading), ...welcome.lines, ''];
}

/** Word-wraps `text` to `width` columns; lines after the first start with `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - (lines.length ? indent.length : 0)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export function nextStepLines(next: StepProgress): string[] {
  const { step } = next;
  const number = stepNumber(step);
  const lines = [
    paint('bold', `Next: step ${number} — ${step.title}`),
    `  you learn  ${wrap(step.teaches, 96, '             ')}`,
    `  read       steps/${step.dir}/README.md`,
  ];
  if (step.exercise) lines.push(`  edit       ${starterSrc(step)}/  (the TODOs)`);
  lines.push(`  run        npm run watch  (re-runs the tests of step ${number} on every save)`, `  stuck?     npm run hint -- ${number}`);
  return lines;
}

/** steps/workshop.json's final message, its placeholders filled in: the heading in bold green, its lines indented. */
export function finalLines(final: WorkshopMessage, steps: WorkshopStep[]): string[] {
  const firstExercise = steps.find((step) => step.exercise);
  const values: Record<string, string> = {
    stepCount: String(steps.length),
    firstExercise: firstExercise ? stepNumber(firstExercise) : 'NN',
  };
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
  return [paint('green', paint('bold', fill(final.heading))), ...final.lines.map((line) => `  ${fill(line)}`)];
}

/** Where a step's reference solution is, for messages. */
export function solutionPlace(step: WorkshopStep): string {
  return `${solutionSrc(step)}/ (npm run solution -- ${stepNumber(step)})`;
}

/** `npm run workshop`: welcome (first time), the list, the progress bar and what to do next. */
export async function showWorkshop(
  steps: WorkshopStep[],
  options: ProgressOptions & { out: (line: string) => void },
): Promise<CommandResult> {
  const { out, root } = options;
  const { welcome, final } = readWorkshop(root);
  const firstRun = isFirstVisit(root);
  if (firstRun) {
    for (const line of welcomeLines(welcome)) out(line);
    recordWelcome(root);
  }
  const progress = await workshopProgress(steps, {
    ...options,
    onChecking: (step) => {
      out(paint('dim', `  checking ${step.dir} (running its tests)…`));
      options.onChecking?.(step);
    },
  });
  for (const line of progressLines(progress)) out(line);
  out('');
  const next = nextStep(progress);
  const done = progress.filter((p) => p.status === 'done').length;
  if (!next) {
    for (const line of finalLines(final, steps)) out(line);
    return { ok: true, summary: `workshop: all ${steps.length} steps done` };
  }
  for (const line of nextStepLines(next)) out(line);
  if (!firstRun) out(paint('dim', '  more: npm run hint -- NN · reset -- NN · solution -- NN · workshop -- --refresh'));
  return { ok: true, pending: true, summary: `workshop: ${done} of ${steps.length} steps done — next: ${next.step.dir} (npm run watch)` };
}
