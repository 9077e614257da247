import { loadConfig } from '@workshop/shared';
import { join } from 'node:path';
import { removeDockerEnv } from '../docker/env-file.js';
import { stackPaths } from '../native/paths.js';
import { nativeServices } from '../native/services.js';
import { stackDown, stackStatus, stackUp } from '../native/stack.js';
import { resetWorkshop } from '../reset/reset.js';
import type { StackProfile } from './profile.js';

/** The native stack: Kafka, Connect and the registry from Maven Central, the machine's PostgreSQL, ClickHouse over chDB. */
export function nativeProfile(why: string): StackProfile {
  return {
    name: 'native',
    why,
    capabilities: { startsServices: true, grafana: false },
    config: () => loadConfig(),
    async up(report, options = {}) {
      // A docker stack's CONNECT_JDBC_URL (postgres:5432) would send the native Connect nowhere.
      if (await removeDockerEnv(join(stackPaths().repoRoot, '.env'))) report("  removed the docker stack's block from .env");
      report('Starting the native stack (Kafka, schema registry, Kafka Connect, PostgreSQL, ClickHouse)…');
      const result = await stackUp(loadConfig(), report, { ...(options.signal ? { signal: options.signal } : {}) });
      const what = result.started.length ? `started ${result.started.join(', ')}` : 'everything was already running';
      return {
        started: result.started,
        seconds: result.seconds,
        warnings: [],
        summary: `stack up in ${result.seconds.toFixed(1)} s — ${what}`,
      };
    },
    async down(report, options = {}) {
      const services = options.only ? nativeServices.filter((service) => options.only?.includes(service.name)) : nativeServices;
      const stopped = await stackDown(report, { services });
      const what = stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running';
      return { stopped, summary: `stack down — ${what} (the machine's PostgreSQL keeps running)` };
    },
    async status() {
      return (await stackStatus(loadConfig())).map((s) => ({
        service: s.service,
        port: s.port,
        runs: s.pid ? `pid ${s.pid}` : '-',
        working: s.working,
        ...(s.problem === undefined ? {} : { problem: s.problem }),
        log: s.log,
      }));
    },
    reset: (report, options) => resetWorkshop(loadConfig(), report, options),
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}
