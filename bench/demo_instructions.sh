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
build="${BUILD:-build-release}"
demo="$build/bin/coretel-demo"
command -v valgrind >/dev/null || {
  echo "demo_instructions: valgrind is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
}

if [ ! -x "$demo" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCORETEL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target coretel-demo
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same deterministic lines as demo_throughput.sh.
awk -v n="$lines" 'BEGIN {
  split("install upgrade remove configure trigproc status", verbs, " ");
  split("libc6 openssl systemd coreutils python3 zlib1g nginx postgresql-15", pkgs, " ");
  for (i = 0; i < n; i++) {
    v = verbs[i % 6 + 1]; p = pkgs[int(i / 7) % 9 + 1];
    printf "2026-11-%02d %02d:%02d:%02d %s %s:amd64 %d.%d.%d-%d <none> request %d\n",
      i % 28 + 1, i % 24, i % 60, (i * 7) % 60, v, p, i % 9, i % 17, i % 31, i % 5, i;
  }
}' >"$work/replay.log"

port=$((20000 + RANDOM % 20000))
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
