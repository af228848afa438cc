// pipeline_bench.cc: the bottom half. Reporter::report() of one 16-field set (the owning
// thread's cost at each cadence) and Collector throughput (snapshots drained and merged per
// second by collect_once()).
#include <cstdint>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_common.h"
#include "coretel/collect/pipeline.h"
#include "coretel/collect/reporter.h"
#include "coretel/metrics/instruments.h"
#include "coretel/metrics/metric_set.h"

namespace {

using coretel_bench::report_per_op;

// 16 fields: 8 counters, 4 gauges, 4 up-down counters.
struct CORETEL_METRIC_SET_STRUCT(Set16) {
  coretel::Counter<uint64_t> c0, c1, c2, c3, c4, c5, c6, c7;
  coretel::Gauge<uint64_t> g0, g1, g2, g3;
  coretel::UpDownCounter<int64_t> u0, u1, u2, u3;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
#define SET16_FIELD(m, kind) CORETEL_FIELD(m, "bench.set16." #m, "1", "A " kind ".")
CORETEL_DESCRIBE_METRIC_SET(Set16, "bench.set16",
                            "Sixteen fields, four of them changed per report.",
                            SET16_FIELD(c0, "counter"), SET16_FIELD(c1, "counter"),
                            SET16_FIELD(c2, "counter"), SET16_FIELD(c3, "counter"),
                            SET16_FIELD(c4, "counter"), SET16_FIELD(c5, "counter"),
                            SET16_FIELD(c6, "counter"), SET16_FIELD(c7, "counter"),
                            SET16_FIELD(g0, "gauge"), SET16_FIELD(g1, "gauge"),
                            SET16_FIELD(g2, "gauge"), SET16_FIELD(g3, "gauge"),
                            SET16_FIELD(u0, "up-down counter"), SET16_FIELD(u1, "up-down counter"),
                            SET16_FIELD(u2, "up-down counter"), SET16_FIELD(u3, "up-down counter"));

// Changes 4 of the 16 fields (two counters, one gauge, one up-down counter), rotating over
// four groups so that every field changes every fourth call.
inline void change_four(Set16& s, uint64_t i) {
  uint64_t v = i + 1;  // gauges get a new value every time
  switch (i & 3) {
    case 0:
      s.c0.add(1);
      s.c4.add(2);
      s.g0.set(v);
      s.u0.add(1);
      break;
    case 1:
      s.c1.add(1);
      s.c5.add(2);
      s.g1.set(v);
      s.u1.add(-1);
      break;
    case 2:
      s.c2.add(1);
      s.c6.add(2);
      s.g2.set(v);
      s.u2.add(1);
      break;
    default:
      s.c3.add(1);
      s.c7.add(2);
      s.g3.set(v);
      s.u3.add(-1);
      break;
  }
}

// One report() per iteration of a set with 4 changed fields. The message is 10 words; the ring
// (default 65536 words) is drained by collect_now() every 4096 reports, outside the timing.
void BM_coretel_report_16f_4changed(benchmark::State& state) {
  constexpr uint64_t kDrainEvery = 4096;
  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto reg = reporter->register_set<Set16>({{"bench.set", int64_t{0}}});
  Set16& set = *reg;
  uint64_t i = 0;
  for (auto _ : state) {
    change_four(set, i);
    auto outcome = reporter->report(reg);
    benchmark::DoNotOptimize(outcome);
    if (outcome != coretel::ReportOutcome::kSent) [[unlikely]] {
      state.SkipWithError("report() did not send");
      break;
    }
    if (++i % kDrainEvery == 0) {
      state.PauseTiming();
      pipeline.collect_now();
      state.ResumeTiming();
    }
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_report_16f_4changed);

// Four reporters, 64 Set16 series each; per iteration, outside the timing, every series is
// changed and reported 64 times (4 x 64 x 64 = 16384 snapshots of 10 words; 40960 words per
// ring), then collect_now() drains and merges them all and publishes one view: that is timed.
void BM_coretel_collector_throughput(benchmark::State& state) {
  constexpr int kReporters = 4, kSetsPerReporter = 64, kRounds = 64;
  coretel::CollectionPipeline pipeline;
  std::vector<std::unique_ptr<coretel::Reporter>> reporters;
  std::vector<std::vector<coretel::Registration<Set16>>> regs(kReporters);
  for (int r = 0; r < kReporters; ++r) {
    reporters.push_back(
        pipeline.make_reporter(coretel::kUnpinned, {{"bench.reporter", int64_t{r}}}));
    for (int s = 0; s < kSetsPerReporter; ++s)
      regs[r].push_back(reporters[r]->register_set<Set16>(
          {{"bench.reporter", int64_t{r}}, {"bench.set", int64_t{s}}}));
  }
  pipeline.collect_now();  // pick up the registrations

  uint64_t round = 0;
  int64_t snapshots = 0;
  for (auto _ : state) {
    state.PauseTiming();
    int64_t sent = 0;
    for (int k = 0; k < kRounds; ++k, ++round)
      for (int r = 0; r < kReporters; ++r)
        for (auto& reg : regs[r]) {
          change_four(*reg, round);
          sent += reporters[r]->report(reg) == coretel::ReportOutcome::kSent ? 1 : 0;
        }
    if (sent != int64_t{kReporters} * kSetsPerReporter * kRounds) {
      state.SkipWithError("a ring filled up while filling");
      break;
    }
    snapshots += sent;
    state.ResumeTiming();
    pipeline.collect_now();
  }
  state.SetItemsProcessed(snapshots);
  if (state.iterations() > 0)
    state.counters["ns_per_op"] = benchmark::Counter(
        static_cast<double>(snapshots) / static_cast<double>(state.iterations()) * 1e-9,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_coretel_collector_throughput);

// Memory of a multivariate series: N = 10000 Set16 series (distinct entities), each changed in
// all 16 fields, reported and collected; bytes = malloc growth (mallinfo2) over the building,
// including the published view, as for BM_coretel_render_prometheus. Not a timing: one
// iteration, counters only.
void BM_coretel_series_memory_16f(benchmark::State& state) {
  constexpr int64_t kSeries = 10000;
  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  std::vector<coretel::Registration<Set16>> regs;
  regs.reserve(kSeries);  // the handles are the user's, not the SDK's
  pipeline.collect_now();
  double bytes_per_series = 0;
  for (auto _ : state) {
    std::size_t before = coretel_bench::malloc_in_use();
    for (int64_t i = 0; i < kSeries; ++i) {
      regs.push_back(reporter->register_set<Set16>({{"series.index", i}}));
      for (uint64_t k = 0; k < 4; ++k) change_four(*regs.back(), k);
      reporter->report(regs.back());
      if ((i + 1) % 1024 == 0) pipeline.collect_now();
    }
    pipeline.collect_now();
    bytes_per_series = static_cast<double>(coretel_bench::malloc_in_use() - before) / kSeries;
  }
  state.counters["bytes_per_series"] = bytes_per_series;
  state.counters["bytes_per_field"] = bytes_per_series / 16;
}
BENCHMARK(BM_coretel_series_memory_16f)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
