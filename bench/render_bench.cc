// render_bench.cc: a scrape of N counter series. coretel renders a published MetricsView with
// PrometheusTextRenderer; prometheus-cpp collects its registry and serialises it with
// TextSerializer (Collect is part of its scrape, so it is timed too). Both report items =
// series, ns_per_op = ns per series, and bytes_per_series = the malloc growth from building the
// N series (registered, recorded once, reported and collected for coretel; added and
// incremented once for prometheus-cpp), measured with mallinfo2() around the building only.
// coretel also reports renderer_bytes_per_series: what a reused renderer keeps per series
// across scrapes (its label cache and family rows; the output string left out), the malloc
// growth over its first two renders. A series' whole cost is the sum of the two.
//
// The N series are built once per N and kept for the whole run (repetitions reuse them) and are
// deliberately never destroyed: see BENCHMARKS.md for why tearing down 100k registrations is
// left out.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "bench_common.h"
#include "coretel/collect/pipeline.h"
#include "coretel/collect/reporter.h"
#include "coretel/export/prometheus_text.h"
#include "coretel/metrics/instruments.h"
#include "coretel/metrics/metric_set.h"
#include "coretel/resource.h"

namespace {

using coretel_bench::malloc_in_use;
using coretel_bench::report_per_op;

struct CORETEL_METRIC_SET_STRUCT(RequestSet) {
  coretel::Counter<uint64_t> requests;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(RequestSet, "bench.render", "One counter, registered N times.",
                            CORETEL_FIELD(requests, "bench.render.requests", "{request}",
                                          "Requests handled."));

struct CoretelSeries {
  coretel::CollectionPipeline pipeline;
  std::unique_ptr<coretel::Reporter> reporter;
  std::vector<coretel::Registration<RequestSet>> regs;
  double bytes_per_series = 0;

  explicit CoretelSeries(int64_t n) {
    reporter = pipeline.make_reporter(coretel::kUnpinned);
    regs.reserve(static_cast<std::size_t>(n));  // the handles are the user's, not the SDK's
    pipeline.collect_now();
    std::size_t before = malloc_in_use();
    for (int64_t i = 0; i < n; ++i) {
      regs.push_back(reporter->register_set<RequestSet>({{"series.index", i}}));
      regs.back()->requests.add(static_cast<uint64_t>(i) + 1);
      reporter->report(regs.back());
      if ((i + 1) % 8192 == 0) pipeline.collect_now();  // 4 words a report: the ring never fills
    }
    pipeline.collect_now();
    std::size_t after = malloc_in_use();
    bytes_per_series = static_cast<double>(after - before) / static_cast<double>(n);
  }
};

struct PrometheusSeries {
  prometheus::Registry registry;
  double bytes_per_series = 0;

  explicit PrometheusSeries(int64_t n) {
    auto& family = prometheus::BuildCounter()
                       .Name("bench_render_requests_total")
                       .Help("Requests handled.")
                       .Register(registry);
    std::size_t before = malloc_in_use();
    for (int64_t i = 0; i < n; ++i)
      family.Add({{"series_index", std::to_string(i)}}).Increment(static_cast<double>(i) + 1);
    std::size_t after = malloc_in_use();
    bytes_per_series = static_cast<double>(after - before) / static_cast<double>(n);
  }
};

// Built on first use, per N, and leaked on purpose (see the file comment).
template <class T>
T& series_for(int64_t n) {
  static auto* by_n = new std::map<int64_t, T*>();
  auto [it, inserted] = by_n->try_emplace(n, nullptr);
  if (inserted) it->second = new T(n);
  return *it->second;
}

void BM_coretel_render_prometheus(benchmark::State& state) {
  const int64_t n = state.range(0);
  CoretelSeries& series = series_for<CoretelSeries>(n);
  coretel::Resource resource{coretel::Attributes{{"service.name", std::string("coretel-bench")}}};
  coretel::PrometheusTextRenderer renderer;
  std::vector<coretel::MetricsViewPtr> views = series.pipeline.views();
  std::string out;
  std::size_t renderer_before = malloc_in_use();
  renderer.render(resource, views, out);  // warm the renderer's caches, as a reused one is
  renderer.render(resource, views, out);
  std::size_t renderer_after = malloc_in_use() - out.capacity() - 1;  // out is not the cache
  for (auto _ : state) {
    out.clear();
    renderer.render(resource, views, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report_per_op(state, n);
  state.counters["bytes_per_series"] = series.bytes_per_series;
  state.counters["output_bytes"] = static_cast<double>(out.size());
  state.counters["renderer_bytes_per_series"] =
      static_cast<double>(renderer_after - renderer_before) / static_cast<double>(n);
}
BENCHMARK(BM_coretel_render_prometheus)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_prometheus_serialize(benchmark::State& state) {
  const int64_t n = state.range(0);
  PrometheusSeries& series = series_for<PrometheusSeries>(n);
  prometheus::TextSerializer serializer;
  std::size_t size = 0;
  for (auto _ : state) {
    std::string out = serializer.Serialize(series.registry.Collect());
    size = out.size();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report_per_op(state, n);
  state.counters["bytes_per_series"] = series.bytes_per_series;
  state.counters["output_bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_prometheus_serialize)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
