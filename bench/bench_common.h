// bench_common.h: shared pieces of coretel-bench: the recorded values, the histogram bounds and
// the per-operation counters every benchmark reports.
#pragma once

#include <malloc.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <benchmark/benchmark.h>

namespace coretel_bench {

/// Records per benchmark iteration in the hot-path benchmarks (one into each of 8 instruments).
inline constexpr int64_t kRecordsPerIteration = 8;

/// The 16 histogram bounds shared by coretel and prometheus-cpp.
inline constexpr std::array<double, 16> kBounds16 = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0};

/// Recorded values. Iteration i records values[(i % 16) + k] for k = 0..7, so the window slides
/// by one each iteration and no record sees a constant. 32 entries: a window never wraps.
struct Values {
  std::array<uint64_t, 32> u64{};       // counters and gauges
  std::array<int64_t, 32> i64{};        // up-down counters (both signs)
  std::array<double, 32> u64_as_f64{};  // the u64 values as doubles (prometheus-cpp counters)
  std::array<double, 32> f64{};  // Mmsc / histograms: log-uniform over 1e-3..1e3, every bucket
};

inline const Values& values() {
  static const Values v = [] {
    Values out;
    uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&state] {  // xorshift64*: fixed seed, same values in every run
      state ^= state >> 12;
      state ^= state << 25;
      state ^= state >> 27;
      return state * 0x2545F4914F6CDD1Dull;
    };
    for (std::size_t i = 0; i < 32; ++i) {
      uint64_t r = next();
      out.u64[i] = 1 + (r >> 59);  // 1..32
      out.i64[i] = (r & 1) ? static_cast<int64_t>(out.u64[i]) : -static_cast<int64_t>(out.u64[i]);
      out.u64_as_f64[i] = static_cast<double>(out.u64[i]);
      double unit = static_cast<double>(next() >> 11) * 0x1.0p-53;  // [0, 1)
      out.f64[i] = std::pow(10.0, -3.0 + 6.0 * unit);
    }
    return out;
  }();
  return v;
}

/// Reports `ops_per_iteration` operations per iteration: items_per_second and `ns_per_op`
/// (time / operations, in nanoseconds, per thread). In a multi-threaded benchmark every thread
/// calls this; only thread 0 sets ns_per_op, because the library sums counters over threads
/// while it also sums their times and iterations.
inline void report_per_op(benchmark::State& state, int64_t ops_per_iteration) {
  state.SetItemsProcessed(state.iterations() * ops_per_iteration);
  if (state.thread_index() == 0)
    state.counters["ns_per_op"] = benchmark::Counter(
        static_cast<double>(ops_per_iteration) * 1e-9,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

/// Bytes currently allocated through malloc (all arenas, including mmapped chunks).
inline std::size_t malloc_in_use() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

}  // namespace coretel_bench
