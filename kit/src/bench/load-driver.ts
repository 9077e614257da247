import autocannon from 'autocannon';
import { loadOptionsSchema, type LoadResult } from './load.js';

/** Entry file of the bench's load process (started by load.ts's runLoad): options as JSON in argv[2], results as one JSON line. */
const options = loadOptionsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
let connection = 0;
const result = await autocannon({
  url: options.url,
  method: 'POST',
  headers: options.headers,
  connections: options.connections,
  duration: options.durationSeconds,
  overallRate: options.overallRate,
  setupClient: (client) => {
    const cookie = options.cookies[connection++ % Math.max(1, options.cookies.length)];
    if (cookie) client.setHeaders({ ...options.headers, cookie });
  },
});
const summary: LoadResult = {
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  seconds: result.duration,
  p50Ms: result.latency.p50,
  // autocannon's histogram has p90 and p97.5, no p95: the next one up, so a p95 is never understated.
  p95Ms: result.latency.p97_5,
  p99Ms: result.latency.p99,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
