import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import type { ButtonPressEvent } from '@workshop/shared';
import { generateVisits, openGeoLookup, produceVisits } from './reference-solutions.js';

/**
 * `npm start -- --visitors N`: N simulated visitors pressing the button at once, in real time — step 01's
 * generator makes each visit (geo from a random IP, which is dropped), step 04's producer sends each event
 * when its time comes. When a visitor leaves, another arrives.
 */
export interface SimulatedVisitors {
  /** Events sent so far. */
  produced(): number;
  stop(): Promise<void>;
}

export async function startSimulatedVisitors(options: {
  visitors: number;
  producer: Producer;
  registry: SchemaRegistry;
  topic: string;
  schemaId: number;
  /** Reported once per failed send; the stream goes on and the events are sent again on the next tick. */
  onError: (error: unknown) => void;
}): Promise<SimulatedVisitors> {
  const geo = await openGeoLookup();
  const due: ButtonPressEvent[] = [];
  let produced = 0;
  let seed = Date.now();

  const planVisit = (startAt: Date) => {
    // One visit at a time per visitor; its events are queued at their own timestamps.
    const events = generateVisits({ seed: seed++, visits: 1, startAt, geo });
    due.push(...events);
  };
  for (let i = 0; i < options.visitors; i += 1) planVisit(new Date(Date.now() + i * 400));

  let sending = Promise.resolve();
  let inFlight = false;
  const tick = setInterval(() => {
    // One send at a time: a failed batch goes back to the front of the line before anything later is sent.
    if (inFlight) return;
    const now = Date.now();
    const ready = due.filter((event) => Date.parse(event.timestamp) <= now);
    if (ready.length === 0) return;
    for (const event of ready) due.splice(due.indexOf(event), 1);
    inFlight = true;
    sending = produceVisits(options.producer, options.registry, options.topic, options.schemaId, ready)
      .then(() => {
        produced += ready.length;
        // A leaving visitor is replaced by a new one, a moment later (once its ExitPage is sent).
        for (const exit of ready.filter((event) => event.action === 'ExitPage')) {
          planVisit(new Date(Date.now() + 500 + (exit.count % 5) * 700));
        }
      })
      .catch((error: unknown) => {
        // Not lost: sent again on the next tick, in order — an ExitPage too, and no count is skipped.
        due.unshift(...ready);
        options.onError(error);
      })
      .finally(() => {
        inFlight = false;
      });
  }, 250);

  return {
    produced: () => produced,
    async stop() {
      clearInterval(tick);
      await sending;
    },
  };
}
