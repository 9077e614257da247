import { loadConfig } from '@workshop/shared';
import { stackUp } from '../native/stack.js';
import { printStatus } from './stack-status.js';
import { paint, runCommand } from './output.js';

/**
 * `npm start` — for now: bring the stack up and print where everything is. (The live pipeline — button
 * app, simulated visitors and sinks — joins here with step 08.)
 */
async function main(): Promise<void> {
  const config = loadConfig();
  console.log('Bringing the stack up…');
  const result = await stackUp(config, (line) => console.log(line));
  const allUp = await printStatus(config);
  console.log('');
  console.log(`  Kafka            ${config.kafka.brokers.join(',')}`);
  console.log(`  Schema registry  ${config.schemaRegistry.url}`);
  console.log(`  Kafka Connect    ${config.connect.url}`);
  console.log(`  PostgreSQL       postgresql://${config.postgres.user}@${config.postgres.host}:${config.postgres.port}/${config.postgres.database}`);
  console.log(`  ClickHouse       ${config.clickhouse.url} (database ${config.clickhouse.database})`);
  console.log('');
  console.log('  Next: steps/00-stack/README.md — then npm test in steps/00-stack.');
  const summary = `✓ every service is up (${result.seconds.toFixed(1)} s) — stop with npm run stack:down`;
  console.log(allUp ? paint('green', summary) : paint('red', '✗ some services are down — see the table above'));
  if (!allUp) process.exitCode = 1;
}

runCommand(main);
