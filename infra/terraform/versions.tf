# The Aiven profile: the workshop's services on Aiven (infra/README.md, "Three ways to run the stack").
# Needs an Aiven account and API token; not exercised in CI (nothing here runs without one).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aiven = {
      source  = "aiven/aiven"
      version = "= 4.45.0"
    }
  }
}

provider "aiven" {
  api_token = var.aiven_api_token
}
