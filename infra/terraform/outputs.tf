# Read by `npm run aiven:env` (infra/src/aiven/env-from-terraform.ts lists every name it needs).

output "ca_cert" {
  description = "The project's CA certificate: Kafka's and PostgreSQL's certificates are signed by it."
  value       = data.aiven_project.project.ca_cert
  sensitive   = true
}

output "kafka_bootstrap" {
  value = "${aiven_kafka.kafka.service_host}:${aiven_kafka.kafka.service_port}"
}

output "kafka_access_cert" {
  value     = aiven_kafka.kafka.kafka[0].access_cert
  sensitive = true
}

output "kafka_access_key" {
  value     = aiven_kafka.kafka.kafka[0].access_key
  sensitive = true
}

output "schema_registry_uri" {
  description = "Karapace, with credentials in the URI; its Confluent API is at the root."
  value       = aiven_kafka.kafka.kafka[0].schema_registry_uri
  sensitive   = true
}

output "kafka_connect_uri" {
  value     = aiven_kafka_connect.connect.service_uri
  sensitive = true
}

output "pg_host" {
  value = aiven_pg.pg.service_host
}

output "pg_port" {
  value = aiven_pg.pg.service_port
}

output "pg_user" {
  value = aiven_pg.pg.service_username
}

output "pg_password" {
  value     = aiven_pg.pg.service_password
  sensitive = true
}

output "pg_database" {
  value = aiven_pg_database.db.database_name
}

output "clickhouse_https_url" {
  value = "https://${local.clickhouse_https.host}:${local.clickhouse_https.port}"
}

output "clickhouse_user" {
  value = aiven_clickhouse.clickhouse.service_username
}

output "clickhouse_password" {
  value     = aiven_clickhouse.clickhouse.service_password
  sensitive = true
}

output "clickhouse_database" {
  value = aiven_clickhouse_database.db.name
}

output "grafana_uri" {
  description = "Grafana, with the admin credentials in the URI (npm run aiven:env keeps only the address)."
  value       = aiven_grafana.grafana.service_uri
  sensitive   = true
}
