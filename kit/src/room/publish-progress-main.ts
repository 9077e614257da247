import { loadConfig } from '@workshop/shared';
import type { ProgressEvent } from './progress-event.js';
import { publishProgress } from './progress-topic.js';

/**
 * The detached publisher (progress-reporter.ts): sends the event in WORKSHOP_PROGRESS_EVENT and exits. Silent by
 * design — its output goes nowhere, and a stack that is down or a room network that is gone is not a participant's
 * problem — and bounded: whatever happens, it is gone after `deadlineMs`.
 */
const deadlineMs = 8000;

setTimeout(() => process.exit(0), deadlineMs).unref();

async function main(): Promise<void> {
  const raw = process.env.WORKSHOP_PROGRESS_EVENT;
  if (!raw) return;
  const parsed = JSON.parse(raw) as Omit<ProgressEvent, 'time'> & { time: string };
  await publishProgress(loadConfig(), { ...parsed, time: new Date(parsed.time) });
}

main().then(
  () => process.exit(0),
  () => process.exit(0),
);
