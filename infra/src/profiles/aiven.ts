import { loadConfig } from '@workshop/shared';
import { aivenProbes, aivenUpDownExplanation } from '../aiven/status.js';
import { toAivenJdbcSinkConfig } from '@workshop/shared';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

/** Aiven: the services run in the cloud (Terraform in infra/terraform); the kit reaches them through .env. */
export function aivenProfile(why: string): StackProfile {
  return {
    name: 'aiven',
    why,
    capabilities: { startsServices: false, grafana: true },
    config: () => loadConfig(),
    // The kit starts and stops nothing in the cloud: `up` and `down` say what to do instead (and `npm start` then
    // shows which services answer, from status()).
    async up() {
      return { started: [], seconds: 0, warnings: [], summary: aivenUpDownExplanation('up') };
    },
    async down() {
      return { stopped: [], summary: aivenUpDownExplanation('down') };
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
    reset: (report, options) => resetWorkshop(loadConfig(), report, options),
    jdbcSinkConfig: (debeziumConfig, config) => toAivenJdbcSinkConfig(debeziumConfig, config),
  };
}
