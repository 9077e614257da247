import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { workshopNames } from '@workshop/shared';
import { clickhouseDatasource, postgresDatasource } from './datasources.js';
import { ClickHouseQueryBuilder, PostgresQueryBuilder } from './queries.js';

/**
 * The dashboard's panels, one function each: a panel builder from the foundation SDK, its datasource and
 * its SQL. Every query filters on the dashboard's time range with the datasource's `$__timeFilter(column)`
 * macro — a panel without it shows all of history whatever the time picker says.
 * The two datasources speak different SQL, and different macros (README §1):
 *   PostgreSQL  `$__timeFilter(col)`, `$__timeGroupAlias(col, '1m')`, `date_trunc`, `::` casts, `count(*) FILTER (…)`
 *   ClickHouse  `$__timeFilter(col)`, `$__timeInterval(col)`, `toStartOfMinute`, `countIf`, `uniqExact`, `FINAL`
 */

const eventsTable = workshopNames.table;
const perMinuteView = workshopNames.pressesPerMinuteView;

/**
 * README §2 — total presses in the time range, one big number, from PostgreSQL (the JDBC sink's table,
 * where UNIQUE (session_id, count) already keeps each press once).
 */
export function totalPressesPanel(): stat.PanelBuilder {
  // TODO(step 07): a stat panel on postgresDatasource with one PostgresQueryBuilder query: the number of
  // PressButton rows of ${eventsTable} whose "timestamp" is in the dashboard's time range ($__timeFilter).
  throw new Error('TODO: build the total presses stat panel (README §2)');
}

/**
 * README §3 — presses per minute, from step 06's view in ClickHouse (one row per minute and country there;
 * summed over countries here).
 */
export function pressesPerMinutePanel(): timeseries.PanelBuilder {
  // TODO(step 07): a timeseries panel on clickhouseDatasource, min interval 1m, with one ClickHouseQueryBuilder
  // query as a time series: $__timeInterval(minute) AS time and the sum of presses from ${perMinuteView},
  // in the time range ($__timeFilter(minute)), grouped and ordered by time.
  throw new Error('TODO: build the presses per minute time series panel (README §3)');
}

/**
 * README §4 — the visit funnel: how many visits entered the page, pressed at least once, and left with
 * an ExitPage, in the time range, from PostgreSQL.
 */
export function visitFunnelPanel(): barchart.PanelBuilder {
  // TODO(step 07): a barchart panel on postgresDatasource with one PostgresQueryBuilder query: one row per
  // step (a text column naming it, and the number of visits — count(DISTINCT session_id)), in funnel order.
  throw new Error('TODO: build the visit funnel bar chart panel (README §4)');
}

/**
 * Presses by country on a world map, from the same ClickHouse view. Geomap places each row by looking its
 * `country_code` up in Grafana's country gazetteer (ISO 3166 alpha-2 codes, as the events carry); the
 * unknown country `--` has no place on a map.
 */
export function pressesByCountryPanel(): geomap.PanelBuilder {
  return new geomap.PanelBuilder()
    .title('Presses by country')
    .description(`From the ClickHouse view ${perMinuteView}. Geolocation by DB-IP (https://db-ip.com), CC BY 4.0.`)
    .datasource(clickhouseDatasource)
    .withTarget(
      new ClickHouseQueryBuilder().asTable().rawSql(
        `SELECT country_code, country_name, sum(presses) AS presses
FROM ${perMinuteView}
WHERE $__timeFilter(minute) AND country_code != '--'
GROUP BY country_code, country_name
ORDER BY presses DESC`,
      ),
    )
    .view(new geomap.MapViewConfigBuilder().id('zero').lat(20).lon(0).zoom(1))
    .basemap(new common.MapLayerOptionsBuilder().type('default').name('Basemap'))
    .layers([
      new common.MapLayerOptionsBuilder()
        .type('markers')
        .name('Presses')
        .location(
          new common.FrameGeometrySourceBuilder()
            .mode(common.FrameGeometrySourceMode.Lookup)
            .lookup('country_code')
            .gazetteer('public/gazetteer/countries.json'),
        )
        .config({
          showLegend: true,
          style: {
            size: { field: 'presses', fixed: 5, min: 5, max: 40 },
            color: { fixed: 'orange' },
            opacity: 0.6,
            text: { mode: 'field', field: 'presses', fixed: '' },
          },
        })
        .tooltip(true),
    ])
    .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details))
    .unit('short');
}

/**
 * The cities with the most presses, from ClickHouse's events table. FINAL: the table is a
 * ReplacingMergeTree, and until a background merge a redelivered event is still there twice — FINAL
 * merges at query time, so each press counts once.
 */
export function topCitiesPanel(): table.PanelBuilder {
  return new table.PanelBuilder()
    .title('Top cities')
    .description('Presses per city (ClickHouse).')
    .datasource(clickhouseDatasource)
    .withTarget(
      new ClickHouseQueryBuilder().asTable().rawSql(
        `SELECT city_name AS city, country_name AS country, count() AS presses
FROM ${eventsTable} FINAL
WHERE action = 'PressButton' AND city_name IS NOT NULL AND $__timeFilter(timestamp)
GROUP BY city, country
ORDER BY presses DESC, city
LIMIT 10`,
      ),
    );
}

/** The latest events, newest first, from PostgreSQL: what the JDBC sink has just written. */
export function latestEventsPanel(): table.PanelBuilder {
  return new table.PanelBuilder()
    .title('Latest events')
    .description('The newest rows of the JDBC sink’s table (PostgreSQL).')
    .datasource(postgresDatasource)
    .withTarget(
      new PostgresQueryBuilder().format('table').rawSql(
        `SELECT "timestamp", action::text AS action, count, country_name, city_name, session_id
FROM ${eventsTable}
WHERE $__timeFilter("timestamp")
ORDER BY "timestamp" DESC, count DESC
LIMIT 20`,
      ),
    );
}
