import { parseArgs } from 'node:util';
import { openGeoLookup } from './geo.js';
import { generateVisits } from './visits.js';

/**
 * npm start -- --visits 5 [--seed 42] [--start 2025-01-01T09:00:00Z]
 * Prints one event per line as JSON (JSON Lines). Same --seed and --start → the same output.
 */
const { values } = parseArgs({
  options: {
    visits: { type: 'string', default: '10' },
    seed: { type: 'string' },
    start: { type: 'string' },
  },
});

const visits = Number(values.visits);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const startAt = values.start === undefined ? new Date() : new Date(values.start);
if (!Number.isInteger(visits) || visits < 0 || !Number.isInteger(seed) || Number.isNaN(startAt.getTime())) {
  console.error('usage: npm start -- --visits <n> [--seed <integer>] [--start <ISO time, e.g. 2025-01-01T09:00:00Z>]');
  process.exit(2);
}

const geo = await openGeoLookup();
for (const event of generateVisits({ seed, visits, startAt, geo })) console.log(JSON.stringify(event));
// stderr, so the JSON lines on stdout stay clean; DB-IP's licence (CC BY 4.0) asks for the credit.
console.error(`${visits} visits, seed ${seed} — IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0`);
