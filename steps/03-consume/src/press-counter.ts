import type { Consumer } from 'kafkajs';
import type { ButtonPressEvent } from '@workshop/shared';
import { readEvent } from './read-event.js';

/**
 * Step 03 — live presses per country from a consumer group. The caller creates the consumer (with its
 * group id), connects and disconnects it (see start.ts); runPressCounter() makes it count.
 */

/** Live counts: country_code ("FI", or "--" when the country is unknown) → PressButton events counted. */
export type PressesByCountry = Map<string, number>;

/** README §1: one event into the counts — a PressButton adds 1 to its country; other actions change nothing. */
export function countPress(presses: PressesByCountry, event: ButtonPressEvent): void {
  // TODO(step 03): for a PressButton event, add 1 to presses[event.country_code] (presses.get / presses.set).
  throw new Error('TODO: count a PressButton event for its country (README §1)');
}

/**
 * README §2–3: the connected `consumer` reads `topic` and counts every event into `presses`, committing
 * an event's offset only once it is counted. Resolves when the consumer runs; it counts until disconnected.
 */
export async function runPressCounter(consumer: Consumer, topic: string, presses: PressesByCountry): Promise<void> {
  // TODO(step 03): consumer.subscribe() to `topic` — a new group must read what is already there — then
  // consumer.run() with an eachMessage that reads the event (readEvent(message.value)), counts it with
  // countPress(), and only then commits its offset (README §3). Skip a message readEvent() cannot read.
  throw new Error('TODO: subscribe and run the consumer, counting each event (README §2)');
}
