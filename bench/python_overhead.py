#!/usr/bin/python3
"""python_overhead.py: what coretel costs the Python example's request loop.

Runs examples/python/telemetry_demo.py's EchoService.handle() over the same requests in three
modes, each in its own interpreter, interleaved (each repetition starts one mode later), and
prints the median time per request of each, the ratios to the floor, and on - off paired within
each repetition (steadier when the VM's speed changes between repetitions):

  floor  the same work without coretel: zlib over the payload in 16 KiB chunks from Python
         (the native engine's work, same library, same level), no spans, logs or metrics;
  off    the instrumented example with telemetry not enabled (enable_telemetry() never called):
         spans do not record, `logging` goes nowhere, metrics record into the pipeline;
  on     enable_telemetry(endpoint=...) with sampling 1.0 (always_on): every span, log record
         and metric exported over OTLP/HTTP to coretel-otlp-sink --discard (it parses each
         request and prints nothing: the receiver costs little CPU beside the loop).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py \\
        --sink build/bin/coretel-otlp-sink --requests 3000 --repetitions 9

Not pinned: the SDK's export threads and the receiver run beside the loop, as in a service.
`--pin` (2 CPUs or more) gives the loop's thread the first CPU the process may use to itself, as
an engine thread that owns its core, and puts every other thread of its process (the SDK's export
threads) and the receiver on the second: what telemetry costs the engine's own core, without the
export side's turns on it.
`--clock thread` measures the loop thread's CPU time instead of elapsed time: steadier on a
shared VM, but blind to time the loop waits for a core. `--per-op` times each operation alone
instead (a span scope, a forwarded log record with and without an exception, a metric point),
off and on, on the calling thread, by the same clock, after 20000 calls of each to warm up. A
tight loop of spans makes the export thread and the receiver busy enough to take the loop's
core at times, which the wall clock counts and the thread clock does not.

`--breakdown` shows where `on` goes: `on`, `off` and `on` with one part taken away (spans
sampled out, or no span, log or metric exporter, or all of those: the trace context kept current
and nothing recorded), alternated, each as the median of its differences to `on` and of its
ratio to `off` in the same repetition.

`--compare A B` weighs a change: A and B are two copies of the package (a build's `python/`
directory, copied aside before and after the change), run alternately in the same mode
(`--mode`, default on), one pair per repetition (A first, then B first), the loop or `--per-op`.
It prints each side's median and the median of the paired differences B - A, with a 95 %
interval for that median (median_interval()) and how many pairs B won: on a VM whose speed drifts
by several percent within minutes, only a difference that wins most pairs, its interval clear of
zero, is one. The main table prints the same interval for the paired on / off - 1.

Per request (64 KiB payload, --payload-kib): 1 Python server span, 1 native span + 4 native
chunk spans (one per 16 KiB), 4 Python callback spans, 1 log record forwarded (plus the native
engine's event), 5 metric records; every sixth request raises and logs its exception.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "python"
CHUNK = 16 * 1024
# --breakdown: `on` with one part taken away, each as enable_telemetry() arguments.
BREAKDOWN: dict[str, dict[str, object]] = {
    "on, spans sampled out": {"sampler": "always_off"},
    "on, no span exporter": {"traces": False},
    "on, no log exporter": {"logs": False},
    "on, no metric exporter": {"metrics": False},
    # What keeping the trace context current costs on its own: every span scope still draws
    # ids and sets the ContextVar (a sampled-out span propagates its context), nothing records.
    "on, context only": {"sampler": "always_off", "logs": False, "metrics": False},
}


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """A distribution-free interval for the median of `values` (independent draws): the k-th
    smallest and k-th largest, with k the largest rank such that the median lies outside with
    probability at most 1 - `confidence` (binomial order statistics, the sign test's interval).
    With 8 values or fewer it is the whole range (with less than `confidence` below 6)."""
    ordered = sorted(values)
    n = len(ordered)
    tail = 0.0
    k = 0
    while k < n // 2:
        tail += math.comb(n, k) / 2**n  # P(at most k of the values below the median)
        if tail > (1 - confidence) / 2:
            break
        k += 1
    k = max(k, 1)
    return ordered[k - 1], ordered[n - k]


@functools.cache
def pin_cpus() -> tuple[int, int]:
    """--pin's two CPUs: the first two this process may run on before any pinning (CPU 0 and 1
    on a plain 2-CPU machine); SystemExit when it may run on fewer."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        sys.exit("python_overhead: --pin needs 2 CPUs")
    return allowed[0], allowed[1]


