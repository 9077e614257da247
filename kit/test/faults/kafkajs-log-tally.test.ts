import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkajsLogTally } from '../../src/faults/kafkajs-log-tally.js';

/** What kafkajs hands a log creator: the broker's address rides along with every connection error. */
function entry(level: logLevel, message: string, error?: string) {
  return {
    namespace: 'Connection',
    level,
    label: logLevel[level],
    log: { timestamp: '2026-12-03T15:16:14.565Z', message, broker: '127.0.0.1:9092', ...(error ? { error } : {}) },
  };
}

describe('the fault suite tallies kafkajs’s log instead of printing it', () => {
  it('counts errors and warnings per message, most frequent first, names no broker address, and starts over after each drain', () => {
    const tally = createKafkajsLogTally();
    const log = tally.logCreator(logLevel.INFO);
    expect(tally.drain()).toBeUndefined();
    for (let i = 0; i < 3; i++)
      log(entry(logLevel.ERROR, '[Producer] Failed to send messages', 'This server is not the leader for that topic-partition'));
    for (let i = 0; i < 5; i++)
      log(
        entry(
          logLevel.ERROR,
          '[Connection] Response Produce(key: 0, version: 7)',
          'This server is not the leader for that topic-partition',
        ),
      );
    log(entry(logLevel.WARN, '[Consumer] Restarting the consumer'));
    log(entry(logLevel.INFO, '[Consumer] Starting'));
    log(entry(logLevel.DEBUG, '[Connection] Request Metadata'));

    const line = tally.drain();
    expect(line).toBe(
      'kafkajs logged 9 error(s) and warning(s): 5× [Connection] Response Produce(key: 0, version: 7): This server is not the leader for that topic-partition; ' +
        '3× [Producer] Failed to send messages: This server is not the leader for that topic-partition; 1 other message(s)',
    );
    expect(line).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    expect(tally.drain()).toBeUndefined();
    log(entry(logLevel.WARN, '[Consumer] Restarting the consumer'));
    expect(tally.drain()).toBe('kafkajs logged 1 error(s) and warning(s): 1× [Consumer] Restarting the consumer');
  });

  it('replaces an address inside a message or an error with "the broker"', () => {
    const tally = createKafkajsLogTally();
    const log = tally.logCreator(logLevel.INFO);
    log(entry(logLevel.ERROR, '[BrokerPool] Failed to connect to seed broker', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
    log(entry(logLevel.ERROR, '[Connection] Connection error: connect ECONNREFUSED [::1]:19092'));
    const line = tally.drain() ?? '';
    expect(line).toContain('Connection error: connect ECONNREFUSED the broker');
    expect(line).not.toMatch(/127\.0\.0\.1|::1|9092/);
  });
});
