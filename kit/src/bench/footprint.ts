import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StackProfile } from '@workshop/infra/profiles';
import { repoRoot } from '@workshop/shared/repo-root';
import type { FootprintMeasure } from './report.js';

const run = promisify(execFile);

/** Resident memory of a process in bytes (ps: Linux and macOS alike); undefined when it is gone. */
async function rssOf(pid: number): Promise<number | undefined> {
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  const kilobytes = Number(stdout.trim());
  return stdout.trim() && Number.isFinite(kilobytes) ? kilobytes * 1024 : undefined;
}

/**
 * Build item 6: the resident memory of each service the kit runs (the JVMs, the ClickHouse server) and of this
 * node process while it ran the button app and both sinks at the end-to-end load (the live pipeline's work),
 * and how long `stack:up` takes warm — everything already up — and, only with --cold, from stopped.
 */
export async function measureFootprint(
  profile: StackProfile,
  options: { cold: boolean; log: (line: string) => void; nodeRssUnderLoad?: number },
): Promise<FootprintMeasure> {
  const rssBytes: Record<string, number> = {};
  for (const service of await profile.status()) {
    const pid = /pid (\d+)/.exec(service.runs)?.[1];
    const rss = pid === undefined ? undefined : await rssOf(Number(pid));
    if (rss !== undefined) rssBytes[service.service] = rss;
  }
  // The button app, both sinks and the producers live in this process: as at the end of the end-to-end load, or now.
  rssBytes['node (app + sinks)'] = options.nodeRssUnderLoad ?? process.memoryUsage.rss();

  const stackUpSeconds: FootprintMeasure['stackUpSeconds'] = {};
  if (options.cold) {
    options.log('  --cold: stopping the stack, then starting it again');
    await profile.down(() => undefined);
    stackUpSeconds.cold = await timeStackUp();
  }
  stackUpSeconds.warm = await timeStackUp();
  return { kind: 'footprint', id: 'footprint', title: 'Footprint at steady state', rssBytes, stackUpSeconds };
}

/** `npm run stack:up` as a person types it (its own node process, the profile chosen afresh), in seconds. */
async function timeStackUp(): Promise<number> {
  const started = performance.now();
  await run(process.execPath, ['--import', 'tsx', 'infra/src/commands/stack.ts', 'up'], { cwd: repoRoot });
  return (performance.now() - started) / 1000;
}
