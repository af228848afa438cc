#!/usr/bin/env bash
# consume.sh package|subdirectory CORETEL_SOURCE_DIR CORETEL_BUILD_DIR WORK_DIR
# Builds tests/install/consumer out of tree the way another project would use coretel and runs it:
#   package:      `cmake --install CORETEL_BUILD_DIR --prefix WORK_DIR/prefix` (the Python package
#                 too, when built: it must import from the prefix), then the consumer with
#                 find_package(coretel CONFIG REQUIRED) and CMAKE_PREFIX_PATH=that prefix;
#   subdirectory: the consumer add_subdirectory()s CORETEL_SOURCE_DIR.
# Passes when the consumer exits 0, writes nothing to stderr and prints its counter.
set -euo pipefail
mode=$1 source=$2 build=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
consumer_args=(-S "$source/tests/install/consumer" -B "$work/consumer" -G Ninja
               -DCONSUME="$mode")  # no build type: -O0, the quickest to compile
case "$mode" in
  package)
    cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
    for f in lib/libcoretel.a bin/coretel-schema include/coretel/collect/pipeline.h \
             include/coretel/telemetry/registry.h lib/cmake/coretel/coretelConfig.cmake \
             lib/cmake/coretel/CoretelGenerateRegistry.cmake; do
      [ -e "$work/prefix/$f" ] || { echo "FAIL: the install has no $f" >&2; exit 1; }
    done
    # The Python package, when the build has it: importable from the prefix alone.
    if [ -d "$build/python/coretel" ]; then
      site="$work/prefix/lib/python3/dist-packages"
      PYTHONPATH="$site" /usr/bin/python3 -c 'import coretel, coretel._native, sys
assert coretel.__file__.startswith(sys.argv[1]), coretel.__file__' "$site" ||
        { echo "FAIL: coretel does not import from $site" >&2; exit 1; }
    fi
    consumer_args+=(-DCMAKE_PREFIX_PATH="$work/prefix")
    ;;
  subdirectory)
    consumer_args+=(-DCORETEL_SOURCE_DIR="$source")
    ;;
  *) echo "usage: consume.sh package|subdirectory SOURCE BUILD WORK" >&2; exit 2 ;;
esac
cmake "${consumer_args[@]}" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" -j "$(nproc)" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
exec "$(dirname "$0")/../run_and_expect.sh" \
  'consumer_queue_pushed_total{otel_scope_name="consumer.queue",otel_scope_consumer_queue_name="ingest"} 42' \
  "$work/consumer/consumer"
