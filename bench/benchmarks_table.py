#!/usr/bin/python3
"""Turns coretel-bench JSON output (run with repetitions) into the Markdown table of
BENCHMARKS.md: medians of ns_per_op and bytes_per_series, ratios to the raw floor and to
prometheus-cpp, and coretel's performance targets.

  build/bin/coretel-bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
      --benchmark_min_time=1 --benchmark_out=bench.json --benchmark_out_format=json
  /usr/bin/python3 bench/benchmarks_table.py bench.json
"""
import json
import sys

FLOOR = "BM_raw_increment"
# coretel benchmark -> the prometheus-cpp benchmark it is compared with
VERSUS = {
    "BM_coretel_counter_add": "BM_prometheus_counter_increment",
    "BM_coretel_histogram_record": "BM_prometheus_histogram_observe",
    "BM_coretel_counter_add_2threads/threads:2": "BM_prometheus_counter_increment_2threads/threads:2",
    "BM_coretel_render_prometheus/10000": "BM_prometheus_serialize/10000",
    "BM_coretel_render_prometheus/100000": "BM_prometheus_serialize/100000",
}
HOT = {"BM_coretel_counter_add", "BM_coretel_gauge_set", "BM_coretel_updown_add",
       "BM_coretel_counter_add_2threads/threads:2"}
# name -> (target text, check(ns, floor_ratio, speedup, bytes, prometheus_bytes))
TARGETS = {
    "BM_coretel_counter_add": ("<= 1.1x floor", lambda r: r["floor"] <= 1.1),
    "BM_coretel_gauge_set": ("<= 1.1x floor", lambda r: r["floor"] <= 1.1),
    "BM_coretel_updown_add": ("<= 1.1x floor", lambda r: r["floor"] <= 1.1),
    "BM_coretel_counter_add_2threads/threads:2": ("<= 1.1x floor", lambda r: r["floor"] <= 1.1),
    "BM_coretel_mmsc_record": ("<= 1 ns", lambda r: r["ns"] <= 1.0),
    "BM_coretel_histogram_record": ("<= 3 ns", lambda r: r["ns"] <= 3.0),
    "BM_coretel_report_16f_4changed": ("<= 50 ns", lambda r: r["ns"] <= 50.0),
    "BM_coretel_render_prometheus/10000": (
        ">= 5x faster; bytes well under",
        lambda r: r["speedup"] >= 5 and r["bytes"] < r["vs_bytes"]),
    "BM_coretel_render_prometheus/100000": (
        ">= 5x faster; bytes well under",
        lambda r: r["speedup"] >= 5 and r["bytes"] < r["vs_bytes"]),
}


def fmt(x, digits=3):
    if x is None:
        return ""
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def main(path):
    with open(path) as f:
        data = json.load(f)
    median, cv, order = {}, {}, []
    for b in data["benchmarks"]:
        if b.get("run_type") != "aggregate":
            continue
        name = b["run_name"]
        if b["aggregate_name"] == "median":
            median[name] = b
            order.append(name)
        elif b["aggregate_name"] == "cv":
            cv[name] = b
    reps = next((b.get("repetitions") for b in data["benchmarks"] if "repetitions" in b), "?")
    floor = median[FLOOR]["ns_per_op"] if FLOOR in median else None
    print(f"Medians of {reps} repetitions.\n")
    print("| benchmark | ns per op (median) | cv | x raw floor | prometheus-cpp / coretel "
          "| bytes per series | target | met? |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name in order:
        b = median[name]
        ns = b.get("ns_per_op")
        c = cv.get(name, {}).get("ns_per_op")
        row = {"ns": ns, "floor": None, "speedup": None,
               "bytes": b.get("bytes_per_series"), "vs_bytes": None}
        if floor and (name.startswith("BM_coretel_") and ("record" in name or name in HOT)
                      or name.startswith("BM_prometheus_") and "serialize" not in name
                      or name == FLOOR):
            row["floor"] = ns / floor
        other = VERSUS.get(name)
        if other in median:
            row["speedup"] = median[other]["ns_per_op"] / ns
            row["vs_bytes"] = median[other].get("bytes_per_series")
        target, check = TARGETS.get(name, ("", None))
        verdict = ("yes" if check(row) else "**no**") if check else ""
        print(f"| `{name}` | {fmt(ns)} | {'' if c is None else f'{100 * c:.1f}%'} "
              f"| {fmt(row['floor'])} | {fmt(row['speedup'])} "
              f"| {fmt(row['bytes'], 4)} | {target} | {verdict} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench.json")
