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
 * README §2 — total presses in the time range, one big number. PostgreSQL: the JDBC sink's table, where
 * UNIQUE (session_id, count) already keeps each press once.
 */
export function totalPressesPanel(): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title('Presses')
    .description('PressButton events in the time range (PostgreSQL).')
    .datasource(postgresDatasource)
    .withTarget(
      new PostgresQueryBuilder().format('table').rawSql(
        `SELECT count(*) AS presses
FROM ${eventsTable}
WHERE action = 'PressButton' AND $__timeFilter("timestamp")`,
      ),
    )
    .unit('short')
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * README §3 — presses per minute, from step 06's view in ClickHouse (already one row per minute and
 * country; summed over countries here). `$__timeInterval(minute)` buckets by the panel's interval, at least
 * a minute (`.interval('1m')`): on a long time range Grafana widens it, and the sum still adds up.
 */
export function pressesPerMinutePanel(): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title('Presses per minute')
    .description(`All countries, from the ClickHouse view ${perMinuteView}.`)
    .datasource(clickhouseDatasource)
    .interval('1m')
    .withTarget(
      new ClickHouseQueryBuilder().asTimeSeries().rawSql(
        `SELECT $__timeInterval(minute) AS time, sum(presses) AS presses
FROM ${perMinuteView}
WHERE $__timeFilter(minute)
GROUP BY time
ORDER BY time`,
      ),
    )
    .unit('short')
    .min(0)
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(60);
}

/**
 * README §4 — the visit funnel: how many visits entered the page, pressed at least once, and left with
 * an ExitPage. Visits, not events: count(DISTINCT session_id). One row per step, in funnel order (the
 * enum's order is not the alphabet's, and the column may be text).
 */
export function visitFunnelPanel(): barchart.PanelBuilder {
  return new barchart.PanelBuilder()
    .title('Visit funnel')
    .description('Visits that entered, pressed at least once, and left the page (PostgreSQL).')
    .datasource(postgresDatasource)
    .withTarget(
      new PostgresQueryBuilder().format('table').rawSql(
        `SELECT action::text AS step, count(DISTINCT session_id) AS visits
FROM ${eventsTable}
WHERE $__timeFilter("timestamp")
GROUP BY action
ORDER BY array_position(ARRAY['EnterPage', 'PressButton', 'ExitPage'], action::text)`,
      ),
    )
    .xField('step')
    .orientation(common.VizOrientation.Horizontal)
    .showValue(common.VisibilityMode.Always)
    .unit('short');
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
