import type { Reporter, StackProfile, StackUpOutcome } from '@workshop/infra/profiles';
import type { Shutdown } from './shutdown.js';

/**
 * Brings the stack up for one run of a command (npm start, npm test) and registers, before anything starts, the clean-up
 * that stops exactly what this run started: the services that did not answer before. On a stop request the start-up is
 * aborted (it starts nothing more, and stops waiting), then — once it has returned — those services are stopped.
 */
export async function bringStackUpForThisRun(profile: StackProfile, shutdown: Shutdown, report: Reporter): Promise<StackUpOutcome> {
  const abort = new AbortController();
  let upInFlight: Promise<unknown> = Promise.resolve();
  if (profile.capabilities.startsServices) {
    const notRunningBefore = (await profile.status()).filter((state) => !state.working).map((state) => state.service);
    if (notRunningBefore.length > 0) {
      shutdown.onStop('the stack', async () => {
        abort.abort();
        // Returns within a probe's time once aborted (a first download of the artifacts runs to its end first).
        await upInFlight.catch(() => undefined);
        await profile.down(report, { only: notRunningBefore });
      });
    }
  }
  const up = profile.up(report, { signal: abort.signal });
  upInFlight = up;
  const outcome = await up;
  // What `up` warns of (Docker offline: Grafana without its ClickHouse plugin) is said by every command that starts the
  // stack, npm start first — not only by npm run stack:up.
  for (const warning of outcome.warnings) report(`! ${warning}`);
  return outcome;
}
