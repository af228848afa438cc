#!/usr/bin/env bash
# Fuzzes the schema tool's registry reader for a bounded time (tools/schema/fuzz/):
#   1. configures build-fuzz/ with clang++-14 and CORETEL_BUILD_FUZZERS=ON, builds only
#      registry_reader_fuzzer (libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer),
#   2. seeds build-fuzz/corpus/ with the hand-written seeds in tools/schema/fuzz/seeds/ and, when
#      CORETEL_CONFORMANCE_DATA names the conformance data (README: Conformance tests), every
#      *.yaml of its weaver-cases/ and a sample of its semconv/model/ (copied, never committed;
#      inputs the fuzzer found in earlier runs are kept),
#   3. runs one fuzzing worker for SECONDS with tools/schema/fuzz/registry.dict.
# Exits non-zero on any finding (crash, sanitizer report, leak, timeout, out-of-memory) and
# prints the reproducer's path and how to replay it.
# Usage: scripts/fuzz-schema.sh [SECONDS]   (default 60; JOBS=n for the build, default nproc)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: $0 [SECONDS]" >&2
    exit 2
    ;;
esac
jobs="${JOBS:-$(nproc)}"
build=build-fuzz
data="${CORETEL_CONFORMANCE_DATA:-}"
fuzzer="$build/bin/registry_reader_fuzzer"

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCORETEL_BUILD_FUZZERS=ON -DCORETEL_BUILD_TESTS=OFF -DCORETEL_BUILD_EXAMPLES=OFF \
  -DCORETEL_BUILD_BENCHMARKS=OFF -DCORETEL_SANITIZE= -DCORETEL_WERROR=ON >/dev/null
cmake --build "$build" --target registry_reader_fuzzer -j "$jobs"

# Seeds are named by content hash, as libFuzzer names the inputs it adds.
corpus="$build/corpus"
mkdir -p "$corpus"
add_seed() { cp "$1" "$corpus/$(sha1sum "$1" | cut -d' ' -f1)"; }
for f in tools/schema/fuzz/seeds/*.yaml; do add_seed "$f"; done
if [ -n "$data" ]; then
  for d in "$data/weaver-cases" "$data/semconv/model"; do
    [ -d "$d" ] || { echo "fuzz-schema: CORETEL_CONFORMANCE_DATA=$data has no $d" >&2; exit 1; }
  done
  while IFS= read -r f; do add_seed "$f"; done < <(find "$data/weaver-cases" -name '*.yaml' | sort)
  # Every fourth file under 64 KiB (the fuzzer's -max_len): all the syntax, a quarter the time.
  while IFS= read -r f; do add_seed "$f"; done < <(
    find "$data/semconv/model" -name '*.yaml' -size -64k | sort | awk 'NR % 4 == 1')
else
  echo "fuzz-schema: CORETEL_CONFORMANCE_DATA not set; seeding with tools/schema/fuzz/seeds only"
fi

artifacts="$build/artifacts"
rm -rf "$artifacts"
mkdir -p "$artifacts"
log="$build/fuzz.log"
echo "fuzz-schema: $(ls "$corpus" | wc -l) corpus inputs, ${seconds}s, log in $log"

status=0
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict=tools/schema/fuzz/registry.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
  "$corpus" >"$log" 2>&1 || status=$?

findings=$(find "$artifacts" -type f | sort)
if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
  tail -n 120 "$log"
  echo
  echo "fuzz-schema: FINDING (fuzzer exit status $status); full log in $log"
  for f in $findings; do
    echo "  reproducer: $f"
    echo "    replay:   $fuzzer $f"
    echo "    minimize: $fuzzer -minimize_crash=1 -runs=100000 -exact_artifact_path=$f.min $f"
  done
  [ -n "$findings" ] || echo "  (no reproducer written; see the log)"
  exit 1
fi
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
echo "fuzz-schema: no finding in ${seconds}s ($(ls "$corpus" | wc -l) corpus inputs)"
