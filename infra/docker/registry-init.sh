#!/usr/bin/env bash
# The docker stack's init service `registry-init` (docker-compose.yml), in the Kafka image (bash, no curl): sets the
# registry-wide compatibility rule the native stack sets (infra/src/native/workshop-setup.ts prepareSchemaRegistry),
# once the registry is healthy, through Apicurio's Confluent-compatible API. Idempotent (PUT).
# infra/test/docker/init-services.test.ts runs it against a stand-in registry.
set -euo pipefail

host="${REGISTRY_HOST:-schema-registry}"
port="${REGISTRY_PORT:-8080}"
path="${REGISTRY_CONFIG_PATH:?the Confluent API config path, e.g. /apis/ccompat/v7/config}"
body="{\"compatibility\":\"${COMPATIBILITY:?e.g. BACKWARD}\"}"

exec 3<>"/dev/tcp/$host/$port"
printf 'PUT %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: %d\r\n\r\n%s' \
  "$path" "$host" "${#body}" "$body" >&3
status=$(head -n 1 <&3)
if [[ "$status" != *" 200"* ]]; then
  echo "registry-init: setting $COMPATIBILITY compatibility failed: $status" >&2
  exit 1
fi
echo "registry-init: compatibility $COMPATIBILITY set"
