import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { describeSolution, describeStarter, verifyStep, type StepVerdict } from '../dev/verify.js';
import { paint, runCommand, table } from '@workshop/shared/terminal';

/** npm run verify [NN…] — each step's tests must pass on the solution and fail, with a hint, on the starter. */
export async function verifySteps(numbers: string[], report: (line: string) => void): Promise<StepVerdict[]> {
  const steps = selectSteps(readWorkshopSteps(), numbers);
  const verdicts: StepVerdict[] = [];
  for (const step of steps) {
    report(`  verifying ${step.dir}…`);
    verdicts.push(await verifyStep(step));
  }
  const rows = [['step', 'solution', 'starter'], ...verdicts.map((v) => [v.step.dir, describeSolution(v), describeStarter(v)])];
  report(table(rows));
  for (const v of verdicts) {
    const bad = !v.solutionOk ? v.solution : !v.starterOk ? v.starter : undefined;
    if (bad?.firstFailure) report(paint('dim', `  ${v.step.dir}: ${bad.firstFailure.split('\n').slice(0, 4).join('\n    ')}`));
  }
  return verdicts;
}

async function main(): Promise<void> {
  const verdicts = await verifySteps(process.argv.slice(2), (line) => console.log(line));
  const good = verdicts.filter((v) => v.solutionOk && v.starterOk).length;
  const summary = `verify: ${good} passed, ${verdicts.length - good} failed`;
  console.log(good === verdicts.length ? paint('green', summary) : paint('red', summary));
  if (good !== verdicts.length) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) runCommand(main);
