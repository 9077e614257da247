import { resetWorkshop } from '../reset/reset.js';
import { secureStackConfig, secureStackDown, secureStackStatus, secureStackUp, trustSecureStackCa } from '../secure/stack.js';
import type { StackProfile } from './profile.js';

/**
 * The secured local stack (infra/src/secure): the native services with TLS on every connection and a credential on
 * every service, configured through the same variables as Aiven. A second instance beside the native stack, in
 * .stack/secure on its own ports; what it tests is that no step assumes plain TCP, a local address or no password.
 */
export function secureProfile(why: string, options: { roomAddress?: string } = {}): StackProfile {
  return {
    name: 'secure',
    why,
    capabilities: { startsServices: true, grafana: false },
    config: () => {
      // Whoever reads this config will call the stack's HTTPS services: this process must trust the kit's CA.
      trustSecureStackCa();
      return secureStackConfig();
    },
    async up(report) {
      report('Starting the secured stack (TLS and credentials everywhere; .stack/secure, its own ports)…');
      const result = await secureStackUp(report, options);
      const what = result.started.length ? `started ${result.started.join(', ')}` : 'everything was already running';
      return {
        started: result.started,
        seconds: result.seconds,
        warnings: [],
        summary: `secured stack up in ${result.seconds.toFixed(1)} s — ${what}`,
      };
    },
    async down(report, options = {}) {
      const stopped = await secureStackDown(report, options);
      return { stopped, summary: `secured stack down — ${stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running'}` };
    },
    status: () => secureStackStatus(),
    reset: (report, options) => {
      trustSecureStackCa();
      return resetWorkshop(secureStackConfig(), report, options);
    },
    // Its Connect runs the same Debezium sink as the native stack.
    jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  };
}

/**
 * The secured stack served to a room (npm run room): the same stack, its fronts on `address` (certificates naming it).
 * A stack already running on another address is not moved: up says to stop it first.
 */
export function roomStackProfile(address: string): StackProfile {
  return secureProfile(`npm run room on ${address}`, { roomAddress: address });
}
