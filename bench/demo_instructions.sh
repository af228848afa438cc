#!/usr/bin/env bash
# What an engine pays for coretel, counted in instructions: the demo engine (coretel-demo, one
# worker) replays the same file over TCP once per mode under callgrind, which counts the
# instructions executed inside Worker::run (the engine thread: its reads, parses, records and
# reports; not the replay sender, the collector or the admin server). Unlike the records per
# CPU-second of bench/demo_throughput.sh, the count does not move with the machine's load or
# frequency: two runs of one mode differ by a few thousand instructions in hundreds of millions
# (TCP read sizes vary), so a difference of 0.1 % is real. It does not see what instructions
# cost in time (cache misses, the clock reads' vDSO path, which callgrind replaces with a
# system call): read it beside demo_throughput.sh, not instead of it.
# Modes as in demo_throughput.sh: on, unreported (records but never reports), off (the same
# parse, nothing recorded).
#
# Usage: bench/demo_instructions.sh [LINES]   (default 300000)
#   BUILD=dir  a Release build directory to use (default build-release; configured and built
#              here when it has no coretel-demo)
set -euo pipefail
cd "$(dirname "$0")/.."

lines="${1:-300000}"
command -v valgrind >/dev/null || {
  echo "demo_instructions: valgrind is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
}
# shellcheck source=bench/demo_common.sh
source bench/demo_common.sh
count() {  # $1: on|unreported|off; prints the instructions executed inside Worker::run
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$1" \
    --toggle-collect='coretel_demo::Worker::run*' \
    "$demo" --cores 1 --listen "127.0.0.1:$port" --admin 127.0.0.1:0 --telemetry "$1" \
    --replay "$work/replay.log" --exit-after-replay >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  grep -q "processed $lines records" "$work/err" || {
    echo "demo_instructions: the worker did not process all $lines lines:" >&2
    cat "$work/err" >&2
    exit 1
  }
  sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/err"
}

on=$(count on)
unreported=$(count unreported)
off=$(count off)
/usr/bin/python3 - "$lines" "$on" "$unreported" "$off" <<'EOF'
import sys
lines, on, unreported, off = (int(x) for x in sys.argv[1:5])
print(f"instructions per record in the engine thread ({lines} records): "
      f"on {on / lines:.2f}, unreported {unreported / lines:.2f}, off {off / lines:.2f}")
# As a share of the "on" engine's instructions, like demo_throughput.sh's 1 - on / baseline.
print(f"reporting and collection (on vs unreported): {(on - unreported) / lines:.3f} per record, "
      f"{(1 - unreported / on) * 100:.3f} %")
print(f"whole instrumentation (on vs off): {(on - off) / lines:.2f} per record, "
      f"{(1 - off / on) * 100:.2f} %")
EOF
