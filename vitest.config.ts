import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The kit's own tests, every workspace in one run (not the steps': those run per step, on the stack).
// Each workspace keeps its own vitest.config.ts, so `npx vitest run` inside one behaves as before.
//
// A test that needs the running stack (Kafka, the registry, Connect, PostgreSQL, ClickHouse) is named
// *.stack.test.ts; every other test runs without any service:
//   npm run test:unit                → vitest run --exclude '**/*.stack.test.ts'
//   npx vitest run .stack.test.ts    → the stack tests alone (a file-name filter)
//
// Workers: twice the cores. Many of these tests wait on a child process (a CLI, git, Chromium) rather than
// compute, and vitest's default (cores − 1: a single worker on a 2-core laptop) ran them one after another.
// Compile cache: many tests start node children (the CLIs; vitest inside a fake workshop), and Node's compile cache
// spares each child compiling the same node_modules again. Children inherit it through the environment; Node checks
// each file's content against its entry, so a stale entry is never used.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, 'node_modules/.cache/node-compile-cache');

export default defineConfig({
  test: { projects: ['shared', 'infra', 'kit', 'slides'], maxWorkers: Math.max(2, availableParallelism() * 2) },
});
