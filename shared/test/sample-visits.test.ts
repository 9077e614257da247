import { describe, expect, it } from 'vitest';
import type { ButtonPressEvent } from '../src/event.js';
import { seededSampleVisits } from '../src/sample-visits.js';

function byVisit(events: ButtonPressEvent[]): ButtonPressEvent[][] {
  const visits = new Map<string, ButtonPressEvent[]>();
  for (const event of events) visits.set(event.session_id, [...(visits.get(event.session_id) ?? []), event]);
  return [...visits.values()];
}

/** What the sink steps' tests count on from their visits. */
describe('seededSampleVisits()', () => {
  it('gives the same visits for the same seed, other visits for another', () => {
    expect(seededSampleVisits({ visits: 10, seed: 42 })).toEqual(seededSampleVisits({ visits: 10, seed: 42 }));
    expect(seededSampleVisits({ visits: 10, seed: 43 })).not.toEqual(seededSampleVisits({ visits: 10, seed: 42 }));
  });

  it('makes each visit EnterPage, PressButtons, ExitPage, counted from 0, later and later, from `start` on', () => {
    const start = new Date('2026-05-01T10:00:00.000Z');
    let id = 0;
    const events = seededSampleVisits({ visits: 30, seed: 7, start, newSessionId: () => `visit-${id++}` });
    const visits = byVisit(events);
    expect(visits).toHaveLength(30);
    for (const visit of visits) {
      expect(visit.map((event) => event.count)).toEqual(visit.map((_, i) => i));
      expect(visit.map((event) => event.action)).toEqual(['EnterPage', ...Array(visit.length - 2).fill('PressButton'), 'ExitPage']);
      const times = visit.map((event) => Date.parse(event.timestamp));
      expect(times.every((time, i) => time > (times[i - 1] ?? start.getTime()))).toBe(true);
    }
  });

  it('has odd milliseconds, so a sink that keeps whole seconds shows', () => {
    const events = seededSampleVisits({ visits: 5, seed: 1 });
    expect(events.filter((event) => event.timestamp.endsWith('.000Z'))).toHaveLength(0);
  });

  it('puts every visit in cohort null unless given cohorts to pick from', () => {
    expect(new Set(seededSampleVisits({ visits: 20, seed: 3 }).map((event) => event.cohort))).toEqual(new Set([null]));
    const mixed = seededSampleVisits({ visits: 20, seed: 3, cohorts: [null, 0] });
    expect(new Set(mixed.map((event) => event.cohort))).toEqual(new Set([null, 0]));
    for (const visit of byVisit(mixed)) expect(new Set(visit.map((e) => e.cohort)).size).toBe(1);
  });
});
