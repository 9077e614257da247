import { buttonActions, type ButtonAction, type ButtonPressEvent } from '@workshop/shared';

/**
 * The event in a message value, or undefined when the value is not an event's JSON (a producer's bug,
 * a test's junk). A consumer skips such a message instead of failing on it forever: one bad message
 * must not stop the counts. (Step 05 sends them to a dead-letter topic instead.) Not an exercise.
 */
export function readEvent(value: Buffer | null): ButtonPressEvent | undefined {
  if (value === null) return undefined;
  try {
    const event = JSON.parse(value.toString('utf8')) as Partial<ButtonPressEvent> | null;
    if (typeof event?.country_code === 'string' && buttonActions.includes(event.action as ButtonAction)) {
      return event as ButtonPressEvent;
    }
  } catch {
    // Not JSON at all: the same answer as JSON that is not an event.
  }
  return undefined;
}
