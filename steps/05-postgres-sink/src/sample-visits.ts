import { Faker, en } from '@faker-js/faker';
import { unknownCountry, type ButtonAction, type ButtonPressEvent } from '@workshop/shared';

/**
 * Visits to produce: each one an EnterPage, a few PressButtons, an ExitPage. Step 01 builds the real
 * generator (with a geo lookup); this small one keeps step 05 self-contained. Seeded, so the same
 * options always give the same visits.
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
  { country_code: 'JP', country_name: 'Japan', subdivision_name: 'Tokyo', city_name: 'Tokyo' },
  { country_code: 'BR', country_name: 'Brazil', subdivision_name: null, city_name: null },
  { ...unknownCountry, subdivision_name: null, city_name: null },
];

export function sampleVisits(options: SampleVisitOptions): ButtonPressEvent[] {
  const faker = new Faker({ locale: [en], seed: options.seed ?? 5 });
  let visitStart = (options.start ?? new Date('2026-01-15T09:00:00.000Z')).getTime();
  const events: ButtonPressEvent[] = [];
  for (let visit = 0; visit < options.visits; visit += 1) {
    const session_id = options.newSessionId?.() ?? faker.string.uuid();
    const place = faker.helpers.arrayElement(places);
    const presses = faker.number.int({ min: 0, max: 5 });
    const actions: ButtonAction[] = ['EnterPage', ...Array<ButtonAction>(presses).fill('PressButton'), 'ExitPage'];
    let at = visitStart;
    actions.forEach((action, count) => {
      // Gaps with odd milliseconds: a sink that rounds to the second would show.
      at += faker.number.int({ min: 150, max: 4000 });
      events.push({ session_id, timestamp: new Date(at).toISOString(), action, count, ...place, cohort: null });
    });
    visitStart += faker.number.int({ min: 500, max: 20_000 });
  }
  return events;
}