def pin_threads() -> None:
    """--pin: this thread on the first CPU, every other thread of the process on the second
    (Linux)."""
    loop_cpu, other_cpu = pin_cpus()
    me = threading.get_native_id()
    os.sched_setaffinity(me, {loop_cpu})
    for task in os.listdir("/proc/self/task"):
        if int(task) != me:
            try:
                os.sched_setaffinity(int(task), {other_cpu})
            except ProcessLookupError:  # the thread ended
                pass


def one_run(mode: str, requests: int, endpoint: str | None, payload_kib: int, clock: str,
            pin: bool = False) -> float:
    """Mean seconds per request of `requests` requests in `mode` (this process), by `clock`."""
    import logging

    sys.path.insert(0, str(EXAMPLES))
    import telemetry_demo

    # Every mode has a handler at INFO on the root logger (a NullHandler), as a service has one:
    # without it, `off` would print each exception through logging's last-resort handler.
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger().addHandler(logging.NullHandler())
    if mode == "on" or mode in BREAKDOWN:
        import coretel

        coretel.enable_telemetry(endpoint=endpoint, **{"sampler": "always_on",
                                                       **BREAKDOWN.get(mode, {})})
    payloads = [telemetry_demo.payload_for(i, payload_kib * 1024) for i in range(12)]
    methods = ["EchoService/Fail" if i % 6 == 5 else "EchoService/Compress" for i in range(12)]
    if mode == "floor":
        def handle(method: str, payload: bytes) -> int | None:
            if method == "EchoService/Fail":
                return None
            crc, size = 0, 0
            for i in range(0, len(payload), CHUNK):
                part = payload[i:i + CHUNK]
                crc = zlib.crc32(part, crc)
                size += len(zlib.compress(part, 6))
            return size
    else:
        handle = telemetry_demo.EchoService().handle
    # Warm-up: steady state, as a service's, after the one-time costs (the first spans of the
    # thread touch the pages of its span queue, 1 MiB, for the first time).
    if pin:
        pin_threads()
    for i in range(1000):
        handle(methods[i % 12], payloads[i % 12])
    if pin:
        pin_threads()  # and the threads the warm-up started
    now = time.perf_counter if clock == "wall" else time.thread_time
    start = now()
    for i in range(requests):
        handle(methods[i % 12], payloads[i % 12])
    elapsed = now() - start
    if mode != "off" and mode != "floor":
        import coretel

        coretel.shutdown()
    return elapsed / requests


def per_op(mode: str, endpoint: str | None, clock: str) -> dict[str, float]:
    """Median microseconds of each telemetry operation alone, on this thread, in `mode`, by
    `clock` (wall: elapsed, which counts time the export threads and the receiver take the core
    from this loop; thread: this thread's CPU time)."""
    import logging
    import timeit

    import coretel

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger().addHandler(logging.NullHandler())
    if mode == "on":
        coretel.enable_telemetry(endpoint=endpoint, sampler="always_on")
    log = logging.getLogger("bench")
    counter = coretel.get_meter("bench").create_counter("bench.items", "{item}")

    def span() -> None:
        with coretel.start_as_current_span("bench.span"):
            pass

    def record() -> None:
        log.info("handled %s", "EchoService/Compress", extra={"demo.crc32": 12345})

    def record_with_exception() -> None:
        try:
            raise ValueError("the request asked to fail")
        except ValueError:
            log.exception("failed %s", "EchoService/Fail")

    def metric_point() -> None:
        counter.add(1, {"rpc.method": "EchoService/Compress"})

    out = {}
    for name, op in (("span scope", span), ("log record", record),
                     ("log record with exception", record_with_exception),
                     ("metric point", metric_point)):
        # Steady state: the first spans of a thread touch its span queue's pages for the first
        # time (a page fault each 4 KiB), once.
        timeit.timeit(op, number=20000)
        runs = timeit.repeat(op, number=2000, repeat=7,
                             timer=time.perf_counter if clock == "wall" else time.thread_time)
        out[name] = statistics.median(runs) / 2000 * 1e6
    if mode == "on":
        coretel.shutdown()
    return out


def pin_argument(args: argparse.Namespace) -> list[str]:
    """The --pin argument of a --one run, when pinning."""
    return ["--pin"] if args.pin else []


