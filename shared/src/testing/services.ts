import type { WorkshopConfig } from '../config.js';
import type { ServiceName } from '../names.js';

/**
 * "Does it answer?" probes for the stack's services, shared by step 00, the stack command and the smoke
 * tests. Each returns a problem description (or undefined when the service works).
 */
export type { ServiceName };

export const startTheStackHint = 'start the stack: npm run stack:up';

export function describeUnreachable(service: ServiceName, where: string, problem: string): string {
  return `${service} is not answering on ${where} — ${startTheStackHint} (then npm run stack:status): ${problem}`;
}

export function serviceAddress(config: WorkshopConfig, service: ServiceName): string {
  switch (service) {
    case 'kafka':
      return config.kafka.brokers.join(',');
    case 'schema-registry':
      return config.schemaRegistry.url;
    case 'connect':
      return config.connect.url;
    case 'postgres':
      return `${config.postgres.host}:${config.postgres.port}/${config.postgres.database}`;
    case 'clickhouse':
      return config.clickhouse.url;
  }
}
