#!/usr/bin/env bash
# The whole test suite, as CI runs it, from a fresh machine:
#   1. installs the Debian packages (scripts/install-deps.sh),
#   2. builds everything in build/ and runs every test (unit, pipeline, integration with logger,
#      promtool and a real Prometheus server),
#   3. runs the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
#   4. runs the collection-pipeline tests under ThreadSanitizer (build-tsan/),
#   5. fuzzes the schema tool's registry reader for two minutes (scripts/fuzz-schema.sh,
#      build-fuzz/; libFuzzer + ASan + UBSan); a finding fails the run.
# --no-sanitizers skips stages 3-5.
# The conformance suites (the schema tool over the upstream semantic-conventions registry,
# OpenTelemetry Weaver's test registries and the otel-arrow registry; the fuzzer's seeds from
# them) run when CORETEL_CONFORMANCE_DATA names that data (README: Conformance tests); without
# it the script says which suites did not run. .ci/run always sets it.
# Warnings are errors here (CORETEL_WERROR=ON), not in a plain user build.
# Usage: [CORETEL_CONFORMANCE_DATA=DIR] scripts/test.sh [--no-sanitizers]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=1
[ "${1:-}" = "--no-sanitizers" ] && sanitizers=0

scripts/install-deps.sh
jobs=$(nproc)
conformance="${CORETEL_CONFORMANCE_DATA:-}"
if [ -n "$conformance" ]; then
  conformance=$(cd "$conformance" && pwd)  # CMake needs an absolute path; fails if missing
fi
common=(-G Ninja -DCORETEL_WERROR=ON -DCORETEL_CONFORMANCE_DATA="$conformance")

step() { printf '\n==== %s\n' "$*"; }

step "build (RelWithDebInfo) and every test"
# Options set explicitly: a build/ configured by hand (e.g. for benchmarks) may cache others.
cmake -S . -B build "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORETEL_BUILD_TESTS=ON \
  -DCORETEL_BUILD_EXAMPLES=ON -DCORETEL_SANITIZE= >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j 1

if [ "$sanitizers" = 1 ]; then
  step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B build-asan "${common[@]}" -DCMAKE_BUILD_TYPE=Debug -DCORETEL_SANITIZE=address,undefined \
    -DCORETEL_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -L unit -j "$jobs"

  step "collection-pipeline tests under ThreadSanitizer"
  cmake -S . -B build-tsan "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORETEL_SANITIZE=thread \
    -DCORETEL_BUILD_BENCHMARKS=OFF -DCORETEL_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build-tsan -j "$jobs"
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    ctest --test-dir build-tsan --output-on-failure -L pipeline -j 1

  step "fuzz the registry reader (bounded)"
  # One worker for 120 s after a build of the reader alone (about 4 minutes on 2 cores).
  JOBS="$jobs" CORETEL_CONFORMANCE_DATA="$conformance" scripts/fuzz-schema.sh 120
fi
step "all test stages passed"
if [ -z "$conformance" ]; then
  echo "not run: the conformance suites (weaver_cases_test, upstream_registry_test," \
    "semconv_subset_test, weaver_baseline_test, upstream_generated_cpp_test," \
    "multi_registry_chain_test, fuzz seeds from the upstream registries);" \
    "run them with CORETEL_CONFORMANCE_DATA=DIR scripts/test.sh (README: Conformance tests)"
fi
