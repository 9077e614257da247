/**
 * The native stack's ClickHouse: chDB behind ClickHouse's HTTP interface (see server.ts for why).
 *
 *   tsx infra/src/clickhouse-http/main.ts --data <dir> [--port 8123] [--host 127.0.0.1] [--database workshop]
 *
 * stdout goes to the stack's log file: one line when listening, one when stopped; never request contents.
 * Users and passwords come from the kit's config (loadConfig: `.stack/secrets`, or CLICKHOUSE_USER/PASSWORD):
 * the same ones every client of the kit sends.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultPorts, ensureLocalSecrets, KitError, loadConfig, localSecretsDir, workshopNames } from '@workshop/shared';
import { runCommand } from '@workshop/shared/terminal';
import { createClickHouseHttpServer } from './server.js';

const usage =
  'usage: tsx infra/src/clickhouse-http/main.ts --data <dir> ' +
  `[--port ${defaultPorts.clickhouseHttp}] [--host 127.0.0.1] [--database ${workshopNames.database}]`;

const options = {
  data: { type: 'string' },
  port: { type: 'string', default: String(defaultPorts.clickhouseHttp) },
  host: { type: 'string', default: '127.0.0.1' },
  database: { type: 'string', default: workshopNames.database },
} as const;

function readOptions() {
  let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
  try {
    ({ values } = parseArgs({ options }));
  } catch (error) {
    // parseArgs' own message ("Unknown option '--dat'") is the whole story.
    throw new KitError(messageOf(error), { code: 'usage', hint: usage });
  }
  if (!values.data) throw new KitError('--data <dir> is required (where the tables live)', { code: 'usage', hint: usage });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KitError(`--port must be a port number, got ${values.port}`, { code: 'usage', hint: usage });
  }
  return { dataPath: resolve(values.data), host: values.host, port, database: values.database };
}

async function main(): Promise<void> {
  const options = readOptions();
  const { clickhouse } = loadConfig();
  if (clickhouse.password === '') {
    throw new KitError('CLICKHOUSE_PASSWORD is empty: the local ClickHouse does not serve SQL without a password', {
      hint: 'remove CLICKHOUSE_PASSWORD from .env and the shell: the kit then uses the one it generated in .stack/secrets',
    });
  }
  const users = [
    { name: clickhouse.username, password: clickhouse.password },
    // Dashboards read as this user, as on the docker stack's ClickHouse (infra/docker/clickhouse-users.xml).
    {
      name: workshopNames.clickhouseDashboardUser,
      password: ensureLocalSecrets(localSecretsDir())['clickhouse-grafana-password'],
      readonly: true,
    },
  ];
  const server = createClickHouseHttpServer({ ...options, users });
  const { url, engineVersion } = await server.listen();
  console.log(`clickhouse-http listening on ${url} (chDB ${engineVersion}, data ${options.dataPath})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": the running statement cannot be interrupted, only abandoned.
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(
      () => console.log(`clickhouse-http stopped (${signal})`),
      (error: unknown) => {
        console.log(`clickhouse-http stopped uncleanly (${signal}): ${messageOf(error)}`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Errors go to stderr, which the stack sends to this service's log (.stack/logs/clickhouse.log).
runCommand(main);
