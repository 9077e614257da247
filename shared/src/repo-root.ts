import { resolve } from 'node:path';

/** The kit's checkout: every command and test that reads a file of the kit resolves it from here. */
export const repoRoot = resolve(import.meta.dirname, '../..');
