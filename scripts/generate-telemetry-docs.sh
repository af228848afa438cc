#!/usr/bin/env bash
# Regenerates docs/telemetry/ (Markdown) from coretel's own registries in registry/.
# The test schema_telemetry_docs_test fails while the committed docs are out of date.
# Usage: scripts/generate-telemetry-docs.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target coretel-schema >/dev/null
for registry in registry/*/; do
  name=$(basename "$registry")
  rm -rf "docs/telemetry/$name"
  "$build/bin/coretel-schema" generate markdown "$registry" -o "docs/telemetry/$name"
  echo "docs/telemetry/$name/ regenerated from $registry"
done
