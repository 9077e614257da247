import { paint, table } from '@workshop/shared/terminal';
import { describeSolution, describeStarter, type StepVerdict } from '../dev/verify.js';

/** The verify table (step | solution | starter), then the first failure of each step that is not as it should be. */
export function renderVerifyTable(verdicts: StepVerdict[]): string[] {
  const rows = [['step', 'solution', 'starter'], ...verdicts.map((v) => [v.step.dir, describeSolution(v), describeStarter(v)])];
  const lines = [table(rows)];
  for (const v of verdicts) {
    const bad = !v.solutionOk ? v.solution : !v.starterOk ? v.starter : undefined;
    if (bad?.firstFailure) lines.push(paint('dim', `  ${v.step.dir}: ${bad.firstFailure.split('\n').slice(0, 4).join('\n    ')}`));
  }
  return lines;
}
