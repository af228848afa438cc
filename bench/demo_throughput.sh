#!/usr/bin/env bash
# What an engine pays for coretel in total: the demo engine (coretel-demo, one worker on one
# core) replaying the same large file over TCP in three modes, rotating, in one run. Each run
# prints the worker's records per CPU-second of its own thread (CLOCK_THREAD_CPUTIME_ID), so a
# slower sender or the other core's load does not move it.
#   on:         every message counted by severity; one in 256 also timed (two steady_clock
#               reads) into an Mmsc and a histogram; the reporter ticks every 100 ms and the
#               collector publishes every 25 ms.
#   unreported: the same records, but the reporter is never ticked (coretel-demo --telemetry
#               unreported): "on" over this is what reporting and collection cost the engine.
#   off:        the same parse of the same messages, no clock reads, no records, no reports
#               (--telemetry off): "on" over this is the whole instrumentation, the demo's own
#               timing included.
# Prints each run, then the medians and both overheads (1 - on / baseline) in percent, and the
# on-vs-off overhead paired per round (median and middle half of the per-round ratios).
#
# Usage: bench/demo_throughput.sh [RUNS] [LINES]   (defaults 7 and 2000000)
#   BUILD=dir  a Release build directory to use (default build-release; configured and built
#              here when it has no coretel-demo)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-7}"
lines="${2:-2000000}"
# shellcheck source=bench/demo_common.sh
source bench/demo_common.sh
run() {  # $1: on|off; prints records per CPU-second
  "$demo" --cores 1 --listen "127.0.0.1:$port" --admin 127.0.0.1:0 --telemetry "$1" \
    --replay "$work/replay.log" --exit-after-replay 2>"$work/err" >/dev/null || {
    cat "$work/err" >&2
    exit 1
  }
  grep -q "processed $lines records" "$work/err" || {
    echo "demo_throughput: the worker did not process all $lines lines:" >&2
    cat "$work/err" >&2
    exit 1
  }
  sed -n 's/.*: \([0-9]*\) records per CPU-second.*/\1/p' "$work/err"
}

on=()
unreported=()
off=()
modes=(on unreported off)
for i in $(seq 1 "$runs"); do
  line="run $i:"
  for j in 0 1 2; do  # rotate the order, so a drift over the run affects every mode alike
    mode=${modes[$(((i + j) % 3))]}
    value=$(run "$mode")
    case $mode in
      on) on+=("$value") ;;
      unreported) unreported+=("$value") ;;
      off) off+=("$value") ;;
    esac
    line="$line $mode $value"
  done
  echo "$line records per CPU-second"
done

/usr/bin/python3 - "${on[*]}" "${unreported[*]}" "${off[*]}" <<'EOF'
import statistics, sys
on, unreported, off = ([float(x) for x in arg.split()] for arg in sys.argv[1:4])
med = statistics.median
spread = lambda xs: (max(xs) - min(xs)) / med(xs) * 100
print(f"median records per CPU-second of the worker: on {med(on):.0f}, "
      f"unreported {med(unreported):.0f}, off {med(off):.0f}")
print(f"spread (max-min over median): on {spread(on):.1f} %, "
      f"unreported {spread(unreported):.1f} %, off {spread(off):.1f} %")
print(f"reporting and collection overhead (on vs unreported): "
      f"{(1 - med(on) / med(unreported)) * 100:.2f} %")
print(f"whole instrumentation overhead (on vs off): {(1 - med(on) / med(off)) * 100:.2f} %")
# Paired: the three modes of one round ran back to back, so a drift of the machine over the
# run (another process, frequency) moves them together; the ratio within a round cancels it.
paired = sorted((1 - a / b) * 100 for a, b in zip(on, off))
q = lambda xs, f: xs[min(len(xs) - 1, int(f * len(xs)))]
print(f"paired, per round (on vs off): median {med(paired):.2f} %, "
      f"middle half {q(paired, 0.25):.2f} % to {q(paired, 0.75):.2f} %")
EOF
