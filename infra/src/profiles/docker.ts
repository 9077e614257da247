import { loadConfig, localSecretsDir, type WorkshopConfig } from '@workshop/shared';
import {
  type DockerEngine,
  type DockerProbe,
  dockerCliEngine,
  dockerStackDown,
  dockerStackStatus,
  dockerStackUp,
  wholeStack,
} from '../docker/stack.js';
import { grafanaAdminPasswordOnce } from '../docker/grafana-admin.js';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

/** What the docker profile uses; tests pass a fake engine and probes (infra/test/profiles/docker.test.ts). */
export interface DockerProfileDependencies {
  engine?: DockerEngine;
  probe?: DockerProbe;
  grafanaPlugin?: (config: WorkshopConfig) => Promise<boolean>;
  loadConfig?: () => WorkshopConfig;
  startupTimeoutMs?: number;
  pluginWaitMs?: number;
  pollMs?: number;
  /** Where the local secrets are (default .stack/secrets). */
  secretsDir?: string;
}

/**
 * docker-compose.yml at the root: the same services and ports as the native stack, plus Grafana. `up` is
 * `docker compose up -d` and a wait: it writes nothing, so the config is the same before and after it — the JDBC URL a
 * step gives Connect (this machine's PostgreSQL address) reaches PostgreSQL from Connect's container through the compose
 * file's connect-postgres-link.
 */
export function dockerProfile(why: string, dependencies: DockerProfileDependencies = {}): StackProfile {
  const config = dependencies.loadConfig ?? (() => loadConfig());
  const engine = dependencies.engine ?? dockerCliEngine();
  return {
    name: 'docker',
    why,
    capabilities: { startsServices: true, grafana: true },
    config,
    async up(report, options = {}) {
      const current = config();
      const result = await dockerStackUp(current, report, {
        engine,
        ...(dependencies.probe ? { probe: dependencies.probe } : {}),
        ...(dependencies.grafanaPlugin ? { grafanaPlugin: dependencies.grafanaPlugin } : {}),
        ...(dependencies.startupTimeoutMs !== undefined ? { startupTimeoutMs: dependencies.startupTimeoutMs } : {}),
        ...(dependencies.pluginWaitMs !== undefined ? { pluginWaitMs: dependencies.pluginWaitMs } : {}),
        ...(dependencies.pollMs !== undefined ? { pollMs: dependencies.pollMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const adminPassword = grafanaAdminPasswordOnce(dependencies.secretsDir ?? localSecretsDir());
      if (adminPassword) report(`  ${adminPassword}`);
      return {
        // Compose starts (or keeps) the whole file. A run that found some services answering stops only the others
        // (down({ only }) with the names stack:status shows); stack:down stops the whole file.
        started: [wholeStack],
        seconds: result.seconds,
        warnings: result.warnings,
        summary: `docker stack up in ${result.seconds.toFixed(1)} s — Grafana: ${current.grafana.url}`,
      };
    },
    async down(report, options = {}) {
      const stopped = await dockerStackDown(report, { engine, ...(options.only ? { only: options.only } : {}) });
      if (stopped.includes(wholeStack)) {
        return {
          stopped,
          summary: 'docker stack down — containers removed, data kept in the named volumes (start over: docker compose down -v)',
        };
      }
      const what = stopped.length ? `stopped ${stopped.join(', ')}; the rest keeps running` : 'nothing to stop';
      return { stopped, summary: `docker stack: ${what}` };
    },
    async status() {
      const states = await dockerStackStatus(config(), { engine, ...(dependencies.probe ? { probe: dependencies.probe } : {}) });
      return states.map((s) => ({
        service: s.service,
        port: s.port,
        runs: s.container,
        working: s.working,
        ...(s.problem === undefined ? {} : { problem: s.problem }),
        log: `docker compose logs ${s.service}`,
      }));
    },
    reset: (report, options) => resetWorkshop(config(), report, options),
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}
