import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from '@workshop/shared';
import { stackDown, stackUp } from '../native/stack.js';
import { resetWorkshop } from '../reset/reset.js';
import { ensureArtifacts } from '../native/artifacts.js';
import { repoRoot } from '@workshop/shared/repo-root';
import { stackPaths } from '../native/paths.js';
import { readStackVersions } from '../native/versions.js';
import { dockerStackDown, dockerStackStatus, dockerStackUp, prepareDockerStack } from '../docker/stack.js';
import { removeDockerEnv } from '../docker/env-file.js';
import { aivenStackStatus, aivenUpDownExplanation } from '../aiven/status.js';
import { chooseStackProfile, profileEnvironment } from '../profiles/choose.js';
import { paint, runCommand, table } from '@workshop/shared/terminal';
import { printStatus } from './stack-status.js';

/**
 * npm run stack:up | stack:down | stack:status | stack:reset, on the profile STACK names (native, docker,
 * aiven) or, without STACK, on Docker when an engine answers and else the native stack.
 * Maintainers: stack:lock (native artifacts' checksums); stack:plugins (the docker stack's Connect plugins).
 */

const usage = 'usage: tsx infra/src/commands/stack.ts up|down|status|reset|plugins|lock';

async function main(): Promise<void> {
  const command = process.argv[2];
  const report = (line: string) => console.log(line);
  if (!command || !['up', 'down', 'status', 'reset', 'plugins', 'lock'].includes(command)) throw new Error(usage);

  if (command === 'lock') {
    await ensureArtifacts(stackPaths(), readStackVersions(), { log: report, updateLock: true });
    console.log(paint('green', '✓ artifacts fetched and their checksums recorded in infra/native/artifacts.lock.json'));
    return;
  }
  if (command === 'plugins') {
    const prepared = await prepareDockerStack(report);
    console.log(paint('green', `✓ Connect plugins and worker config ready for docker-compose.yml (${prepared.copied ? 'copied' : 'already in place'}: .stack/connect-plugins, .stack/docker/connect)`));
    return;
  }
  if (command === 'reset') {
    // Every profile: the same reset, through the config only.
    console.log('Resetting the workshop: topics, subjects, connectors and tables (the stack keeps running)…');
    const summary = await resetWorkshop(loadConfig(), report);
    console.log(
      paint('green', `✓ reset — ${summary.topics.length} topics, ${summary.subjects.length} subjects, ${summary.connectors.length} connectors, ${summary.postgresTables.length + summary.clickhouseTables.length} tables removed`),
    );
    return;
  }

  const { profile, why } = await chooseStackProfile(profileEnvironment());
  console.log(paint('dim', `stack profile: ${profile} (${why})`));

  if (profile === 'aiven') {
    if (command === 'status') {
      const allUp = await aivenStackStatus(loadConfig(), report);
      console.log(allUp ? paint('green', '✓ every service works') : paint('yellow', '! some services do not answer — check .env (npm run aiven:env) and the Aiven console'));
      if (!allUp) process.exitCode = 1;
    } else {
      console.log(aivenUpDownExplanation(command));
    }
    return;
  }

  if (profile === 'docker') {
    if (command === 'up') {
      const result = await dockerStackUp(loadConfig(), report);
      await printDockerStatus();
      for (const warning of result.warnings) console.log(paint('yellow', `! ${warning}`));
      console.log(paint('green', `✓ docker stack up in ${result.seconds.toFixed(1)} s — Grafana: ${loadConfig().grafana.url}`));
    } else if (command === 'down') {
      await dockerStackDown(report);
      console.log(paint('green', "✓ docker stack down — containers removed, data kept in the named volumes (delete it too: docker compose down -v)"));
    } else {
      const allUp = await printDockerStatus();
      console.log(allUp ? paint('green', '✓ every service works') : paint('yellow', '! some services are down — npm run stack:up'));
      if (!allUp) process.exitCode = 1;
    }
    return;
  }

  switch (command) {
    case 'up': {
      // A docker stack's CONNECT_JDBC_URL (postgres:5432) would send the native Connect nowhere.
      if (await removeDockerEnv(join(repoRoot, '.env'))) console.log(paint('dim', "  removed the docker stack's block from .env"));
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
  }
}

/** STACK from the shell, else from `.env` (npm run aiven:env writes STACK=aiven there). */
async function printDockerStatus(): Promise<boolean> {
  const statuses = await dockerStackStatus(loadConfig());
  const rows = [['service', 'port', 'container', 'state', 'log']];
  for (const s of statuses) rows.push([s.service, String(s.port), s.container, s.working ? 'up' : 'down', `docker compose logs ${s.service}`]);
  console.log(table(rows));
  for (const s of statuses.filter((status) => !status.working)) console.log(paint('dim', `  ${s.service}: ${s.problem}`));
  return statuses.every((s) => s.working);
}

runCommand(main);
