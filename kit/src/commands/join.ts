import { parseArgs } from 'node:util';
import { KitError, validateParticipant } from '@workshop/shared';
import { repoRoot } from '@workshop/shared/repo-root';
import { paint, runCommand } from '@workshop/shared/terminal';
import { fetchRoomAnswer } from '../room/join-client.js';
import { roomJoinPort } from '../room/join-server.js';
import { writeParticipantEnv } from '../room/participant-env.js';

/**
 * npm run join -- <presenter address> --name alice --code K7QM-3XHD [--port 8092] [--force] [--dir PATH] — a participant's
 * command (issue 17): asks the presenter's room (npm run room) for its settings with the room code, and writes the
 * `.env` that points this checkout at the room's stack in alice's namespace. Only Node and `npm ci` needed: no stack here.
 */
const usage = 'usage: npm run join -- <presenter address> --name <your name> --code <room code> [--port 8092] [--force]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      code: { type: 'string' },
      port: { type: 'string' },
      force: { type: 'boolean', default: false },
      // Another checkout than this one (tests join into temporary folders).
      dir: { type: 'string' },
    },
  });
  const [address] = positionals;
  if (!address || !values.name || !values.code || positionals.length > 1) {
    throw new KitError('join needs the presenter’s address, your name and the room code', { hint: usage, code: 'usage' });
  }
  // Before the network: a name the namespaces would refuse is refused here, with the same words.
  const name = validateParticipant(values.name);
  const port = Number(values.port ?? roomJoinPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new KitError(`--port ${values.port} is not a port number`, { hint: usage, code: 'usage' });
  const answer = await fetchRoomAnswer({ address, port, code: values.code, name });
  const written = writeParticipantEnv({ dir: values.dir ?? repoRoot, answer, name, address, force: values.force });
  if (written.keptAs) console.log(paint('dim', `  the previous .env is kept as ${written.keptAs}`));
  console.log(paint('green', `✓ joined the room at ${address} as ${name} — ${written.envFile} points the kit at the room's stack`));
  console.log('  next: npm run workshop (your steps’ tests run against the room, in your own namespace)');
}

runCommand(main);
