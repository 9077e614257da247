import { loadConfig, type ServiceName } from '@workshop/shared';
import { probes } from '../native/probes.js';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

/**
 * A participant's view of a room's stack (STACK=room, written into .env by `npm run join`): the secured stack runs on
 * the presenter's laptop (`npm run room`), this checkout only reaches it through .env — so nothing starts or stops
 * here, `stack:status` probes the room's services, and `stack:reset` empties her namespace (WORKSHOP_PARTICIPANT).
 */
const services: ServiceName[] = ['kafka', 'schema-registry', 'connect', 'postgres', 'clickhouse'];

function roomOnly(what: 'up' | 'down'): string {
  return `the room's stack runs on the presenter's machine (npm run room there): nothing to ${what === 'up' ? 'start' : 'stop'} here — npm run stack:status shows whether it answers`;
}

function portOf(address: string): number {
  const port = /:(\d+)(?:\/|$)/.exec(address)?.[1];
  return port ? Number(port) : 0;
}

export function roomProfile(why: string): StackProfile {
  return {
    name: 'room',
    why,
    capabilities: { startsServices: false, grafana: false },
    config: () => loadConfig(),
    async up() {
      return { started: [], seconds: 0, warnings: [], summary: roomOnly('up') };
    },
    async down() {
      return { stopped: [], summary: roomOnly('down') };
    },
    async status() {
      const config = loadConfig();
      const ports: Record<ServiceName, number> = {
        kafka: portOf(config.kafka.brokers[0] ?? ''),
        'schema-registry': portOf(config.schemaRegistry.url),
        connect: portOf(config.connect.url),
        postgres: config.postgres.port,
        clickhouse: portOf(config.clickhouse.url),
      };
      return Promise.all(
        services.map(async (service) => {
          const problem = await probes[service](config);
          return {
            service,
            port: ports[service],
            runs: 'room',
            working: problem === undefined,
            ...(problem === undefined ? {} : { problem }),
            log: "the presenter's machine (.stack/secure/logs)",
          };
        }),
      );
    },
    reset: (report, options) => resetWorkshop(loadConfig(), report, options),
    // The room's Connect is the secured stack's: the same Debezium sink as on this machine's stacks.
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}
