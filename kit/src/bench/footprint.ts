import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StackProfile } from '@workshop/infra/profiles';
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
 * node process (which has just run the button app, both sinks and the producers: the live pipeline's load),
 * and how long `stack:up` takes warm — everything already up — and, only with --cold, from stopped.
 */
export async function measureFootprint(profile: StackProfile, options: { cold: boolean; log: (line: string) => void }): Promise<FootprintMeasure> {
  const rssBytes: Record<string, number> = {};
  for (const service of await profile.status()) {
    const pid = /pid (\d+)/.exec(service.runs)?.[1];
    const rss = pid === undefined ? undefined : await rssOf(Number(pid));
    if (rss !== undefined) rssBytes[service.service] = rss;
  }
  rssBytes['node (bench: app + sinks)'] = process.memoryUsage.rss();

  const stackUpSeconds: FootprintMeasure['stackUpSeconds'] = {};
  const quiet = () => undefined;
  if (options.cold) {
    options.log('  --cold: stopping the stack, then starting it again');
    await profile.down(quiet);
    const started = performance.now();
    await profile.up(quiet);
    stackUpSeconds.cold = (performance.now() - started) / 1000;
  }
  const started = performance.now();
  await profile.up(quiet);
  stackUpSeconds.warm = (performance.now() - started) / 1000;
  return { kind: 'footprint', id: 'footprint', title: 'Footprint at steady state', rssBytes, stackUpSeconds };
}
