#!/usr/bin/env bash
# The docker stack's init service `connect-plugins` (docker-compose.yml) runs this in the pinned Maven image: it fetches
# the Connect plugins the native stack runs — the Debezium JDBC sink and Apicurio's Avro converter — with the same Maven
# command lines (infra/src/native/artifacts.ts) and the same pom, and accepts them only if every file's sha256 equals
# infra/native/artifacts.lock.json (connect-plugins.sha256 beside this file is generated from it:
# infra/src/docker/init-files.ts). They land in the named volume Connect mounts read-only; Connect starts only after
# this exits 0. Idempotent: a volume that already holds exactly the locked files is left alone (no network).
# Then it builds the kit's own plugin (infra/connect-transforms: step 05's ValidateButtonPress transform) from the
# checkout, as the native stack:up does (infra/src/native/connect-transforms.ts): built, never downloaded, so no lock
# entry — it is rebuilt when its sources or the Kafka version change, and left alone (offline) otherwise.
# infra/test/docker/init-services.test.ts runs it with a stand-in mvn.
set -euo pipefail

plugins="${PLUGINS_DIR:-/plugins}"
expected="${EXPECTED_SHA256:-/workshop/docker/connect-plugins.sha256}"
pom="${MAVEN_POM:-/workshop/maven/pom.xml}"
repository="${MAVEN_REPOSITORY:-/maven-repository}"
partial="$plugins/.partial"
transforms_sources="${TRANSFORMS_SOURCES:-/workshop/connect-transforms}"
transforms="connect-transforms"
transforms_stamp="$transforms.sources-sha256"

# "<sha256>  <path>" for every file under $1 (the half-built .partial and the kit's own built plugin excluded), in byte
# order: the format of $expected.
listing() {
  (cd "$1" && find . -type f ! -path './.partial/*' ! -path "./$transforms/*" ! -path "./$transforms_stamp" -printf '%P\n' |
    LC_ALL=C sort | while IFS= read -r file; do sha256sum -- "$file"; done)
}

# The downloaded plugins, verified against the lock.
fetch_locked_plugins() {
  files=$(wc -l < "$expected")
  if [[ "$(listing "$plugins")" == "$(cat "$expected")" ]]; then
    echo "connect plugins: already in place ($files files match infra/native/artifacts.lock.json)"
    return 0
  fi

  echo "connect plugins: fetching debezium-connector-jdbc $DEBEZIUM_JDBC_VERSION and apicurio-registry-utils-converter $APICURIO_VERSION from Maven Central"
  rm -rf "$partial"
  mkdir -p "$partial/apicurio-converter"
  # -C: Maven refuses a file whose checksum differs from Central's; the kit's own lock is checked below.
  mvn -B -C -q -Dstyle.color=never "-Dmaven.repo.local=$repository" dependency:get \
    "-Dartifact=io.debezium:debezium-connector-jdbc:$DEBEZIUM_JDBC_VERSION:tar.gz:plugin" -Dtransitive=false
  tar -xzf "$repository/io/debezium/debezium-connector-jdbc/$DEBEZIUM_JDBC_VERSION/debezium-connector-jdbc-$DEBEZIUM_JDBC_VERSION-plugin.tar.gz" -C "$partial"
  # One plugin = one sub-folder of plugin.path, as on the native stack.
  mvn -B -C -q -Dstyle.color=never "-Dmaven.repo.local=$repository" -f "$pom" -P apicurio-converter dependency:copy-dependencies \
    -DincludeScope=runtime "-DoutputDirectory=$partial/apicurio-converter" "-Dapicurio.version=$APICURIO_VERSION"

  if ! differences=$(diff <(cat "$expected") <(listing "$partial")); then
    rm -rf "$partial"
    echo "connect plugins: the download does not match infra/native/artifacts.lock.json — not using it:" >&2
    echo "$differences" | head -n 6 >&2
    exit 1
  fi
  # Only verified files replace what was there (a tampered or half-written copy included).
  find "$plugins" -mindepth 1 -maxdepth 1 ! -name .partial ! -name "$transforms" ! -name "$transforms_stamp" -exec rm -rf {} +
  mv "$partial"/* "$plugins"/
  rmdir "$partial"
  echo "connect plugins: $files files fetched and verified against infra/native/artifacts.lock.json"
}

# The kit's transform: `mvn package` (its JUnit tests included) against Connect's Kafka version, into its own
# plugin.path folder, replaced only by a finished build. The stamp is the sha256 of the Kafka version, the pom and src/.
build_kit_transforms() {
  local sources jar="workshop-connect-transforms.jar" build="${TRANSFORMS_BUILD_DIR:-/tmp/connect-transforms-build}"
  sources=$( (echo "kafka ${KAFKA_VERSION:?the Kafka version Connect runs}"; cd "$transforms_sources" &&
    find pom.xml src -type f | LC_ALL=C sort | while IFS= read -r file; do sha256sum -- "$file"; done) | sha256sum | cut -d' ' -f1)
  if [[ -f "$plugins/$transforms/$jar" && "$(cat "$plugins/$transforms_stamp" 2>/dev/null)" == "$sources" ]]; then
    echo "connect plugins: the kit's transform is built (infra/connect-transforms unchanged)"
    return 0
  fi
  echo "connect plugins: building the kit's transform workshop.connect.ValidateButtonPress (infra/connect-transforms, mvn package with its tests)"
  rm -rf "$build" "$partial"
  mvn -B -C -q -Dstyle.color=never "-Dmaven.repo.local=$repository" -f "$transforms_sources/pom.xml" \
    "-Dkafka.version=$KAFKA_VERSION" "-Dbuild.dir=$build" package
  mkdir -p "$partial"
  cp "$build/$jar" "$partial/$jar"
  rm -rf "${plugins:?}/$transforms"
  mv "$partial" "$plugins/$transforms"
  echo "$sources" > "$plugins/$transforms_stamp"
  echo "connect plugins: the kit's transform built, its tests passed"
}

fetch_locked_plugins
build_kit_transforms
