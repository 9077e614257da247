import { randomUUID } from 'node:crypto';
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
  const actions: ButtonAction[] = ['EnterPage', ...Array<ButtonAction>(presses).fill('PressButton'), 'ExitPage'];
  return actions.map((action, count) => ({
    session_id: sessionId,
    // toISOString() is always UTC ("…Z"), whatever the machine's time zone.
    timestamp: new Date(start.getTime() + count * secondsBetweenEvents * 1000).toISOString(),
    action,
    count,
    ...place,
    cohort: null,
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
