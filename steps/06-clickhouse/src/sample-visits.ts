import { Faker, en } from '@faker-js/faker';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import { readButtonPressSchema, unknownCountry, type ButtonAction, type ButtonPressEvent } from '@workshop/shared';

/**
 * Ready-made (not an exercise): visits in Avro on a topic, so this step runs on its own — `npm start --
 * --sample-visits 50` and the tests use it. Step 01 builds the real generator; step 04 the real producer.
 */
export interface SampleVisitOptions {
  visits: number;
  /** Same seed, same visits. */
  seed?: number;
  /** When the first visit starts (default: a fixed moment, for reproducible tests). */
  start?: Date;
  /** Where session ids come from (tests pass their own unique ids). Default: seeded UUIDs. */
  newSessionId?: () => string;
}

type Place = Pick<ButtonPressEvent, 'country_code' | 'country_name' | 'subdivision_name' | 'city_name'>;

// A few places as the geo lookup would return them, including its two partial answers.
const places: readonly Place[] = [
  { country_code: 'FI', country_name: 'Finland', subdivision_name: 'Uusimaa', city_name: 'Helsinki' },
  { country_code: 'GB', country_name: 'United Kingdom', subdivision_name: 'England', city_name: 'London' },
  { country_code: 'DE', country_name: 'Germany', subdivision_name: 'Berlin', city_name: 'Berlin' },
  { country_code: 'US', country_name: 'United States', subdivision_name: 'California', city_name: 'San Francisco' },
  { country_code: 'BR', country_name: 'Brazil', subdivision_name: null, city_name: null },
  { ...unknownCountry, subdivision_name: null, city_name: null },
];

/** Each visit: EnterPage, 0–5 PressButtons, ExitPage, a second or so apart (with milliseconds). */
export function sampleVisits(options: SampleVisitOptions): ButtonPressEvent[] {
  const faker = new Faker({ locale: [en], seed: options.seed ?? 6 });
  let visitStart = (options.start ?? new Date('2026-01-15T09:00:00.000Z')).getTime();
  const events: ButtonPressEvent[] = [];
  for (let visit = 0; visit < options.visits; visit += 1) {
    const session_id = options.newSessionId?.() ?? faker.string.uuid();
    const place = faker.helpers.arrayElement(places);
    const presses = faker.number.int({ min: 0, max: 5 });
    const actions: ButtonAction[] = ['EnterPage', ...Array<ButtonAction>(presses).fill('PressButton'), 'ExitPage'];
    const cohort = faker.helpers.arrayElement([null, 0]);
    let at = visitStart;
    actions.forEach((action, count) => {
      at += faker.number.int({ min: 150, max: 4000 });
      events.push({ session_id, timestamp: new Date(at).toISOString(), action, count, ...place, cohort });
    });
    visitStart += faker.number.int({ min: 500, max: 20_000 });
  }
  return events;
}

/**
 * Registers the event's schema (the kit's one copy, from step 04) under `<topic>-value` and sends the
 * events in Confluent wire format, keyed by session_id. Returns the schema id.
 */
export async function produceVisits(
  producer: Producer,
  registry: SchemaRegistry,
  topic: string,
  events: ButtonPressEvent[],
): Promise<number> {
  const schema = JSON.stringify(readButtonPressSchema());
  const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-value` });
  const messages = await Promise.all(
    events.map(async (event) => ({
      key: event.session_id,
      // timestamp-millis takes a Date (the kit's logical type in createSchemaRegistry).
      value: await registry.encode(id, { ...event, timestamp: new Date(event.timestamp) }),
    })),
  );
  await producer.send({ topic, messages });
  return id;
}
