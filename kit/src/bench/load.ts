import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { KitError } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';

/** HTTP load as the bench drives it: autocannon (load-driver.ts) in a child process, one JSON line back. */
export const loadOptionsSchema = z.object({
  url: z.string(),
  connections: z.number().int().positive(),
  durationSeconds: z.number().positive(),
  /** Requests per second over all connections; unset: as fast as the server answers. */
  overallRate: z.number().positive().optional(),
  headers: z.record(z.string(), z.string()),
  /** One per connection (round robin): each connection is one visitor with its own visit cookie. */
  cookies: z.array(z.string()),
});

export type LoadOptions = z.infer<typeof loadOptionsSchema>;

export const loadResultSchema = z.object({
  /** Answers with a 2xx status. */
  ok: z.number(),
  non2xx: z.number(),
  errors: z.number(),
  seconds: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
});

export type LoadResult = z.infer<typeof loadResultSchema>;

/**
 * A process of its own: autocannon in the server's process would share its event loop and measure itself.
 * (On a machine with few cores the two still share the CPU — as a phone room and a laptop would not.)
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const driver = join(repoRoot, 'kit/src/bench/load-driver.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', driver, JSON.stringify(options)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new KitError(`bench: the load driver failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(loadResultSchema.parse(JSON.parse(line)));
    });
  });
}
