variable "aiven_api_token" {
  description = "Aiven API token (Aiven console: User information > Tokens). Pass it as TF_VAR_aiven_api_token, never in a file."
  type        = string
  sensitive   = true
}

variable "aiven_project" {
  description = "The Aiven project the services are created in."
  type        = string
}

variable "cloud_name" {
  description = "Cloud and region of every service, e.g. google-europe-west1 (avn cloud list)."
  type        = string
  default     = "google-europe-west1"
}

variable "service_prefix" {
  description = "Prefix of the service names; change it to run two workshops in one project."
  type        = string
  default     = "button-workshop"
}

variable "kafka_version" {
  description = "Aiven's Kafka major.minor. The local stacks run the version in infra/stack-versions.json; Aiven offers majors only, and may lag behind."
  type        = string
  default     = "4.0"
}

# Plans: the smallest that allow what the workshop needs (service integrations need more than hobbyist).
# Prices: infra/README.md (an estimate) and https://aiven.io/pricing.
variable "plans" {
  description = "Aiven plan of each service."
  type = object({
    kafka         = string
    kafka_connect = string
    pg            = string
    clickhouse    = string
    grafana       = string
  })
  default = {
    kafka         = "startup-2"
    kafka_connect = "startup-4"
    pg            = "startup-4"
    clickhouse    = "startup-16"
    grafana       = "startup-1"
  }
}

# Written by `npm run aiven:names` into workshop-names.auto.tfvars.json from shared/src/names.ts and
# infra/stack-versions.json — no defaults here, so the names exist in one place only.
variable "workshop_names" {
  description = "Topics, database and partitions of the workshop (generated, see workshop-names.auto.tfvars.json)."
  type = object({
    json_topic        = string
    avro_topic        = string
    dead_letter_topic = string
    database          = string
    topic_partitions  = number
    # Grafana reads through these (SELECT only), never as avnadmin: anonymous viewers can send any SQL.
    dashboard_read_role       = string
    clickhouse_dashboard_user = string
  })
}

variable "postgres_major" {
  description = "PostgreSQL major version (generated from infra/stack-versions.json postgresMajor)."
  type        = string
}
