import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  latestEventsPanel,
  pressesByCountryPanel,
  pressesPerMinutePanel,
  topCitiesPanel,
  totalPressesPanel,
  visitFunnelPanel,
} from './panels.js';

/**
 * The dashboard: the panels of panels.ts, laid out on Grafana's 24-column grid. `withPanel` places each
 * panel after the previous one (left to right, then the next row); `.span(w)` and `.height(h)` size it.
 */

/** Grafana's id for the dashboard: its URL is /d/<uid>; provisioning it again updates it, not a copy. */
export const dashboardUid = 'button-presses';

export function buildDashboard(): Dashboard {
  return new DashboardBuilder('Pushing this button does nothing')
    .uid(dashboardUid)
    .description('Button presses through Kafka into PostgreSQL (JDBC sink) and ClickHouse (step 06): step 07 of the workshop.')
    .tags(['workshop', 'kafka'])
    .time({ from: 'now-1h', to: 'now' })
    // Every 10 s: the room watches the numbers move while it presses.
    .refresh('10s')
    .timezone('browser')
    .withPanel(totalPressesPanel().span(6).height(8))
    .withPanel(pressesPerMinutePanel().span(18).height(8))
    .withPanel(pressesByCountryPanel().span(14).height(12))
    .withPanel(visitFunnelPanel().span(10).height(12))
    .withPanel(topCitiesPanel().span(10).height(10))
    .withPanel(latestEventsPanel().span(14).height(10))
    .build();
}

/** The dashboard as the file Grafana's provisioning reads: stable JSON, so a diff shows what changed. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/**
 * Where the docker stack's Grafana reads dashboards from (docker-compose.yml mounts grafana/dashboards),
 * relative to this file: steps/07-grafana/src → the kit's root.
 */
export const dashboardFile = resolve(import.meta.dirname, '../../../grafana/dashboards', `${dashboardUid}.json`);

export function writeDashboardFile(file: string = dashboardFile): string {
  writeFileSync(file, dashboardJson(buildDashboard()));
  return file;
}
