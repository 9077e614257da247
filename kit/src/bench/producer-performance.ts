import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KitError, type WorkshopConfig } from '@workshop/shared';
// Not among @workshop/infra's exports (the stack itself has no use for kafka-tools): reached by path, like the solutions.
import { artifactComponents, ensureArtifacts } from '../../../infra/src/native/artifacts.js';
import { stackPaths } from '../../../infra/src/native/paths.js';
import { readStackVersions } from '../../../infra/src/native/versions.js';

/** What Kafka's own producer benchmark reports in its last line. */
export interface ProducerPerformanceResult {
  records: number;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * The final summary line of `org.apache.kafka.tools.ProducerPerformance`, e.g.
 * "20000 records sent, 2927.8 records/sec (0.34 MB/sec), 900.25 ms avg latency, 3788.00 ms max latency,
 * 1002 ms 50th, 1329 ms 95th, 1382 ms 99th, 1418 ms 99.9th." — undefined when the output has none.
 */
export function parseProducerPerformance(output: string): ProducerPerformanceResult | undefined {
  const match =
    /(\d+) records sent, ([\d.]+) records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(
      output,
    );
  if (!match) return undefined;
  const [, records, rate, p50, p99] = match;
  return { records: Number(records), recordsPerSecond: Number(rate), p50Ms: Number(p50), p99Ms: Number(p99) };
}

/**
 * Kafka's producer at full speed (`--throughput -1`) into `topic`: the limit the kit's producers are measured
 * against. It runs on the stack's own Kafka jars plus kafka-tools (same version, checksum-locked like every
 * artifact: infra/native/artifacts.lock.json), fetched on first use.
 */
export async function runProducerPerformance(
  config: WorkshopConfig,
  options: { topic: string; records: number; recordSize: number; log: (line: string) => void },
): Promise<ProducerPerformanceResult> {
  if (config.kafka.ssl || config.kafka.sasl) {
    throw new KitError("bench: Kafka's ProducerPerformance is run against the local stack only (this Kafka wants TLS/SASL)", {
      hint: 'run npm run bench on the native or docker stack',
    });
  }
  const paths = stackPaths();
  const versions = readStackVersions();
  const components = artifactComponents(paths, versions).filter((c) => c.id === 'kafka' || c.id === 'kafka-tools');
  const dirs = await ensureArtifacts(paths, versions, { log: (line) => options.log(`  ${line}`), components });
  const classpath = components.map((c) => join(dirs[c.id] ?? '', '*')).join(':');
  const args = [
    '-Xmx512m',
    '-cp',
    classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.kafka.brokers.join(',')}`,
    'acks=all',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', (error) =>
      reject(new KitError(`bench: java could not run: ${error.message}`, { hint: 'install Java 17+ (infra/README.md)', cause: error })),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(text)
        : reject(new KitError(`bench: ProducerPerformance failed (exit ${code}): ${text.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
  const result = parseProducerPerformance(output);
  if (!result) throw new KitError(`bench: ProducerPerformance printed no summary: ${output.trim().split('\n').slice(-3).join(' | ')}`);
  return result;
}
