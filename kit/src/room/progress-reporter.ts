import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { repoRoot } from '@workshop/shared/repo-root';
import { exerciseTarget } from '@workshop/shared/exercise-target';
import { boardSettings, shouldPublish } from './board-settings.js';
import { type FinishedTest, progressEvent } from './progress-event.js';

/**
 * A vitest reporter every step's config adds (shared/src/testing/step-config.ts names it by path, since shared cannot
 * import the kit), and `runStepTests` passes beside its JSON reporter: at the end of each run of a step's tests it hands
 * the board's event to a detached process and returns at once. The test run never waits for the room's network, and
 * never notices when the stack is down: that process gives up after a few seconds, silently.
 */

/** The parts of vitest's reporter API (vitest/node) this reads — structural, so the kit's src needs no vitest types. */
interface TestCaseLike {
  fullName: string;
  result(): { state: FinishedTest['state']; errors?: readonly { name?: string; message?: string }[] };
}
interface TestModuleLike {
  children: { allTests(): Iterable<TestCaseLike> };
  errors(): readonly unknown[];
  state?(): string;
}

export const publisherPath = join(import.meta.dirname, 'publish-progress-main.ts');

export default class ProgressReporter {
  private root = process.cwd();

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: readonly TestModuleLike[], unhandledErrors: readonly unknown[] = []): void {
    try {
      const settings = boardSettings();
      if (!shouldPublish(settings, exerciseTarget())) return;
      const tests: FinishedTest[] = testModules.flatMap((module) =>
        [...module.children.allTests()].map((test) => {
          const result = test.result();
          const error = result.errors?.[0];
          return {
            fullName: test.fullName,
            state: result.state,
            ...(error ? { error: { name: error.name, message: error.message } } : {}),
          };
        }),
      );
      const suiteErrors = testModules.filter((module) => module.errors().length > 0).length + (unhandledErrors.length > 0 ? 1 : 0);
      const event = progressEvent(settings.participant, basename(this.root), tests, suiteErrors);
      publishDetached(JSON.stringify(event));
    } catch {
      // The board is a bonus: nothing about it may turn a participant's test run red.
    }
  }
}

/** Starts the publisher and lets go of it: no pipe, no wait, its own process group (Ctrl-C on the tests leaves it be). */
export function publishDetached(eventJson: string, env: NodeJS.ProcessEnv = process.env): void {
  const child = spawn(process.execPath, ['--import', 'tsx', publisherPath], {
    cwd: repoRoot,
    detached: true,
    stdio: 'ignore',
    env: { ...env, WORKSHOP_PROGRESS_EVENT: eventJson },
  });
  child.on('error', () => {});
  child.unref();
}
