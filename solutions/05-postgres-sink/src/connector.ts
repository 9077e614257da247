import { KitError, type ConnectRestClient, type ConnectorStatus } from '@workshop/shared';

/**
 * Creates the connector `name`, or updates its configuration if it exists (README §3). Idempotent on
 * purpose: `PUT /connectors/{name}/config` means "this name has this config", so running it twice — or
 * after editing the config — leaves exactly one connector. (`POST /connectors` fails with 409 the second
 * time; a fresh name per run leaves a second connector writing the same rows.)
 */
export async function deployPostgresSink(connect: ConnectRestClient, name: string, connectorConfig: Record<string, string>): Promise<void> {
  await connect.putConnectorConfig(name, connectorConfig);
}

/**
 * Waits until the connector and all of its tasks are RUNNING, and returns that status. A new connector
 * needs a few seconds to start its task. A FAILED task is not worth waiting for: its stack trace says why.
 */
export async function waitForConnectorRunning(
  connect: ConnectRestClient,
  name: string,
  options: { timeoutMs?: number } = {},
): Promise<ConnectorStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let status: ConnectorStatus | undefined;
  while (Date.now() < deadline) {
    status = await connect.getConnectorStatus(name);
    const failed = connectorFailure(connect, name, status);
    if (failed) throw failed;
    const running = status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING');
    if (running) return status!;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new KitError(`Connector ${name} is not RUNNING after ${options.timeoutMs ?? 60_000} ms: ${JSON.stringify(status)}`);
}

/**
 * Why the connector or one of its tasks FAILED — PostgreSQL's own words when it refused a write — or
 * undefined while nothing failed. A FAILED task stays FAILED until restarted, even after the fix.
 */
export function connectorFailure(connect: ConnectRestClient, name: string, status: ConnectorStatus | undefined): KitError | undefined {
  const failed = status?.connector.state === 'FAILED' ? status.connector : status?.tasks.find((task) => task.state === 'FAILED');
  if (!failed) return undefined;
  const what = 'id' in failed ? `task ${failed.id}` : 'the connector';
  return new KitError(`Connector ${name}: ${what} FAILED — ${rootCause(failed.trace)}`, {
    hint: `fix the table (README §1) or the configuration (README §2), then restart it: curl -X POST '${connect.url}/connectors/${name}/restart?includeTasks=true&onlyFailed=true'`,
  });
}

/** PostgreSQL's "ERROR: …" when it refused the write; otherwise the trace's first line and its last "Caused by:". */
function rootCause(trace: string | undefined): string {
  const postgresError = [...(trace ?? '').matchAll(/ERROR: [^\n]*?(?=\s+Call getNextException|\n|$)/g)].at(-1)?.[0];
  if (postgresError) return `PostgreSQL said: ${postgresError}`;
  const lines = (trace ?? 'no trace').split('\n');
  const causes = lines.filter((line) => line.startsWith('Caused by:')).slice(-1);
  return [lines[0], ...causes].join(' … ').slice(0, 600);
}
