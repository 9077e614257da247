import { loadConfig } from '@workshop/shared';
import { startButtonApp } from './server.js';

/**
 * Step 08 — `npm start`: the button app on http://127.0.0.1:8080 (BUTTON_APP_HOST / BUTTON_APP_PORT).
 * Behind a reverse proxy, name it so X-Forwarded-For is believed: BUTTON_APP_TRUST_PROXY=127.0.0.1
 * (addresses or CIDRs, comma-separated). Ctrl-C stops it cleanly.
 */
const config = loadConfig();
const { trustedProxies } = config.buttonApp;

const running = await startButtonApp(config, { trustProxy: trustedProxies.length ? trustedProxies : false }).catch((error: unknown) => {
  console.error(`The button app could not start: ${(error as Error).message}\nIs the stack up? (npm run stack:status at the root of the kit)`);
  process.exit(1);
});

console.log(`\n  The button:  ${running.url}/\n  Live stats:  ${running.url}/stats\n\n  Ctrl-C to stop.\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: finishing the requests in flight, then disconnecting from Kafka…`);
    running.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
