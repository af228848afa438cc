#!/usr/bin/env bash
# What coretel costs the Python example's request loop, counted in instructions: the loop of
# bench/python_overhead.py (examples/python/telemetry_demo.py's EchoService.handle(), 64 KiB a
# request) runs under callgrind, telemetry off and on (always_on, exported over OTLP/HTTP to
# coretel-otlp-sink --discard), and the instructions of the loop's thread are counted (not the
# export threads'). Each mode runs twice, with SHORT and LONG timed requests after the same
# warm-up; the difference divided by LONG - SHORT is the count a request, the interpreter's
# start and the warm-up cancelled.
#
# Unlike python_overhead.py's times, the count does not move with the VM's speed or load
# (PYTHONHASHSEED=0 fixes the interpreter's dict and set layouts, setarch -R the addresses):
# runs of one build agreed within about 400 instructions a request, off and on, in about 37000
# that telemetry adds, so a change of 1000 is real; weigh a smaller one in a loop of that
# operation alone. It does not see what instructions cost in time (cache misses; the loop's
# instructions, mostly zlib's, run several times faster than telemetry's, so its share of the
# instructions is far below its share of the time): read it beside python_overhead.py, not
# instead of it.
#
# Usage: bench/python_instructions.sh [--top N]
#   BUILD=dir      the build directory (default build): its python/ and bin/coretel-otlp-sink
#   SHORT, LONG    timed requests of the two runs of each mode (default 100 and 600)
#   ON=mode        what is counted against off (default on): any mode of python_overhead.py's
#                  --breakdown, e.g. ON="on, context only" (the trace context kept current,
#                  nothing recorded)
#   --top N        also list the N functions whose count a request grew most from off to on
#                  (callgrind_annotate, each function's own instructions)
set -euo pipefail
cd "$(dirname "$0")/.."

build="${BUILD:-build}"
on_mode="${ON:-on}"
short="${SHORT:-100}"
long="${LONG:-600}"
top=0
if [[ "${1:-}" == "--top" ]]; then top="${2:?--top N}"; fi
for tool in valgrind callgrind_annotate; do
  command -v "$tool" >/dev/null || {
    echo "python_instructions: $tool is missing (scripts/install-deps.sh installs valgrind)" >&2
    exit 1
  }
done
[[ -x "$build/bin/coretel-otlp-sink" && -d "$build/python/coretel" ]] || {
  echo "python_instructions: $build has no bin/coretel-otlp-sink or python/coretel (build it)" >&2
  exit 1
}

work=$(mktemp -d)
sink_pid=
cleanup() {
  [[ -n "$sink_pid" ]] && kill "$sink_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$build/bin/coretel-otlp-sink" --discard >/dev/null 2>"$work/sink.err" &
sink_pid=$!
for _ in $(seq 50); do
  [[ -s "$work/sink.err" ]] && break
  sleep 0.1
done
port=$(head -1 "$work/sink.err" | awk '{print $NF}')
[[ "$port" =~ ^[0-9]+$ ]] || {
  echo "python_instructions: coretel-otlp-sink did not say its port:" >&2
  cat "$work/sink.err" >&2
  exit 1
}

# $1: off|on, $2: timed requests. Writes $work/<off|on>.<requests>.txt (callgrind_annotate of
# the loop's thread, the process's first thread) and prints its instructions; `on` runs $on_mode.
count() {
  local mode="$1"
  [[ "$mode" == on ]] && mode="$on_mode"
  rm -f "$work/out".*
  PYTHONHASHSEED=0 PYTHONPATH="$build/python" setarch "$(uname -m)" -R \
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/out.%p" \
    /usr/bin/python3 bench/python_overhead.py --one "$mode" \
    --requests "$2" --clock thread --endpoint "http://127.0.0.1:$port" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  local main
  main=$(ls "$work"/out.*-01)
  callgrind_annotate --threshold=100 "$main" >"$work/$1.$2.txt"
  sed -n 's/^summary: \([0-9]*\)$/\1/p' "$main"
}

declare -A total
for mode in off on; do
  for n in "$short" "$long"; do total[$mode.$n]=$(count "$mode" "$n"); done
done
/usr/bin/python3 - "$work" "$short" "$long" "$top" "${total[off.$short]}" "${total[off.$long]}" \
  "${total[on.$short]}" "${total[on.$long]}" "$on_mode" <<'EOF'
import re
import sys

work, short, long_, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
off_s, off_l, on_s, on_l = (int(x) for x in sys.argv[5:9])
on_mode = sys.argv[9]
n = long_ - short
off, on = (off_l - off_s) / n, (on_l - on_s) / n
print(f"instructions a request on the loop's thread ({n} requests; on = {on_mode!r}): "
      f"off {off:.0f}, on {on:.0f}, "
      f"on - off {on - off:.0f} ({(on / off - 1) * 100:.2f} % of off's instructions)")
if top:
    def functions(name: str) -> dict[str, int]:
        out = {}
        for line in open(f"{work}/{name}.txt"):
            m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\S.*)$", line)
            if m and "PROGRAM TOTALS" not in m.group(2):
                out[m.group(2)] = int(m.group(1).replace(",", ""))
        return out
    runs = {f"{mode}.{r}": functions(f"{mode}.{r}") for mode in ("off", "on") for r in (short, long_)}
    names = set().union(*runs.values())
    def per_request(mode: str, name: str) -> float:
        return (runs[f"{mode}.{long_}"].get(name, 0) - runs[f"{mode}.{short}"].get(name, 0)) / n
    rows = sorted(((per_request("on", f) - per_request("off", f), f) for f in names), reverse=True)
    print(f"| on - off | function (own instructions a request) |\n|---:|---|")
    for delta, name in rows[:top]:
        function = re.sub(r" \[.*\]$", "", name)[:110]  # without the object file
        print(f"| {delta:.0f} | `{function}` |")
EOF
