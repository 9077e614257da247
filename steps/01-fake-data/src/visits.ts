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

/**
 * Picks a random public IP that the geo database resolves and returns only its location. The IP goes
 * no further than this function: an event — and every topic and table downstream — never holds it.
 */
export function randomVisitorLocation(faker: Faker, geo: GeoLookup): VisitorLocation {
  // TODO(step 01): draw faker.internet.ipv4() until geo.lookupLocation(ip) knows the country
  //   (country_code is not unknownCountry.country_code); return that location. Give up with an
  //   error after ~100 tries — and never put the IP in that error.
  throw new Error('TODO: draw random IPs until one resolves and return its location (README §2)');
}

/** `visits` visits, one after another, each visit's events in order: ready to be produced to Kafka. */
export function generateVisits({ seed, visits, startAt, geo }: GenerateVisitsOptions): ButtonPressEvent[] {
  // TODO(step 01): one `new Faker({ locale: [en], seed })` for every random value. For each visit:
  //   a session_id (faker.string.uuid()), a location (randomVisitorLocation), then the events
  //   EnterPage, 0..n PressButton, ExitPage with count 0, 1, 2, …, timestamps as toISOString(),
  //   0.5–5 s apart, cohort null. The first visit enters at startAt.
  throw new Error('TODO: generate the visits: EnterPage, PressButton…, ExitPage (README §3)');
}
