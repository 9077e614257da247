import type { WorkshopConfig } from '@workshop/shared';
import type { ServiceName } from '@workshop/shared';
import { probeClickHouse, probeConnect, probeKafka, probePostgres, probeSchemaRegistry } from '../native/probes.js';
import { aivenConnectPlugins } from '@workshop/shared';

/**
 * The Aiven profile's `stack:status`: the native probes through the config (.env from npm run aiven:env),
 * except that Aiven's Connect carries Aiven's JDBC sink and Confluent's Avro converter.
 */
export const aivenProbes: Record<ServiceName, (config: WorkshopConfig) => Promise<string | undefined>> = {
  kafka: probeKafka,
  'schema-registry': probeSchemaRegistry,
  connect: (config) => probeConnect(config, aivenConnectPlugins),
  postgres: probePostgres,
  clickhouse: probeClickHouse,
};

export async function aivenStackStatus(config: WorkshopConfig, report: (line: string) => void): Promise<boolean> {
  const entries = Object.entries(aivenProbes) as [ServiceName, (config: WorkshopConfig) => Promise<string | undefined>][];
  const problems = await Promise.all(entries.map(async ([service, probe]) => [service, await probe(config)] as const));
  for (const [service, problem] of problems) report(`  ${service.padEnd(16)}${problem === undefined ? 'up' : `down — ${problem}`}`);
  return problems.every(([, problem]) => problem === undefined);
}

export function aivenUpDownExplanation(command: string): string {
  return command === 'up'
    ? 'STACK=aiven: the services run on Aiven, the kit does not start them. Create them with Terraform (cd infra/terraform && terraform init && terraform apply), then npm run aiven:env and npm run stack:status. Nothing was done.'
    : 'STACK=aiven: the kit does not stop cloud services. To stop paying for them: cd infra/terraform && terraform destroy. Nothing was done.';
}
