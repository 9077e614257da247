import { randomUUID } from 'node:crypto';

/**
 * Names no other test run has used: tests create their own data and check only that data, so they are
 * re-runnable on a stack that has seen a whole workshop.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

export function uniqueSessionId(): string {
  return randomUUID();
}
