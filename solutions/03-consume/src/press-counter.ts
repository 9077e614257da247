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
  if (event.action !== 'PressButton') return;
  presses.set(event.country_code, (presses.get(event.country_code) ?? 0) + 1);
}

/**
 * README §2–3: the connected `consumer` reads `topic` and counts every event into `presses`, committing
 * an event's offset only once it is counted. Resolves when the consumer runs; it counts until disconnected.
 */
export async function runPressCounter(consumer: Consumer, topic: string, presses: PressesByCountry): Promise<void> {
  // A new group has no committed offset: without fromBeginning it would start after the newest event and
  // miss everything already in the topic. A group that has committed offsets continues from them.
  await consumer.subscribe({ topic, fromBeginning: true });
  let warnedAboutJunk = false;
  await consumer.run({
    // We commit ourselves, right after counting: if counting fails, the offset is not committed and the
    // event is read again after a restart — at least once, never lost.
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const event = readEvent(message.value);
      if (event) countPress(presses, event);
      else if (!warnedAboutJunk) {
        // Once, and the position only, never the value: a bad message may hold anything.
        console.warn(`Skipping messages that are not events (the first: ${topic}/${partition} at offset ${message.offset})`);
        warnedAboutJunk = true;
      }
      // The committed offset is the next one to read, hence + 1.
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
}
