import { isKitError } from '@workshop/shared/errors';
import { openStackProfile, secureStackEnvironment, type StackProfile } from '@workshop/infra/profiles';
import { bringStackUpForThisRun } from '../lifecycle/stack-for-this-run.js';
import type { Shutdown } from '../lifecycle/shutdown.js';
import { readWorkshopSteps } from '../workshop/steps.js';
import { renderVerifyTable } from '../view/verify-table.js';
import { verdictChecks, verifySteps, type VerifyOptions } from './verify.js';

/**
 * npm test's last stage: the secured local stack (infra/src/secure: TLS on every connection, a credential on every
 * service, as on Aiven), beside the plain one. First its refusal checks (no plain TCP, no anonymous access: without them a
 * pass could mean the stack was open after all), then every step's reference solution against it — one run per step,
 * no starters or mistakes (the plain stack's stage judged those), so the stage fits CI's budget. What this run starts
 * of it, it stops (registered on the run's shutdown, also on Ctrl-C).
 */
export interface SecuredStageOptions {
  shutdown: Shutdown;
  report: (line: string) => void;
  /** npm test's tally: one line per check. */
  record: (ok: boolean, what: string) => void;
  shouldStop: () => boolean;
  /** vitest at the root with these arguments and this environment (npm test's runner). */
  runVitest: (args: string[], env: NodeJS.ProcessEnv) => Promise<boolean>;
  /** Tests pass stand-ins: the profile (default: STACK=secure's), the steps' runner, the environment. */
  openProfile?: (env: NodeJS.ProcessEnv) => Promise<StackProfile>;
  runTests?: VerifyOptions['runTests'];
  env?: Record<string, string>;
}

export async function checkOnSecuredStack(options: SecuredStageOptions): Promise<void> {
  const { report, record, shouldStop } = options;
  const t0 = Date.now();
  // The secured stack's config, for the child processes only: this process keeps the plain stack's.
  const env = options.env ?? secureStackEnvironment();
  const profile = await (options.openProfile ?? openStackProfile)({ ...process.env, ...env });
  try {
    report(`  ${(await bringStackUpForThisRun(profile, options.shutdown, report)).summary}`);
  } catch (error) {
    if (!isKitError(error)) throw error;
    record(false, `secured stack: did not start — ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
    return;
  }
  if (shouldStop()) return;
  const refuses = await options.runVitest(['infra/test/secure'], { ...process.env, ...env });
  record(refuses, 'secured stack: refuses plain TCP, a missing client certificate and a missing or wrong credential');
  if (shouldStop()) return;
  const verdicts = await verifySteps(readWorkshopSteps(), {
    solutionsOnly: true,
    env,
    runTests: options.runTests,
    progress: (step, what) => report(`  ${step.dir}: ${what} on the secured stack…`),
    shouldStop,
  });
  for (const line of renderVerifyTable(verdicts)) report(line);
  for (const check of verdicts.flatMap(verdictChecks)) record(check.ok, `secured stack: ${check.what}`);
  report(`  secured stack stage: ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
}
