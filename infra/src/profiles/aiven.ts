import { KitError, loadConfig } from '@workshop/shared';
import { aivenProbes } from '../aiven/status.js';
import { toAivenJdbcSinkConfig } from '../aiven/jdbc-sink.js';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

const terraformHint = 'cd infra/terraform && terraform init && terraform apply, then npm run aiven:env';

/** Aiven: the services run in the cloud (Terraform in infra/terraform); the kit reaches them through .env. */
export function aivenProfile(why: string): StackProfile {
  return {
    name: 'aiven',
    why,
    capabilities: { startsServices: false, grafana: true },
    config: () => loadConfig(),
    async up() {
      const services = await this.status();
      const down = services.filter((service) => !service.working);
      if (down.length > 0) {
        throw new KitError(`aiven: ${down.map((s) => `${s.service} does not answer (${s.problem})`).join('; ')}`, {
          hint: `the kit does not start cloud services: ${terraformHint}; then npm run stack:status`,
          code: 'stack',
        });
      }
      return { started: [], seconds: 0, warnings: [], summary: 'aiven: every service answers (the kit starts nothing in the cloud)' };
    },
    async down() {
      return { stopped: [], summary: 'aiven: the kit does not stop cloud services — to stop paying for them: cd infra/terraform && terraform destroy' };
    },
    async status() {
      const config = loadConfig();
      return Promise.all(
        Object.entries(aivenProbes).map(async ([service, probe]) => {
          const problem = await probe(config);
          return {
            service,
            port: 0,
            runs: 'aiven',
            working: problem === undefined,
            ...(problem === undefined ? {} : { problem }),
            log: 'the Aiven console (Logs tab of the service)',
          };
        }),
      );
    },
    reset: (report) => resetWorkshop(loadConfig(), report),
    jdbcSinkConfig: (debeziumConfig, config) => toAivenJdbcSinkConfig(debeziumConfig, config),
  };
}
