#!/usr/bin/env bash
# The main job: installs the Debian packages, builds coretel-demo, and runs it on two cores with
# real syslog traffic (Debian's `logger` over TCP and UDP, plus a replay of /var/log/dpkg.log)
# and the console exporter, so telemetry is visible in the terminal and on the admin endpoint.
# Ctrl-C stops it cleanly (it prints its last values).
# Usage: scripts/demo.sh [extra coretel-demo options]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORETEL_BUILD_EXAMPLES=ON \
  -DCORETEL_SANITIZE= >/dev/null
cmake --build build -j "$(nproc)" --target coretel-demo

listen=127.0.0.1:5514
admin=127.0.0.1:9464
replay=/var/log/dpkg.log
[ -s "$replay" ] || replay=/etc/services

cat <<MSG
coretel-demo is starting:
  syslog in      udp+tcp $listen (try: logger -n 127.0.0.1 -P 5514 --tcp --octet-count --rfc5424 hello)
  Prometheus     curl -s http://$admin/metrics
  JSON           curl -s http://$admin/api/v1/telemetry/metrics
  live schema    curl -s http://$admin/api/v1/telemetry/live-schema
  console        changed series are printed below every 5 s
MSG

# Some live traffic from a real syslog client once the receiver is up, in the background.
(
  for _ in $(seq 100); do curl -sf "http://$admin/readyz" >/dev/null && break; sleep 0.1; done
  for i in $(seq 1 20); do
    logger -n 127.0.0.1 -P 5514 --tcp --octet-count --rfc5424 -p user.info "demo tcp message $i"
    logger -n 127.0.0.1 -P 5514 --udp --rfc3164 -p daemon.warning "demo udp message $i"
  done
) &

# The demo replaces this shell, so Ctrl-C and kill reach it directly.
exec build/bin/coretel-demo --listen "$listen" --admin "$admin" --cores 2 --replay "$replay" \
  --console-interval-ms 5000 "$@"
