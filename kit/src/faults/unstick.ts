import type { Admin } from 'kafkajs';
import { KitError, type WorkshopConfig } from '@workshop/shared';

/**
 * After the poison: a sink that could neither store nor dead-letter a poison record stays stuck on it, and would be
 * stuck again after every restart — the stack broken for whatever runs next. The suite then moves that sink's
 * committed offset past the poison (every good record before it is stored: the suite waited for that before it
 * injected), and says so. Kafka Connect's offsets API (3.6+: stop, PATCH the offsets, resume) for the JDBC sink; the
 * consumer group's offsets for the ClickHouse sink.
 */

/** The committed offset of a consumer group on one partition ('-1': none). */
export async function committedOffset(admin: Admin, groupId: string, topic: string, partition: number): Promise<bigint> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const offset = entry?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  return BigInt(offset);
}

/** Moves a consumer group (its members gone) to `offset` on one partition, once Kafka has noticed they are gone. */
export async function moveGroupOffset(admin: Admin, groupId: string, topic: string, partition: number, offset: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [group] = (await admin.describeGroups([groupId])).groups;
    if (!group || group.state === 'Empty' || group.state === 'Dead') break;
    if (Date.now() > deadline) throw new KitError(`faults: consumer group ${groupId} still has members (${group.state})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await admin.setOffsets({ groupId, topic, partitions: [{ partition, offset }] });
}

async function connectCall(config: WorkshopConfig, method: string, path: string, body?: unknown): Promise<unknown> {
  const { url, auth } = config.connect;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new KitError(`Kafka Connect ${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** The connector's and its tasks' states, e.g. "RUNNING, task 0 FAILED". */
export async function connectorState(
  config: WorkshopConfig,
  connector: string,
): Promise<{ connector: string; tasks: string[]; trace?: string }> {
  const status = (await connectCall(config, 'GET', `/connectors/${connector}/status`)) as {
    connector: { state: string };
    tasks: { state: string; trace?: string }[];
  };
  const failed = status.tasks.find((task) => task.trace);
  return {
    connector: status.connector.state,
    tasks: status.tasks.map((task) => task.state),
    ...(failed?.trace ? { trace: failed.trace } : {}),
  };
}

/** Stops the connector, sets its offset on one partition, resumes it (its tasks start afresh). */
export async function moveConnectorOffset(
  config: WorkshopConfig,
  connector: string,
  topic: string,
  partition: number,
  offset: string,
): Promise<void> {
  await connectCall(config, 'PUT', `/connectors/${connector}/stop`);
  const deadline = Date.now() + 60_000;
  while ((await connectorState(config, connector)).connector !== 'STOPPED') {
    if (Date.now() > deadline) throw new KitError(`faults: connector ${connector} did not stop`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await connectCall(config, 'PATCH', `/connectors/${connector}/offsets`, {
    offsets: [{ partition: { kafka_topic: topic, kafka_partition: partition }, offset: { kafka_offset: Number(offset) } }],
  });
  await connectCall(config, 'PUT', `/connectors/${connector}/resume`);
}
