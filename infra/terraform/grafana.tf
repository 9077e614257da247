# Aiven's Grafana gets what the local stacks' Grafana is provisioned with: the workshop's two datasources — the uids,
# names and types of grafana/provisioning/datasources/workshop.yaml, read from that file, so the dashboards find them —
# each reading as a read-only user, and the dashboards of grafana/dashboards/. infra/test/aiven/terraform.test.ts
# checks the uids and files against the local provisioning.

locals {
  provisioned_datasources = {
    for datasource in yamldecode(file("${path.module}/../../grafana/provisioning/datasources/workshop.yaml")).datasources :
    datasource.type => datasource
  }
  provisioned_postgres   = local.provisioned_datasources["grafana-postgresql-datasource"]
  provisioned_clickhouse = local.provisioned_datasources["grafana-clickhouse-datasource"]
  dashboards_dir         = "${path.module}/../../grafana/dashboards"
}

provider "grafana" {
  url  = "https://${aiven_grafana.grafana.service_host}"
  auth = "${aiven_grafana.grafana.service_username}:${aiven_grafana.grafana.service_password}"
}

# avnadmin creates the tables (the kit, step 05): what it creates later is readable too (default privileges).
provider "postgresql" {
  host      = aiven_pg.pg.service_host
  port      = aiven_pg.pg.service_port
  username  = aiven_pg.pg.service_username
  password  = aiven_pg.pg.service_password
  database  = aiven_pg_database.db.database_name
  sslmode   = "require"
  superuser = false
}

# --- read-only users -------------------------------------------------------------------------------------------

resource "aiven_pg_user" "dashboard_reader" {
  project      = local.project
  service_name = aiven_pg.pg.service_name
  username     = var.workshop_names.dashboard_read_role
}

resource "postgresql_grant" "dashboard_reader_schema" {
  database    = aiven_pg_database.db.database_name
  role        = aiven_pg_user.dashboard_reader.username
  schema      = "public"
  object_type = "schema"
  privileges  = ["USAGE"]
}

resource "postgresql_grant" "dashboard_reader_tables" {
  database    = aiven_pg_database.db.database_name
  role        = aiven_pg_user.dashboard_reader.username
  schema      = "public"
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "postgresql_default_privileges" "dashboard_reader_future_tables" {
  database    = aiven_pg_database.db.database_name
  role        = aiven_pg_user.dashboard_reader.username
  owner       = aiven_pg.pg.service_username
  schema      = "public"
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "aiven_clickhouse_role" "dashboard_reader" {
  project      = local.project
  service_name = aiven_clickhouse.clickhouse.service_name
  role         = "${var.workshop_names.clickhouse_dashboard_user}_role"
}

# SELECT on the workshop database only (no table: every table, as on the local stacks' readonly user).
resource "aiven_clickhouse_grant" "dashboard_reader" {
  project      = local.project
  service_name = aiven_clickhouse.clickhouse.service_name
  role         = aiven_clickhouse_role.dashboard_reader.role

  privilege_grant {
    privilege = "SELECT"
    database  = aiven_clickhouse_database.db.name
  }
}

resource "aiven_clickhouse_user" "dashboard_reader" {
  project      = local.project
  service_name = aiven_clickhouse.clickhouse.service_name
  username     = var.workshop_names.clickhouse_dashboard_user
}

resource "aiven_clickhouse_grant" "dashboard_reader_role" {
  project      = local.project
  service_name = aiven_clickhouse.clickhouse.service_name
  user         = aiven_clickhouse_user.dashboard_reader.username

  role_grant {
    role = aiven_clickhouse_role.dashboard_reader.role
  }
}

# --- datasources and dashboards --------------------------------------------------------------------------------

resource "grafana_data_source" "postgres" {
  type       = local.provisioned_postgres.type
  name       = local.provisioned_postgres.name
  uid        = local.provisioned_postgres.uid
  url        = "${aiven_pg.pg.service_host}:${aiven_pg.pg.service_port}"
  username   = aiven_pg_user.dashboard_reader.username
  is_default = true
  json_data_encoded = jsonencode({
    database        = aiven_pg_database.db.database_name
    sslmode         = "require"
    postgresVersion = tonumber(var.postgres_major) * 100
    timescaledb     = false
  })
  secure_json_data_encoded = jsonencode({ password = aiven_pg_user.dashboard_reader.password })
}

resource "grafana_data_source" "clickhouse" {
  type = local.provisioned_clickhouse.type
  name = local.provisioned_clickhouse.name
  uid  = local.provisioned_clickhouse.uid
  json_data_encoded = jsonencode({
    host            = local.clickhouse_https.host
    port            = local.clickhouse_https.port
    protocol        = "http"
    secure          = true
    username        = aiven_clickhouse_user.dashboard_reader.username
    defaultDatabase = aiven_clickhouse_database.db.name
  })
  secure_json_data_encoded = jsonencode({ password = aiven_clickhouse_user.dashboard_reader.password })
}

resource "grafana_dashboard" "dashboards" {
  for_each    = fileset(local.dashboards_dir, "**/*.json")
  config_json = file("${local.dashboards_dir}/${each.value}")
  overwrite   = true
  # The dashboards ask for the datasources by uid: those must exist first.
  depends_on = [grafana_data_source.postgres, grafana_data_source.clickhouse]
}
