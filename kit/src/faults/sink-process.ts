import { loadConfig } from '@workshop/shared';
import { startLivePipeline } from '../pipeline/live-pipeline.js';
import { createKafkajsLogTally } from './kafkajs-log-tally.js';

/**
 * Entry file of the fault suite's ClickHouse sink: the live pipeline's sink alone, in a process of its own, so that
 * `npm run faults` can kill -9 it and start it again. Prints `ready` once it consumes; exits 3 when the sink stops by
 * itself (a batch it could not store), 0 on SIGTERM after a clean stop.
 */
const config = loadConfig();
// kafkajs's own ERROR lines, tallied (kafkajs-log-tally.ts): one line every 5 s at most, while there are any.
const kafkajsLog = createKafkajsLogTally();
setInterval(() => {
  const line = kafkajsLog.drain();
  if (line) console.log(line);
}, 5000).unref();
const pipeline = await startLivePipeline(config, {
  kafkaLogCreator: kafkajsLog.logCreator,
  visitors: 0,
  jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
  parts: { postgresSink: false, buttonApp: false, clickhouseSink: true },
  report: (line) => console.log(line.trim()),
  onError: (error) => console.error(error instanceof Error ? error.message : String(error)),
});
console.log('ready');
pipeline.clickhouseSinkStopped.catch((error: unknown) => {
  console.error(`the sink stopped by itself: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(3);
});
process.once('SIGTERM', () => {
  void pipeline.stop().finally(() => process.exit(0));
});