def compare(args: argparse.Namespace, env: dict[str, str], endpoint: str) -> None:
    """--compare A B: alternate runs of the two packages; print medians and paired differences."""
    if args.per_op:
        command = ["--one-per-op", args.mode, "--clock", args.clock]
    else:
        command = ["--one", args.mode, "--requests", str(args.requests), "--payload-kib",
                   str(args.payload_kib), "--clock", args.clock, *pin_argument(args)]
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for repetition in range(args.repetitions):
        # A then B, then B then A: a run right after another one is a little slower here (an
        # A/A comparison lost 7 to 9 of 11 pairs to the side run second).
        pair = list(zip("AB", args.compare))
        for side, package in pair if repetition % 2 == 0 else reversed(pair):
            out = subprocess.run([sys.executable, __file__, *command, "--endpoint", endpoint],
                                 env={**env, "PYTHONPATH": str(Path(package).resolve())},
                                 capture_output=True, text=True, check=True)
            value = json.loads(out.stdout.strip().splitlines()[-1])
            # The loop reports seconds a request; --per-op microseconds by operation.
            runs[side].append(value if args.per_op else {"request": value * 1e6})
    print(f"{args.repetitions} pairs, mode {args.mode}{', pinned' if args.pin else ''}, us; "
          "B - A < 0: B is faster")
    print("| measure | A median | B median | median of B - A (95 % interval) | pairs B won |")
    print("|---|---:|---:|---:|---:|")
    for name in runs["A"][0]:
        a = [r[name] for r in runs["A"]]
        b = [r[name] for r in runs["B"]]
        diffs = [y - x for x, y in zip(a, b)]
        low, high = median_interval(diffs)
        print(f"| {name} | {statistics.median(a):.2f} | {statistics.median(b):.2f} | "
              f"{statistics.median(diffs):+.2f} ({low:+.2f} to {high:+.2f}) | "
              f"{sum(d < 0 for d in diffs)} of {len(diffs)} |")


