import { randomUUID } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';
import { unknownCountry, type ButtonAction, type ButtonPressEvent } from './event.js';

/**
 * Sample visits for the steps after 01 and their tests — a stand-in for the generator built in step 01
 * (which finds the country from an IP address, then drops the IP). Not an exercise: read it, use it.
 */

/** Where a visitor is, as the geo lookup of step 01 would say. */
export interface Place {
  country_code: string;
  country_name: string;
  subdivision_name: string | null;
  city_name: string | null;
}

export const samplePlaces: readonly Place[] = [
  { country_code: 'FI', country_name: 'Finland', subdivision_name: 'Uusimaa', city_name: 'Helsinki' },
  { country_code: 'DE', country_name: 'Germany', subdivision_name: 'Berlin', city_name: 'Berlin' },
  { country_code: 'BR', country_name: 'Brazil', subdivision_name: 'São Paulo', city_name: 'São Paulo' },
  { country_code: 'JP', country_name: 'Japan', subdivision_name: 'Tokyo', city_name: 'Tokyo' },
  { country_code: 'KE', country_name: 'Kenya', subdivision_name: 'Nairobi County', city_name: 'Nairobi' },
  { ...unknownCountry, subdivision_name: null, city_name: null },
  // The lookup's partial answer: the country of an address, but no region or city.
  { country_code: 'US', country_name: 'United States', subdivision_name: null, city_name: null },
];

export interface VisitPlan {
  presses: number;
  place: Place;
  /** A new UUID unless given. */
  sessionId?: string;
  /** When the visitor enters the page; now unless given. */
  start?: Date;
  /** Time between two events of the visit. */
  secondsBetweenEvents?: number;
}

/** One visit: EnterPage, `presses` × PressButton, ExitPage — counts 0, 1, 2, … and UTC timestamps. */
export function sampleVisit(plan: VisitPlan): ButtonPressEvent[] {
  const { presses, place, sessionId = randomUUID(), start = new Date(), secondsBetweenEvents = 1 } = plan;
  return visitEvents({ sessionId, place, presses, cohort: null }, (count) => start.getTime() + count * secondsBetweenEvents * 1000);
}

/** A visit's events, counts 0, 1, 2, …; `timeOf(count)` (epoch ms) is called once per event, in count order. */
function visitEvents(
  visit: { sessionId: string; place: Place; presses: number; cohort: number | null },
  timeOf: (count: number) => number,
): ButtonPressEvent[] {
  const actions: ButtonAction[] = ['EnterPage', ...Array<ButtonAction>(visit.presses).fill('PressButton'), 'ExitPage'];
  return actions.map((action, count) => ({
    session_id: visit.sessionId,
    // toISOString() is always UTC ("…Z"), whatever the machine's time zone.
    timestamp: new Date(timeOf(count)).toISOString(),
    action,
    count,
    ...visit.place,
    cohort: visit.cohort,
  }));
}

/**
 * `visits` visits at random places, starting a moment apart and overlapping as real visitors do,
 * merged into one stream in time order (each visit's own events stay in count order).
 */
export function sampleVisits(visits: number, random: () => number = Math.random): ButtonPressEvent[] {
  const now = Date.now();
  const all = Array.from({ length: visits }, (_, i) =>
    sampleVisit({
      presses: Math.floor(random() * 6),
      place: samplePlaces[Math.floor(random() * samplePlaces.length)]!,
      start: new Date(now + i * 700),
      secondsBetweenEvents: 1 + random() * 2,
    }),
  ).flat();
  // Array.prototype.sort is stable: events with the same timestamp keep their order.
  return all.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}

export interface SeededVisitOptions {
  visits: number;
  /** Same seed, same visits. */
  seed?: number;
  /** When the first visit starts (default: a fixed moment, for reproducible tests). */
  start?: Date;
  /** Where session ids come from (tests pass their own unique ids). Default: seeded UUIDs. */
  newSessionId?: () => string;
  /** The cohorts a visit may be in, one picked per visit (default: only null, a simulated visitor). */
  cohorts?: readonly (number | null)[];
}

/**
 * Reproducible visits for the steps from 04 on, their tests and `npm start`: the same options always give the
 * same events. Each visit is EnterPage, 0–5 PressButtons, ExitPage at a random place; the visits start a few
 * seconds apart and overlap, one visit's events after another's (each in count order).
 */
export function seededSampleVisits(options: SeededVisitOptions): ButtonPressEvent[] {
  const { visits, seed = 1, start = new Date('2026-01-15T09:00:00.000Z'), newSessionId, cohorts = [null] } = options;
  const faker = new Faker({ locale: [en], seed });
  let visitStart = start.getTime();
  return Array.from({ length: visits }, () => {
    const sessionId = newSessionId?.() ?? faker.string.uuid();
    const place = faker.helpers.arrayElement(samplePlaces);
    const presses = faker.number.int({ min: 0, max: 5 });
    const cohort = faker.helpers.arrayElement(cohorts);
    let at = visitStart;
    visitStart += faker.number.int({ min: 500, max: 20_000 });
    // Gaps with odd milliseconds: a sink that rounds to the second would show.
    return visitEvents({ sessionId, place, presses, cohort }, () => (at += faker.number.int({ min: 150, max: 4000 })));
  }).flat();
}
