# The Aiven profile: the workshop's services on Aiven (infra/README.md, "Three ways to run the stack").
# Needs an Aiven account and API token; not exercised in CI (nothing here runs without one).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aiven = {
      source  = "aiven/aiven"
      version = "= 4.45.0"
    }
    # The workshop's datasources and dashboards in Aiven's Grafana (grafana.tf), through its HTTP API.
    grafana = {
      source  = "grafana/grafana"
      version = "= 4.40.1"
    }
    # The read-only role's SELECT grants in the workshop database (Aiven's API creates users, not grants).
    postgresql = {
      source  = "cyrilgdn/postgresql"
      version = "= 1.25.0"
    }
  }
}

provider "aiven" {
  api_token = var.aiven_api_token
}
