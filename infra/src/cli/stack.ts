import { loadConfig } from '@workshop/shared';
import { stackDown, stackStatus, stackUp } from '../native/stack.js';
import { resetWorkshop } from '../stack-reset/reset.js';
import { ensureArtifacts } from '../native/artifacts.js';
import { stackPaths } from '../native/paths.js';
import { readStackVersions } from '../native/versions.js';
import { paint, runCommand } from './output.js';
import { printStatus } from './stack-status.js';

/** npm run stack:up | stack:down | stack:status | stack:reset (and stack:lock for maintainers). */

const usage = 'usage: tsx infra/src/cli/stack.ts up|down|status|reset|lock';

async function main(): Promise<void> {
  const command = process.argv[2];
  const report = (line: string) => console.log(line);
  switch (command) {
    case 'up': {
      console.log('Starting the native stack (Kafka, schema registry, Kafka Connect, PostgreSQL, ClickHouse)…');
      const result = await stackUp(loadConfig(), report);
      await printStatus(loadConfig());
      const what = result.started.length ? `started ${result.started.join(', ')}` : 'everything was already running';
      console.log(paint('green', `✓ stack up in ${result.seconds.toFixed(1)} s — ${what}`));
      return;
    }
    case 'down': {
      const stopped = await stackDown(report);
      console.log(paint('green', `✓ stack down — ${stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running'} (the machine's PostgreSQL keeps running)`));
      return;
    }
    case 'status': {
      const allUp = await printStatus(loadConfig());
      console.log(allUp ? paint('green', '✓ every service works') : paint('yellow', '! some services are down — npm run stack:up'));
      if (!allUp) process.exitCode = 1;
      return;
    }
    case 'reset': {
      console.log('Resetting the workshop: topics, subjects, connectors and tables (the stack keeps running)…');
      const summary = await resetWorkshop(loadConfig(), report);
      console.log(
        paint('green', `✓ reset — ${summary.topics.length} topics, ${summary.subjects.length} subjects, ${summary.connectors.length} connectors, ${summary.postgresTables.length + summary.clickhouseTables.length} tables removed`),
      );
      return;
    }
    case 'lock': {
      await ensureArtifacts(stackPaths(), readStackVersions(), { log: report, updateLock: true });
      console.log(paint('green', '✓ artifacts fetched and their checksums recorded in infra/native/artifacts.lock.json'));
      return;
    }
    default:
      throw new Error(usage);
  }
}

runCommand(main);
