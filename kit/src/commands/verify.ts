import { KitError } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile } from '@workshop/infra/profiles';
import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { verifySteps } from '../dev/verify.js';
import { renderVerifyTable } from '../view/verify-table.js';

/** npm run verify [NN…] — each step's tests must pass on the solution and fail, with a hint, on the starter. */
async function main(): Promise<void> {
  const steps = selectSteps(readWorkshopSteps(), process.argv.slice(2));
  const profile = await openStackProfile();
  // Without the stack every step would fail for the same reason: say it once, up front.
  if (!(await everyServiceWorks(profile))) {
    throw new KitError(`the ${profile.name} stack does not answer — the steps' tests need it`, { hint: 'npm run stack:up, then npm run stack:status' });
  }
  const verdicts = await verifySteps(steps, (step) => console.log(`  verifying ${step.dir}…`));
  for (const line of renderVerifyTable(verdicts)) console.log(line);
  const good = verdicts.filter((v) => v.solutionOk && v.starterOk).length;
  const summary = `verify: ${good} passed, ${verdicts.length - good} failed`;
  console.log(good === verdicts.length ? paint('green', summary) : paint('red', summary));
  if (good !== verdicts.length) process.exitCode = 1;
}

runCommand(main);
