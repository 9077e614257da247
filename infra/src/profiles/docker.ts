import { loadConfig } from '@workshop/shared';
import { dockerStackDown, dockerStackStatus, dockerStackUp } from '../docker/stack.js';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

/** docker-compose.yml at the root: the same services and ports as the native stack, plus Grafana. */
export function dockerProfile(why: string): StackProfile {
  return {
    name: 'docker',
    why,
    capabilities: { startsServices: true, grafana: true },
    // Read on every call: `up` writes the containers' JDBC URL into .env, and a config read before it points Connect at itself.
    config: () => loadConfig(),
    async up(report) {
      const result = await dockerStackUp(loadConfig(), report);
      return {
        // Compose starts (or keeps) the whole file; `down` takes all of it down again.
        started: ['docker stack'],
        seconds: result.seconds,
        warnings: result.warnings,
        summary: `docker stack up in ${result.seconds.toFixed(1)} s — Grafana: ${loadConfig().grafana.url}`,
      };
    },
    async down(report) {
      await dockerStackDown(report);
      return {
        stopped: ['docker stack'],
        summary: 'docker stack down — containers removed, data kept in the named volumes (delete it too: docker compose down -v)',
      };
    },
    async status() {
      return (await dockerStackStatus(loadConfig())).map((s) => ({
        service: s.service,
        port: s.port,
        runs: s.container,
        working: s.working,
        ...(s.problem === undefined ? {} : { problem: s.problem }),
        log: `docker compose logs ${s.service}`,
      }));
    },
    reset: (report) => resetWorkshop(loadConfig(), report),
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}