def breakdown(args: argparse.Namespace, env: dict[str, str], endpoint: str) -> None:
    """--breakdown: on, off and the BREAKDOWN variants (all, or those named) alternated; paired
    differences to on and ratios to off."""
    # --breakdown with names: those variants only (a narrower table, more repetitions per minute).
    for name in args.breakdown:
        if name not in BREAKDOWN:
            known = "; ".join(map(repr, BREAKDOWN))
            sys.exit(f"python_overhead: --breakdown {name!r}: not one of {known}")
    modes = ["on", "off", *(args.breakdown or BREAKDOWN)]
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for repetition in range(args.repetitions):
        # Each repetition starts one mode later: no mode always runs first (see compare()).
        shift = repetition % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            out = subprocess.run([sys.executable, __file__, "--one", mode, "--requests",
                                  str(args.requests), "--payload-kib", str(args.payload_kib),
                                  "--clock", args.clock, *pin_argument(args), "--endpoint",
                                  endpoint],
                                 env=env, capture_output=True, text=True, check=True)
            times[mode].append(json.loads(out.stdout.strip().splitlines()[-1]) * 1e6)
    print(f"{args.repetitions} repetitions x {args.requests} requests of {args.payload_kib} KiB "
          f"({args.clock} clock{', pinned' if args.pin else ''}), us a request; paired per "
          "repetition, with 95 % intervals")
    print("| mode | median | median of (mode - on) | median of (mode / off - 1) | "
          "repetitions below on |")
    print("|---|---:|---:|---:|---:|")
    for mode in modes:
        to_on = [x - y for x, y in zip(times[mode], times["on"])]
        to_off = [(x / y - 1) * 100 for x, y in zip(times[mode], times["off"])]
        on_low, on_high = median_interval(to_on)
        off_low, off_high = median_interval(to_off)
        print(f"| {mode} | {statistics.median(times[mode]):.1f} | "
              f"{statistics.median(to_on):+.2f} ({on_low:+.2f} to {on_high:+.2f}) | "
              f"{statistics.median(to_off):+.2f} % ({off_low:+.2f} to {off_high:+.2f}) | "
              f"{sum(d < 0 for d in to_on)} of {len(to_on)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sink", help="coretel-otlp-sink (for the `on` mode)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--payload-kib", type=int, default=64, help="payload of each request")
    parser.add_argument("--clock", choices=["wall", "thread"], default="wall",
                        help="wall: elapsed time; thread: the loop thread's CPU time (steadier on a "
                             "shared VM; leaves out time the loop waits for a core)")
    parser.add_argument("--pin", action="store_true",
                        help="the loop's thread alone on one CPU; the process's other threads and "
                             "the receiver on another (needs 2 CPUs)")
    parser.add_argument("--per-op", action="store_true",
                        help="each operation alone (span scope, log record, metric point), off and on")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="two package directories (copies of a build's python/), run "
                             "alternately: paired differences B - A")
    parser.add_argument("--mode", choices=["off", "on"], default="on",
                        help="the mode --compare runs (default on)")
    parser.add_argument("--breakdown", nargs="*", metavar="VARIANT",
                        help="on, off and on with one part taken away (spans sampled out, no "
                             "span, log or metric exporter, or all of those: 'on, context "
                             "only'), alternated: paired differences to on and ratios to off; "
                             "with VARIANT names, those variants only")
    parser.add_argument("--one", choices=["floor", "off", "on", *BREAKDOWN],
                        help=argparse.SUPPRESS)
    parser.add_argument("--one-per-op", choices=["off", "on"], help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.requests, args.endpoint, args.payload_kib,
                                 args.clock, args.pin)))
        return 0
    if args.one_per_op:
        print(json.dumps(per_op(args.one_per_op, args.endpoint, args.clock)))
        return 0
    if not args.sink:
        parser.error("--sink PATH is required (build/bin/coretel-otlp-sink)")
    if args.pin and args.per_op:
        parser.error("--pin is for the loop, not --per-op")
    sink_cpu = {pin_cpus()[1]} if args.pin else None
    pin_sink = (lambda: os.sched_setaffinity(0, sink_cpu)) if sink_cpu else None
    sink = subprocess.Popen([args.sink, "--discard"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, preexec_fn=pin_sink)
    port = sink.stderr.readline().split()[-1]
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("OTEL_")]:
        del env[key]
    env["OTEL_TRACES_SAMPLER"] = "always_on"
    if args.compare or args.breakdown is not None:
        try:
            (compare if args.compare else breakdown)(args, env, endpoint)
        finally:
            sink.terminate()
            sink.wait()
        return 0
    if args.per_op:
        try:
            ops = {mode: json.loads(subprocess.run(
                [sys.executable, __file__, "--one-per-op", mode, "--endpoint", endpoint,
                 "--clock", args.clock], env=env,
                capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
                for mode in ("off", "on")}
        finally:
            sink.terminate()
            sink.wait()
        print(f"each operation alone, median of 7 x 2000 ({args.clock} clock), us:")
        print("| operation | off | on | on - off |")
        print("|---|---:|---:|---:|")
        for name in ops["off"]:
            print(f"| {name} | {ops['off'][name]:.2f} | {ops['on'][name]:.2f} | "
                  f"{ops['on'][name] - ops['off'][name]:.2f} |")
        return 0
    times: dict[str, list[float]] = {"floor": [], "off": [], "on": []}
    try:
        modes = list(times)
        for repetition in range(args.repetitions):
            # Each repetition starts one mode later: no mode always runs first (see compare()).
            shift = repetition % len(modes)
            for mode in modes[shift:] + modes[:shift]:
                out = subprocess.run([sys.executable, __file__, "--one", mode, "--requests",
                                      str(args.requests), "--endpoint", endpoint,
                                      "--payload-kib", str(args.payload_kib),
                                      "--clock", args.clock, *pin_argument(args)], env=env,
                                     capture_output=True, text=True, check=True)
                times[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        sink.terminate()
        sink.wait()
    median = {mode: statistics.median(values) for mode, values in times.items()}
    print(f"{args.repetitions} repetitions x {args.requests} requests of {args.payload_kib} KiB, "
          f"median per request ({args.clock} clock):")
    print("| mode | median us/request | min | max | / floor | / off |")
    print("|---|---|---|---|---|---|")
    for mode, values in times.items():
        print(f"| {mode} | {median[mode] * 1e6:.1f} | {min(values) * 1e6:.1f} | "
              f"{max(values) * 1e6:.1f} | {median[mode] / median['floor']:.3f} | "
              f"{median[mode] / median['off']:.3f} |")
    cost = (median["on"] - median["off"]) * 1e6
    print(f"telemetry on costs {cost:.1f} us per request over off "
          f"({(median['on'] / median['off'] - 1) * 100:.2f} %), "
          f"{(median['on'] / median['floor'] - 1) * 100:.2f} % over the floor")
    # The same within each repetition, whose modes ran minutes apart at most: steadier when the
    # VM's speed changes between repetitions.
    paired = [(on - off) * 1e6 for on, off in zip(times["on"], times["off"])]
    ratios = [on / off - 1 for on, off in zip(times["on"], times["off"])]
    low, high = median_interval(ratios)
    print(f"paired by repetition: on - off {statistics.median(paired):.1f} us a request "
          f"(median), {statistics.median(ratios) * 100:.2f} % (median of on / off - 1; 95 % "
          f"interval for it {low * 100:.2f} to {high * 100:.2f} %), "
          f"on above off in {sum(d > 0 for d in paired)} of {len(paired)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
