import { paint, table } from '@workshop/shared/terminal';
import { describeMistakeOutcome } from '../dev/mistakes.js';
import { describeCoverage, describeMistakes, describeSolution, describeStarter, verdictOk, type StepVerdict } from '../dev/verify.js';

/**
 * The verify table (step | solution | starter | mistakes | requirements), then, per step that is not as it should be,
 * what is wrong: the first failure of a failing solution or starter, each mistake not caught, and each requirement not
 * covered with the reason — in red, one line each, so the list is the to-do list.
 */
export function renderVerifyTable(verdicts: StepVerdict[]): string[] {
  const rows = [
    ['step', 'solution', 'starter', 'mistakes', 'requirements'],
    ...verdicts.map((v) => [v.step.dir, describeSolution(v), describeStarter(v), describeMistakes(v), describeCoverage(v)]),
  ];
  const lines = [table(rows)];
  for (const v of verdicts) {
    if (verdictOk(v)) continue;
    lines.push(paint('bold', `  ${v.step.dir}:`));
    const bad = !v.solutionOk ? v.solution : !v.starterOk ? v.starter : undefined;
    if (bad?.firstFailure) {
      const which = !v.solutionOk ? 'solution' : 'starter';
      lines.push(paint('dim', `    ${which}: ${bad.firstFailure.split('\n').slice(0, 4).join('\n      ')}`));
    }
    for (const m of v.mistakes.filter((m) => !m.caught)) {
      lines.push(
        paint('red', `    ✗ mistake ${m.mistake.name}: ${describeMistakeOutcome(m.outcome, m.notRun)} (${m.mistake.description})`),
      );
    }
    if (v.coverage && !v.coverage.listed) lines.push(paint('red', `    ✗ requirements: no steps/${v.step.dir}/test/requirements.json`));
    else if (v.coverage?.total === 0) lines.push(paint('red', `    ✗ requirements: the file lists none`));
    for (const r of v.coverage?.requirements.filter((r) => !r.covered) ?? []) {
      lines.push(paint('red', `    ✗ requirement ${r.requirement.id} (${r.requirement.readme}): ${r.reason}`));
    }
  }
  return lines;
}

/** One line per mistake, as `npm test` has always listed them (✓ caught / ✗ and why). */
export function renderMistakeLines(verdicts: StepVerdict[]): string[] {
  return verdicts.flatMap((v) =>
    v.mistakes.map(
      (m) =>
        `  ${m.caught ? '✓' : '✗'} ${v.step.dir}/${m.mistake.name}: ${describeMistakeOutcome(m.outcome, m.notRun)} (${m.mistake.description})`,
    ),
  );
}
