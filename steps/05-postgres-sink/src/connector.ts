import type { ConnectRestClient, ConnectorStatus } from '@workshop/shared';

/**
 * Creates the connector `name`, or updates its configuration if it exists (README §3): running it twice —
 * or after editing the config — must leave exactly one connector.
 */
export async function deployPostgresSink(connect: ConnectRestClient, name: string, connectorConfig: Record<string, string>): Promise<void> {
  // TODO(step 05): PUT connectorConfig to /connectors/{name}/config — connect.putConnectorConfig(…), or fetch
  // yourself (connect.url is Connect's address).
  throw new Error('TODO: create or update the connector in deployPostgresSink() (README §3)');
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
    const failed = status?.tasks.find((task) => task.state === 'FAILED');
    if (failed) throw new Error(`Connector ${name}: task ${failed.id} FAILED — ${firstLines(failed.trace)}`);
    const running = status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((task) => task.state === 'RUNNING');
    if (running) return status!;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Connector ${name} is not RUNNING after ${options.timeoutMs ?? 60_000} ms: ${JSON.stringify(status)}`);
}

function firstLines(trace: string | undefined): string {
  return (trace ?? 'no trace').split('\n').slice(0, 3).join(' ');
}
