import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * `node <these> file.ts` runs a TypeScript file as the `tsx` CLI does, minus the CLI's relay process (half of a
 * child's start-up). The loader is resolved from here, so the child's working directory needs no node_modules.
 */
export function tsxNodeArgs(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
