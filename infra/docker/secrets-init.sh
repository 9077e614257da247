#!/usr/bin/env bash
# The docker stack's init service `secrets-init` (docker-compose.yml), in the PostgreSQL image (bash, coreutils; root):
# makes the local stack's generated passwords exist, so `docker compose up -d` works on a fresh clone with no kit command
# run first. Each file of $SECRET_NAMES missing from .stack/secrets/ is written as the kit writes it (shared/src/config.ts
# ensureGeneratedSecrets: 24 random bytes, base64url, no newline, mode 0644, the folder 0700, a draft linked into place so
# a kit command writing at the same moment wins or loses whole); one that exists is never changed. Then every one is
# copied into the volume ClickHouse and Grafana mount at /run/secrets, readable by their own users. Docker creates a
# missing bind-mount folder as root: whatever of .stack/ this service manages that is not the checkout owner's is handed
# to them, so the next kit command (as that user) can read and write it. Idempotent, every `docker compose up`.
# infra/test/docker/init-services.test.ts runs it here.
set -euo pipefail

stack="${STACK_DIR:-/workshop/stack}"
copy="${SECRETS_COPY:-/secrets}"
# The checkout's owner (uid:gid): the owner of a folder of the checkout this service mounts.
owner="${SECRETS_OWNER:-$(stat -c '%u:%g' "${OWNER_REFERENCE:-/workshop/docker}")}"
read -r -a names <<< "${SECRET_NAMES:?the secret file names, space-separated (shared/src/config.ts localSecretNames)}"
dir="$stack/secrets"

umask 022
mkdir -p "$dir"
chmod 700 "$dir"
written=()
for name in "${names[@]}"; do
  path="$dir/$name"
  [[ -e "$path" ]] && continue
  draft="$path.$$.$RANDOM"
  head -c 24 /dev/urandom | base64 -w 0 | tr '+/' '-_' | tr -d '=' > "$draft"
  chmod 644 "$draft"
  # ln (no -f) refuses an existing name: whoever links first wins, the other's draft goes. A file share without hard
  # links (some Docker Desktop setups) gets a rename that does not overwrite instead.
  ln "$draft" "$path" 2> /dev/null || [[ -e "$path" ]] || mv -n "$draft" "$path"
  rm -f "$draft"
  written+=("$name")
  [[ -e "$path" ]] || { echo "secrets-init: could not write $path" >&2; exit 1; }
done

for path in "$stack" "$dir" "${names[@]/#/$dir/}"; do
  if [[ "$(stat -c '%u:%g' "$path")" != "$owner" ]]; then
    # Docker Desktop's file sharing may refuse: there the host user owns the files anyway.
    chown "$owner" "$path" || echo "secrets-init: could not hand $path to $owner" >&2
  fi
done

mkdir -p "$copy"
chmod 755 "$copy"
for name in "${names[@]}"; do
  # The services' users (clickhouse, grafana) are not the checkout's owner: the copy is world-readable, in a volume.
  install -m 644 "$dir/$name" "$copy/$name"
done

if ((${#written[@]})); then
  echo "secrets-init: generated ${written[*]} in .stack/secrets/"
else
  echo "secrets-init: .stack/secrets/ already has ${names[*]}"
fi
