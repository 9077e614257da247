import { parseArgs } from 'node:util';
import { isValidParticipant, KitError } from '@workshop/shared';
import { readWorkshopSteps } from '@workshop/shared/workshop-steps';
import { paint, runCommand } from '@workshop/shared/terminal';
import { roomJoinBundle, roomStackProfile, roomTlsKeyPair } from '@workshop/infra/profiles';
import { renderStatusTable } from '@workshop/infra/status-table';
import { createShutdown } from '../lifecycle/shutdown.js';
import { bringStackUpForThisRun } from '../lifecycle/stack-for-this-run.js';
import { startLivePipeline } from '../pipeline/live-pipeline.js';
import { startBoard } from '../room/board.js';
import { buildJoinServer, roomJoinPort } from '../room/join-server.js';
import { terminalQrCode } from '../room/qr.js';
import { roomAddress } from '../room/room-address.js';
import { newRoomCode } from '../room/room-code.js';
import { roomScreenLines } from '../room/room-screen.js';

/**
 * npm run room [-- --address 192.168.1.20] [--port 8092] [--board-port 8091] — the presenter's command (issue 17): the
 * secured stack (TLS and a credential on every service) served on the room's address, a join endpoint behind a room
 * code for `npm run join`, the read-only board, and the reference pipeline with the button app the phones open. Nothing
 * that can write data listens beyond 127.0.0.1 without a credential: anonymous are only the button page and the board.
 * Ctrl-C stops what this run started.
 */
const usage = 'usage: npm run room -- [--address IPv4 (the first non-loopback)] [--port 8092] [--board-port 8091]';
const boardPort = 8091;

function portOption(value: string | undefined, fallback: number): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new KitError(`room: "${value}" is not a port number`, { hint: usage, code: 'usage' });
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { address: { type: 'string' }, port: { type: 'string' }, 'board-port': { type: 'string' } },
  });
  const address = roomAddress(values.address);
  const joinPort = portOption(values.port, roomJoinPort);
  const report = (line: string) => console.log(line);
  const shutdown = createShutdown({ report });
  try {
    console.log(`Opening a room on ${address}: the secured stack (TLS and credentials on every service)…`);
    const profile = roomStackProfile(address);
    await bringStackUpForThisRun(profile, shutdown, report);
    for (const line of renderStatusTable(await profile.status())) console.log(line);
    const config = profile.config();

    const code = newRoomCode();
    const join = buildJoinServer({
      code,
      answer: () => roomJoinBundle(),
      tls: roomTlsKeyPair(),
      // Names only as the namespaces allow them: a name is printed on the presenter's screen.
      onJoin: (name) => report(`  joined: ${name && isValidParticipant(name) ? name : 'someone'}`),
    });
    await join.listen({ host: address, port: joinPort });
    shutdown.onStop('the join endpoint', () => join.close());

    const board = await startBoard(config, {
      host: address,
      port: portOption(values['board-port'], boardPort),
      steps: readWorkshopSteps().map((step) => step.dir),
      stuckAfterMs: 10 * 60_000,
      since: new Date(),
    });
    shutdown.onStop('the board', () => board.stop());

    console.log('Starting the pipeline and the button app (the reference solutions of steps 04–08)…');
    const pipeline = await startLivePipeline(config, {
      visitors: 0,
      jdbcSinkConfig: (debeziumConfig) => profile.jdbcSinkConfig(debeziumConfig, config),
      report,
      onError: (error) => console.error(paint('yellow', `! ${error instanceof Error ? error.message : String(error)}`)),
    });
    shutdown.onStop('the pipeline', () => pipeline.stop());

    const screen = roomScreenLines({
      address,
      code,
      ...(joinPort === roomJoinPort ? {} : { joinPort }),
      buttonPageUrl: pipeline.buttonAppUrl,
      boardUrl: board.url,
      qrCode: await terminalQrCode(pipeline.buttonAppUrl),
    });
    for (const line of screen) console.log(line);
    const reason = await shutdown.requested;
    console.log(`Closing the room (${reason})…`);
  } catch (error) {
    console.log('The room did not open: stopping what this run started…');
    await shutdown.stop();
    shutdown.dispose();
    throw error;
  }
  await shutdown.stop();
  shutdown.dispose();
  console.log(paint('green', '✓ room closed — the stack this run started is stopped'));
  // What a half-started pipeline left running would keep the process (and its ports) alive.
  setImmediate(() => process.exit());
}

runCommand(main);
