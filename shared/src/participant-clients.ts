import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, type Admin, type AdminConfig, type Consumer, type ConsumerConfig, type KafkaConfig } from 'kafkajs';

/**
 * What a participant namespace (names.ts) changes in the client factories (clients.ts), so that the steps' code —
 * which names its consumer groups itself ('press-counter', 'clickhouse-sink', a test's unique group) and queries
 * its tables unqualified — stays as written:
 * - Kafka: every consumer group gets the namespace's prefix, in the consumer and in the admin's group calls (the admin
 *   lists only the namespace's groups, without the prefix). Two participants' 'press-counter' on one cluster would
 *   otherwise be one group, and kafkajs' assigner hands any member partitions of any topic the group reads.
 * - PostgreSQL: the schema (search_path) is created on first use — see createPostgresPool.
 * - ClickHouse: the database is created on first use.
 */

/** `prefix + groupId`, once (a name the kit already derived from the namespace keeps its single prefix). */
function prefixed(prefix: string, groupId: string): string {
  return groupId.startsWith(prefix) ? groupId : prefix + groupId;
}

function unprefixed(prefix: string, groupId: string): string {
  return groupId.startsWith(prefix) ? groupId.slice(prefix.length) : groupId;
}

/** A Kafka client whose consumer groups live under `prefix` (e.g. `alice.`). */
export class NamespacedKafka extends Kafka {
  readonly #prefix: string;

  constructor(config: KafkaConfig, prefix: string) {
    super(config);
    this.#prefix = prefix;
  }

  override consumer(config: ConsumerConfig): Consumer {
    return super.consumer({ ...config, groupId: prefixed(this.#prefix, config.groupId) });
  }

  override admin(config?: AdminConfig): Admin {
    return namespacedAdmin(super.admin(config), this.#prefix);
  }
}

function namespacedAdmin(admin: Admin, prefix: string): Admin {
  const inside = (groupId: string) => prefixed(prefix, groupId);
  const outside = (groupId: string) => unprefixed(prefix, groupId);
  return {
    ...admin,
    fetchOffsets: (options) => admin.fetchOffsets({ ...options, groupId: inside(options.groupId) }),
    setOffsets: (options) => admin.setOffsets({ ...options, groupId: inside(options.groupId) }),
    resetOffsets: (options) => admin.resetOffsets({ ...options, groupId: inside(options.groupId) }),
    listGroups: async () => {
      const { groups } = await admin.listGroups();
      return {
        groups: groups.filter((group) => group.groupId.startsWith(prefix)).map((group) => ({ ...group, groupId: outside(group.groupId) })),
      };
    },
    deleteGroups: async (groupIds) =>
      (await admin.deleteGroups(groupIds.map(inside))).map((result) => ({ ...result, groupId: outside(result.groupId) })),
    describeGroups: async (groupIds) => {
      const described = await admin.describeGroups(groupIds.map(inside));
      return { ...described, groups: described.groups.map((group) => ({ ...group, groupId: outside(group.groupId) })) };
    },
  };
}

/**
 * A ClickHouse client that makes sure its database exists before its first request (`ensure`, run once per process
 * and database). Everything else is the library's own client.
 */
export function clickHouseEnsuringDatabase(client: ClickHouseClient, ensure: () => Promise<void>): ClickHouseClient {
  const requests = new Set<PropertyKey>(['query', 'command', 'insert', 'exec']);
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!requests.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        await ensure();
        return value.apply(target, args);
      };
    },
  });
}

const made = new Map<string, Promise<void>>();

/**
 * Runs `create` until it has worked once in this process for `key` (a schema or database: one CREATE, not one per
 * request; callers at the same moment share it). A failure is not thrown: the request that follows fails with the
 * server's own words if it matters, and the next call tries again.
 */
export function createOnce(key: string, create: () => Promise<void>): Promise<void> {
  const known = made.get(key);
  if (known) return known;
  const attempt = create().catch(() => {
    // e.g. a cloud user without CREATE DATABASE, whose database the room's Terraform made already.
    made.delete(key);
  });
  made.set(key, attempt);
  return attempt;
}

/**
 * The JDBC sink's table names that a participant's connector config may hold (Debezium's current and older key).
 * Debezium looks an unqualified table up in every schema (DatabaseMetaData.getTables with no schema) and writes to the
 * first one found — `public.button_presses` before `workshop_alice.button_presses` — whatever the connection's
 * currentSchema says. So the kit qualifies the table with her schema on the way to Connect, and reads it back without.
 */
const tableNameKeys = ['collection.name.format', 'table.name.format'];

/** An unqualified, literal table name (no schema, no `${topic}` pattern): the ones to qualify. */
function isPlainTableName(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !value.includes('.') && !value.includes('${');
}

/** A connector config as sent to Connect for a participant: her plain table names put in her schema. */
export function connectorConfigInSchema(connectorConfig: Record<string, string>, schema: string): Record<string, string> {
  const inSchema = { ...connectorConfig };
  for (const key of tableNameKeys) {
    const value = inSchema[key];
    if (isPlainTableName(value)) inSchema[key] = `${schema}.${value}`;
  }
  return inSchema;
}

/** A connector config as Connect returns it, seen by the participant: her schema taken off again. */
export function connectorConfigOutOfSchema(connectorConfig: Record<string, string>, schema: string): Record<string, string> {
  const seen = { ...connectorConfig };
  for (const key of tableNameKeys) {
    const value = seen[key];
    if (value?.startsWith(`${schema}.`) && isPlainTableName(value.slice(schema.length + 1))) seen[key] = value.slice(schema.length + 1);
  }
  return seen;
}
