import { KitError } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile, takeSecureFlag } from '@workshop/infra/profiles';
import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { verdictChecks, verifySteps } from '../dev/verify.js';
import { renderVerifyTable } from '../view/verify-table.js';

/**
 * npm run verify [NN…] [-- --secure] — per step: the tests pass on the solution, fail with a hint on the starter, catch every authored
 * mistake with a hint, and cover every requirement listed in steps/NN/test/requirements.json.
 */
async function main(): Promise<void> {
  // --secure: every step against the secured local stack (TLS and credentials, as on Aiven); its tests inherit the config.
  const steps = selectSteps(readWorkshopSteps(), takeSecureFlag(process.argv.slice(2)));
  const profile = await openStackProfile();
  // Without the stack every step would fail for the same reason: say it once, up front.
  if (!(await everyServiceWorks(profile))) {
    throw new KitError(`the ${profile.name} stack does not answer — the steps' tests need it`, {
      hint: 'npm run stack:up, then npm run stack:status',
    });
  }
  const verdicts = await verifySteps(steps, { progress: (step, what) => console.log(paint('dim', `  ${step.dir}: ${what}…`)) });
  for (const line of renderVerifyTable(verdicts)) console.log(line);
  const failing = verdicts.flatMap(verdictChecks).filter((check) => !check.ok);
  const good = verdicts.filter((v) => verdictChecks(v).every((check) => check.ok)).length;
  const summary = `verify: ${good} of ${verdicts.length} steps as they should be${failing.length > 0 ? `, ${failing.length} checks failed` : ''}`;
  console.log(failing.length === 0 ? paint('green', summary) : paint('red', summary));
  if (failing.length > 0) process.exitCode = 1;
}

runCommand(main);
