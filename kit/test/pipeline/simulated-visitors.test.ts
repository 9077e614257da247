import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startSimulatedVisitors } from '../../src/pipeline/simulated-visitors.js';

// Issue 14 (Low): a failed send lost its events — a gap in a visit's counts, and a lost ExitPage. Now a failed batch
// is sent again, in order, before anything later.

describe('npm start --visitors: simulated visitors', () => {
  it('sends a failed batch again, so every visit arrives whole: EnterPage first, counts 0, 1, 2, … without a gap', async () => {
    const sent: Array<{ session: string; count: number; action: string }> = [];
    let sends = 0;
    const producer = {
      send: async ({ messages }: { messages: Array<{ value: Buffer }> }) => {
        sends += 1;
        if (sends <= 2) throw new Error('broker not answering'); // the first two sends fail
        for (const message of messages) sent.push(JSON.parse(message.value.toString()));
      },
    } as unknown as Producer;
    // The "encoding" keeps what the test needs to read back.
    const registry = {
      encode: async (_id: number, value: { session_id: string; count: number; action: string }) =>
        Buffer.from(JSON.stringify({ session: value.session_id, count: value.count, action: value.action })),
    } as unknown as SchemaRegistry;
    const errors: unknown[] = [];
    const visitors = await startSimulatedVisitors({
      visitors: 3,
      producer,
      registry,
      topic: 't',
      schemaId: 1,
      onError: (e) => errors.push(e),
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await visitors.stop();

    expect(errors).toHaveLength(2);
    const bySession = new Map<string, typeof sent>();
    for (const event of sent) bySession.set(event.session, [...(bySession.get(event.session) ?? []), event]);
    expect(bySession.size).toBeGreaterThan(0);
    for (const [session, events] of bySession) {
      expect(
        events.map((event) => event.count),
        session,
      ).toEqual(events.map((_, index) => index));
      expect(events[0]?.action, session).toBe('EnterPage');
    }
    expect(visitors.produced()).toBe(sent.length);
  });
});
