import { KitError } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { everyServiceWorks, openStackProfile, takeSecureFlag } from '@workshop/infra/profiles';
import { readWorkshopSteps, selectSteps } from '../workshop/steps.js';
import { verdictChecks, verifySteps } from '../dev/verify.js';
import { renderVerifyTable } from '../view/verify-table.js';

/**
 * npm run verify [-- NN… --secure --quick] — per step: the tests pass on the solution, fail with a hint on the starter,
 * catch every authored mistake with a hint, and cover every requirement listed in steps/NN/test/requirements.json.
 *   --secure  against the secured local stack (TLS and credentials, as on Aiven); the steps' tests inherit its config.
 *   --quick   each step's solution only (one run per step): does the steps' code work there — not are the tests good.
 */
async function main(): Promise<void> {
  const args = takeSecureFlag(process.argv.slice(2));
  const quick = args.includes('--quick');
  const steps = selectSteps(
    readWorkshopSteps(),
    args.filter((arg) => arg !== '--quick'),
  );
  const profile = await openStackProfile();
  // Without the stack every step would fail for the same reason: say it once, up front.
  if (!(await everyServiceWorks(profile))) {
    const up =
      profile.name === 'secure'
        ? 'npm run stack:up -- --secure, then npm run stack:status -- --secure'
        : 'npm run stack:up, then npm run stack:status';
    throw new KitError(`the ${profile.name} stack does not answer — the steps' tests need it`, { hint: up });
  }
  const t0 = Date.now();
  const verdicts = await verifySteps(steps, {
    progress: (step, what) => console.log(paint('dim', `  ${step.dir}: ${what}…`)),
    solutionsOnly: quick,
  });
  for (const line of renderVerifyTable(verdicts)) console.log(line);
  const failing = verdicts.flatMap(verdictChecks).filter((check) => !check.ok);
  const good = verdicts.filter((v) => verdictChecks(v).every((check) => check.ok)).length;
  const what = quick ? `solutions pass on the ${profile.name} stack` : 'steps as they should be';
  const minutes = `${((Date.now() - t0) / 60_000).toFixed(1)} min`;
  const summary = `verify: ${good} of ${verdicts.length} ${what}${failing.length > 0 ? `, ${failing.length} checks failed` : ''} (${minutes})`;
  console.log(failing.length === 0 ? paint('green', summary) : paint('red', summary));
  if (failing.length > 0) process.exitCode = 1;
}

runCommand(main);
