import { KitError, participantVariable, validateParticipant } from '@workshop/shared';
import { paint, runCommand } from '@workshop/shared/terminal';
import { ensureArtifacts } from '../native/artifacts.js';
import { stackPaths } from '../native/paths.js';
import { readStackVersions } from '../native/versions.js';
import { prepareDockerStack } from '../docker/stack.js';
import { openStackProfile, takeSecureFlag } from '../profiles/choose.js';
import type { StackProfile } from '../profiles/profile.js';
import { renderStatusTable } from '../view/status-table.js';

/**
 * npm run stack:up | stack:down | stack:status | stack:reset — on the stack profile (profiles/choose.ts).
 * Maintainers: stack:lock (the native artifacts' checksums); stack:plugins (the docker stack's Connect plugins).
 */

const usage =
  'usage: npm run stack:up | stack:down | stack:status | stack:reset [-- --secure] [--participant NAME] [--yes] | stack:plugins | stack:lock';
const report = (line: string) => console.log(line);

async function printStatus(profile: StackProfile): Promise<boolean> {
  const states = await profile.status();
  for (const line of renderStatusTable(states)) console.log(line);
  return states.every((state) => state.working);
}

const commands: Record<string, () => Promise<void>> = {
  async lock() {
    await ensureArtifacts(stackPaths(), readStackVersions(), { log: report, updateLock: true });
    console.log(paint('green', '✓ artifacts fetched and their checksums recorded in infra/native/artifacts.lock.json'));
  },
  async plugins() {
    // Before the workshop, with the network: the plugins into the docker stack's volume (docker compose run --rm connect-plugins).
    await prepareDockerStack(report);
    console.log(paint('green', "✓ Connect plugins fetched, checksums verified, in the docker stack's connect-plugins volume"));
  },
  async up() {
    const profile = await openChosenProfile();
    const outcome = await profile.up(report);
    await printStatus(profile);
    for (const warning of outcome.warnings) console.log(paint('yellow', `! ${warning}`));
    console.log(paint('green', `✓ ${outcome.summary}`));
  },
  async down() {
    const profile = await openChosenProfile();
    console.log(paint('green', `✓ ${(await profile.down(report)).summary}`));
  },
  async status() {
    const allUp = await printStatus(await openChosenProfile());
    console.log(allUp ? paint('green', '✓ every service works') : paint('yellow', '! some services are down — npm run stack:up'));
    if (!allUp) process.exitCode = 1;
  },
  async reset() {
    // --participant alice: her namespace only (names.ts) — as WORKSHOP_PARTICIPANT=alice in .env or the shell does.
    const args = process.argv.slice(3);
    const at = args.indexOf('--participant');
    if (at >= 0) {
      if (!args[at + 1]) throw new KitError('stack:reset --participant needs a name', { hint: usage, code: 'usage' });
      process.env[participantVariable] = validateParticipant(args[at + 1]!);
    }
    const profile = await openChosenProfile();
    // Hers from the shell, --participant, or the .env (npm run join writes it there).
    const participant = process.env[participantVariable]?.trim() || profile.config().participant;
    console.log(
      participant
        ? `Resetting ${participant}'s namespace: her topics, subjects, connector, groups and tables (nobody else's; the stack keeps running)…`
        : 'Resetting the workshop: topics, subjects, connectors and tables (the stack keeps running)…',
    );
    // On a remote target reset asks first; --yes answers for a presenter's script.
    const summary = await profile.reset(report, { yes: process.argv.slice(3).includes('--yes') });
    const tables = summary.postgresTables.length + summary.clickhouseTables.length;
    const what = `${summary.topics.length} topics, ${summary.subjects.length} subjects, ${summary.connectors.length} connectors, ${tables} tables`;
    console.log(paint('green', `✓ reset — ${what} removed`));
  },
};

async function openChosenProfile(): Promise<StackProfile> {
  const profile = await openStackProfile();
  console.log(paint('dim', `stack profile: ${profile.name} (${profile.why})`));
  return profile;
}

async function main(): Promise<void> {
  // --secure: the secured local stack (infra/src/secure) instead of the chosen profile.
  const [name = ''] = takeSecureFlag(process.argv.slice(2));
  const command = commands[name];
  if (!command) throw new KitError(`unknown stack command "${name}"`, { hint: usage, code: 'usage' });
  await command();
}

runCommand(main);
