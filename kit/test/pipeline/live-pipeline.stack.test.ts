import { describe, expect, it } from 'vitest';
import { loadConfig } from '@workshop/shared';
import { pollUntil } from '@workshop/shared/testing';
import { portAnswers } from '../../../infra/src/native/processes.js';
import { startLivePipeline, type PipelineCounts } from '../../src/pipeline/live-pipeline.js';

/**
 * The root `npm start`, minus the terminal: the reference pipeline on the real stack. Simulated visitors'
 * events must reach Kafka, PostgreSQL (JDBC sink) and ClickHouse (TypeScript sink) alike, the button app
 * must answer, and stop() must leave nothing listening.
 */
const config = loadConfig();

describe('live pipeline (npm start)', () => {
  it('moves simulated visitors through Kafka into PostgreSQL and ClickHouse, then stops cleanly', async () => {
    const errors: unknown[] = [];
    const pipeline = await startLivePipeline(config, {
      visitors: 5,
      jdbcSinkConfig: (debeziumConfig) => debeziumConfig,
      report: () => undefined,
      onError: (e) => errors.push(e),
    });
    try {
      const base = await pipeline.counts();
      const page = await fetch(pipeline.buttonAppUrl);
      expect(page.status).toBe(200);

      const grown = (c: PipelineCounts) => ({
        kafka: c.inKafka - base.inKafka,
        postgres: c.inPostgres - base.inPostgres,
        clickhouse: c.inClickHouse - base.inClickHouse,
      });
      // Wait for some events, then for both sinks to catch up with what Kafka holds.
      await pollUntil(async () => ((await pipeline.counts()).simulated >= 10 ? true : undefined), {
        hint: 'the simulated visitors produced nothing',
        timeoutMs: 60_000,
      });
      const caughtUp = await pollUntil(
        async () => {
          const delta = grown(await pipeline.counts());
          return delta.kafka > 0 && delta.postgres >= delta.kafka && delta.clickhouse >= delta.kafka ? delta : undefined;
        },
        { hint: 'PostgreSQL and ClickHouse did not catch up with Kafka', timeoutMs: 60_000, intervalMs: 300 },
      );
      expect(caughtUp.kafka).toBeGreaterThanOrEqual(10);
    } finally {
      await pipeline.stop();
    }
    expect(await portAnswers('127.0.0.1', Number(new URL(pipeline.buttonAppUrl).port))).toBe(false);
    expect(errors).toEqual([]);
  });
});
