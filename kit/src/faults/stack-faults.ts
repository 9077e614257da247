import { KitError } from '@workshop/shared';
import type { Reporter, StackProfile } from '@workshop/infra/profiles';

/**
 * The faults done to the stack's own services, through the stack profile: its status names each service's pid, its
 * down({ only }) stops one service the way stack:down does, its up() starts whatever does not run and waits until it
 * works (also after a kill -9: the pid file then names a dead process, and is dropped as stale).
 */

/** The pid of a running service, from `stack:status`'s "pid N". */
export async function servicePid(profile: StackProfile, service: string): Promise<number> {
  const state = (await profile.status()).find((s) => s.service === service);
  const pid = Number(/^pid (\d+)$/.exec(state?.runs ?? '')?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new KitError(`faults: ${service} has no process of the kit's to kill (${state?.runs ?? 'not listed'})`, {
      hint: 'npm run faults runs on the native stack the kit started: npm run stack:up',
    });
  }
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** kill -9 the service's process group (the JVM and anything it started); resolves once it is gone. */
export async function killService(profile: StackProfile, service: string): Promise<void> {
  const pid = await servicePid(profile, service);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
}

/** Stops one service cleanly (SIGTERM, as stack:down does). */
export async function stopService(profile: StackProfile, service: string, report: Reporter): Promise<void> {
  await profile.down(report, { only: [service] });
}

/** Starts whatever does not run, and waits until every service works. */
export async function restoreStack(profile: StackProfile, report: Reporter): Promise<void> {
  await profile.up(report);
}
