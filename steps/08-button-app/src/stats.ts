import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { countryTable, html, statsNote, statsPage, type CountryPresses } from './pages.js';

/** What the stats page can say: the counts, "no table yet", or "ClickHouse is not answering". */
export type PressStats =
  | { state: 'counted'; countries: CountryPresses[] }
  | { state: 'no-table' }
  | { state: 'unreachable'; where: string };

export interface PressStatsSource {
  pressesByCountry(): Promise<PressStats>;
}

/** ClickHouse's error codes for a table or database that does not exist (yet). */
const notCreatedYet = new Set(['60', '81']);

/**
 * Presses per country from step 06's table. FINAL: the table is a ReplacingMergeTree on (session_id, count),
 * and a press the sink delivered twice must count once — FINAL collapses duplicates at query time.
 */
export function clickHouseStats(clickhouse: ClickHouseClient, table: string, where: string): PressStatsSource {
  return {
    async pressesByCountry() {
      try {
        const result = await clickhouse.query({
          query: `
            SELECT country_code, country_name, count() AS presses
            FROM {table:Identifier} FINAL
            WHERE action = 'PressButton'
            GROUP BY country_code, country_name
            ORDER BY presses DESC, country_code
            LIMIT 50`,
          query_params: { table },
          format: 'JSONEachRow',
        });
        // UInt64 comes as a string in JSON (it may not fit a double); these counts do.
        const rows = await result.json<{ country_code: string; country_name: string; presses: string }>();
        return { state: 'counted', countries: rows.map((row) => ({ ...row, presses: Number(row.presses) })) };
      } catch (error) {
        if (isClickHouseCode(error, notCreatedYet)) return { state: 'no-table' };
        if (isConnectionProblem(error)) return { state: 'unreachable', where };
        throw error;
      }
    },
  };
}

function isClickHouseCode(error: unknown, codes: Set<string>): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && codes.has(String(error.code));
}

function isConnectionProblem(error: unknown): boolean {
  return isClickHouseCode(error, new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH']));
}

/** GET /stats — the page (it polls); GET /stats/table — the numbers, as an HTML fragment. */
export async function statsRoutes(app: FastifyInstance, options: { stats?: PressStatsSource }): Promise<void> {
  app.get('/stats', async (_request, reply) => reply.type('text/html; charset=utf-8').send(statsPage().value));

  app.get('/stats/table', async (_request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (!options.stats) return reply.send(statsNote('Live stats need ClickHouse: start the app with a stats source.').value);
    const stats = await options.stats.pressesByCountry();
    switch (stats.state) {
      case 'no-table':
        return reply.send(
          statsNote(html`No data yet — run step 06's sink (<code>npm start</code> in <code>steps/06-clickhouse</code>) to fill ClickHouse.`).value,
        );
      case 'unreachable':
        return reply.send(statsNote(html`ClickHouse is not answering on <code>${stats.where}</code> — is the stack up? (<code>npm run stack:status</code>)`).value);
      case 'counted':
        if (stats.countries.length === 0) return reply.send(statsNote('No presses yet. Somebody, push the button!').value);
        return reply.send(countryTable(stats.countries).value);
    }
  });
}
