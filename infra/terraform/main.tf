data "aiven_project" "project" {
  project = var.aiven_project
}

locals {
  project = data.aiven_project.project.project
  topics = {
    json        = var.workshop_names.json_topic
    avro        = var.workshop_names.avro_topic
    dead_letter = var.workshop_names.dead_letter_topic
  }
  clickhouse_https = [for c in aiven_clickhouse.clickhouse.components : c if c.component == "clickhouse_https"][0]
}

# Kafka with Karapace (schema registry) on the same service. Clients authenticate with the service's
# client certificate (outputs kafka_access_cert / kafka_access_key, signed by the project CA).
resource "aiven_kafka" "kafka" {
  project      = local.project
  cloud_name   = var.cloud_name
  plan         = var.plans.kafka
  service_name = "${var.service_prefix}-kafka"

  kafka_user_config {
    kafka_version   = var.kafka_version
    schema_registry = true

    kafka {
      auto_create_topics_enable = true
      # Consumer groups in tests and steps join at once (as on the local stacks).
      group_initial_rebalance_delay_ms = 0
    }
  }
}

resource "aiven_kafka_topic" "topics" {
  for_each = local.topics

  project      = local.project
  service_name = aiven_kafka.kafka.service_name
  topic_name   = each.value
  partitions   = var.workshop_names.topic_partitions
  # Aiven's minimum. npm run stack:reset deletes these topics; terraform apply (or step 02) recreates them.
  replication = 2
}

# Kafka Connect as a service of its own, attached to the Kafka service. It carries Aiven's JDBC sink and
# Confluent's Avro converter: the kit derives that connector from step 05's config (infra/src/aiven/jdbc-sink.ts).
resource "aiven_kafka_connect" "connect" {
  project      = local.project
  cloud_name   = var.cloud_name
  plan         = var.plans.kafka_connect
  service_name = "${var.service_prefix}-connect"
}

resource "aiven_service_integration" "kafka_connect" {
  project                  = local.project
  integration_type         = "kafka_connect"
  source_service_name      = aiven_kafka.kafka.service_name
  destination_service_name = aiven_kafka_connect.connect.service_name
}

resource "aiven_pg" "pg" {
  project      = local.project
  cloud_name   = var.cloud_name
  plan         = var.plans.pg
  service_name = "${var.service_prefix}-pg"

  pg_user_config {
    pg_version = var.postgres_major
  }
}

resource "aiven_pg_database" "db" {
  project       = local.project
  service_name  = aiven_pg.pg.service_name
  database_name = var.workshop_names.database
}

resource "aiven_clickhouse" "clickhouse" {
  project      = local.project
  cloud_name   = var.cloud_name
  plan         = var.plans.clickhouse
  service_name = "${var.service_prefix}-clickhouse"
}

# On Aiven, ClickHouse databases are created through the API (here), not with SQL.
resource "aiven_clickhouse_database" "db" {
  project      = local.project
  service_name = aiven_clickhouse.clickhouse.service_name
  name         = var.workshop_names.database
}

resource "aiven_grafana" "grafana" {
  project      = local.project
  cloud_name   = var.cloud_name
  plan         = var.plans.grafana
  service_name = "${var.service_prefix}-grafana"
}

# Grafana's datasources and dashboards: grafana.tf (the workshop's own, as on the local stacks — not Aiven's
# datasource integration, whose datasources read as avnadmin under uids the dashboards do not know).
