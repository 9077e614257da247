import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/**
 * The dashboard's two datasources, by type and uid: the one place the dashboards name them. Grafana learns
 * them from grafana/provisioning/datasources/workshop.yaml, which gives them these uids — a panel that asks
 * for a uid Grafana does not know shows "Datasource … was not found" instead of data.
 * A uid, not a name: names are for people and may be renamed in the UI; a uid stays.
 */
export const postgresDatasource = {
  type: 'grafana-postgresql-datasource',
  uid: 'workshop-postgres',
} as const satisfies DataSourceRef;

export const clickhouseDatasource = {
  type: 'grafana-clickhouse-datasource',
  uid: 'workshop-clickhouse',
} as const satisfies DataSourceRef;
