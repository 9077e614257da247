import { Faker, en } from '@faker-js/faker';
import { unknownCountry, type ButtonAction, type ButtonPressEvent } from '@workshop/shared';
import type { GeoLookup, VisitorLocation } from './geo.js';

export interface GenerateVisitsOptions {
  /** The only source of randomness: the same seed (and startAt) gives the same events, byte for byte. */
  seed: number;
  /** How many visits (sessions) to make. */
  visits: number;
  /** When the first visitor enters the page. Passed in, never `new Date()`: "now" is not reproducible. */
  startAt: Date;
  geo: GeoLookup;
}

/** Presses come 0.5–5 s apart: a person, not a script. */
const gapBetweenEventsMs = { min: 500, max: 5_000 };
/** The next visitor arrives 1–30 s after the previous one. */
const gapBetweenVisitsMs = { min: 1_000, max: 30_000 };
const maxPressesPerVisit = 20;
/** DB-IP resolves about 6 random IPv4 addresses in 7: 100 misses in a row means something is broken. */
const maxIpTries = 100;

/**
 * Picks a random public IP that the geo database resolves and returns only its location. The IP goes
 * no further than this function: an event — and every topic and table downstream — never holds it.
 */
export function randomVisitorLocation(faker: Faker, geo: GeoLookup): VisitorLocation {
  for (let tries = 0; tries < maxIpTries; tries++) {
    const location = geo.lookupLocation(faker.internet.ipv4());
    if (location.country_code !== unknownCountry.country_code) return location;
  }
  throw new Error(`No random IPv4 address resolved in ${maxIpTries} tries: is the geo database the city database?`);
}

/** The events of one visit: EnterPage, 0..n PressButton, ExitPage — count 0, 1, 2, … in time order. */
function visitEvents(faker: Faker, enteredAt: number, location: VisitorLocation): ButtonPressEvent[] {
  const sessionId = faker.string.uuid();
  const presses = faker.number.int({ min: 0, max: maxPressesPerVisit });
  const actions: ButtonAction[] = ['EnterPage', ...Array<ButtonAction>(presses).fill('PressButton'), 'ExitPage'];
  let at = enteredAt;
  return actions.map((action, count) => {
    if (count > 0) at += faker.number.int(gapBetweenEventsMs);
    return {
      session_id: sessionId,
      // toISOString() is always UTC ("…Z"), whatever the machine's time zone.
      timestamp: new Date(at).toISOString(),
      action,
      count,
      ...location,
      cohort: null, // null = simulated visitor
    };
  });
}

/** `visits` visits, one after another, each visit's events in order: ready to be produced to Kafka. */
export function generateVisits({ seed, visits, startAt, geo }: GenerateVisitsOptions): ButtonPressEvent[] {
  // Our own seeded instance, not faker's shared global: nothing else can move its sequence.
  const faker = new Faker({ locale: [en], seed });
  const events: ButtonPressEvent[] = [];
  let enteredAt = startAt.getTime();
  for (let visit = 0; visit < visits; visit++) {
    if (visit > 0) enteredAt += faker.number.int(gapBetweenVisitsMs);
    events.push(...visitEvents(faker, enteredAt, randomVisitorLocation(faker, geo)));
  }
  return events;
}
