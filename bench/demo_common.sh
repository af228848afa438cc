# demo_common.sh: what bench/demo_throughput.sh and bench/demo_instructions.sh share. Sourced,
# from the repository root, with `lines` set: sets `demo` (built when missing), `work` (a
# temporary directory removed on exit), `port`, and writes "$work/replay.log".
#   BUILD=dir  a Release build directory to use (default build-release; configured and built
#              here when it has no coretel-demo)
build="${BUILD:-build-release}"
demo="$build/bin/coretel-demo"

if [ ! -x "$demo" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCORETEL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target coretel-demo
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A deterministic file of syslog-like lines of varied length (the payload of each message).
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
