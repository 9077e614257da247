import { parseArgs } from 'node:util';
import { KitError } from '@workshop/shared';
import { readWorkshopSteps } from '@workshop/shared/workshop-steps';
import { printSummary, runCommand } from '@workshop/shared/terminal';
import { openStackProfile, takeSecureFlag } from '@workshop/infra/profiles';
import { startBoard } from '../room/board.js';

/**
 * npm run board [-- --port 8091] [--host 127.0.0.1] [--stuck-after 10] [--since 12] — the room's progress, live: one row per
 * participant, one column per step (issue 17). Read-only and anonymous, so 127.0.0.1 by default; `npm run room` opens it
 * to the room. Reads the workshop_progress topic of the stack this checkout points at: the runs of the last --since hours
 * (the topic also keeps earlier sessions' and rehearsals' runs).
 */
const usage = 'usage: npm run board -- [--port 8091] [--host 127.0.0.1] [--stuck-after MINUTES (10)] [--since HOURS (12)]';

export const defaultBoardPort = 8091;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: takeSecureFlag(process.argv.slice(2)),
    options: { port: { type: 'string' }, host: { type: 'string' }, 'stuck-after': { type: 'string' }, since: { type: 'string' } },
  });
  const port = Number(values.port ?? defaultBoardPort);
  const stuckMinutes = Number(values['stuck-after'] ?? 10);
  const sinceHours = Number(values.since ?? 12);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(stuckMinutes > 0) || !(sinceHours > 0)) {
    throw new KitError('board: --port must be a port number, --stuck-after minutes and --since hours above 0', { hint: usage });
  }
  const profile = await openStackProfile();
  const config = profile.config();
  const board = await startBoard(config, {
    host: values.host ?? '127.0.0.1',
    port,
    steps: readWorkshopSteps().map((step) => step.dir),
    stuckAfterMs: stuckMinutes * 60_000,
    since: new Date(Date.now() - sinceHours * 3_600_000),
  });
  console.log(`  Board   ${board.url}   (stuck: the same test failing for more than ${stuckMinutes} min; Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await board.stop();
  printSummary({ ok: true, summary: 'board stopped' });
}

runCommand(main);
