import { parseArgs } from 'node:util';
import { KitError, createKafka, loadConfig, workshopNames } from '@workshop/shared';
import { runPressCounter, type PressesByCountry } from './press-counter.js';
import { showPressTable } from './press-table.js';

/** npm start [-- --group <id> | --from-scratch]: live presses per country from button_presses_json. Ctrl-C stops. */
const { values } = parseArgs({
  options: { group: { type: 'string', default: 'press-counter' }, 'from-scratch': { type: 'boolean', default: false } },
});
// A group continues from its committed offsets; a brand-new group reads the topic from its start.
const throwawayGroup = values['from-scratch'];
const groupId = throwawayGroup ? `press-counter-${Date.now()}` : values.group;

const kafka = createKafka(loadConfig());
const consumer = kafka.consumer({ groupId });
const presses: PressesByCountry = new Map();
const stopTable = showPressTable(
  presses,
  process.stdout,
  `Presses per country in ${workshopNames.jsonTopic} — consumer group "${groupId}" (Ctrl-C stops)`,
);

async function stop(exitCode: number): Promise<void> {
  stopTable();
  // Leaving the group at once hands its partitions to the other members without waiting for a timeout.
  await consumer.disconnect();
  if (throwawayGroup) await deleteGroup(groupId);
  process.exit(exitCode);
}
/** A --from-scratch group is used once: remove its committed offsets rather than leave them behind. */
async function deleteGroup(id: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([id]).catch(() => undefined);
  await admin.disconnect();
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

/** Subscribing to a missing topic makes kafkajs log a raw ERROR line; this says what to do instead. */
async function requireTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
  } finally {
    await admin.disconnect();
  }
  throw new KitError(`The topic ${topic} does not exist yet`, {
    hint: "run step 02's npm start first (in steps/02-produce-json): it creates the topic and sends visits to it",
  });
}

try {
  await requireTopic(workshopNames.jsonTopic);
  await consumer.connect();
  await runPressCounter(consumer, workshopNames.jsonTopic, presses);
} catch (error) {
  console.error(`✗ ${(error as Error).message}`);
  if (error instanceof KitError && error.hint) console.error(`  ${error.hint}`);
  await stop(1);
}
