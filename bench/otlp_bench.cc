// otlp_bench.cc: the OTLP metrics encoder. N one-counter series (the render benchmark's shape:
// one set registered N times with entity {series.index: i}), collected into views, then:
//  * BM_coretel_otlp_encode/N: coretel's encoder writes one ExportMetricsServiceRequest
//    (protobuf wire format) from the views: rows gathered and sorted, every scope, metric and
//    point written;
//  * BM_coretel_otlp_encode_json/N: the same request as OTLP/JSON;
//  * BM_libprotobuf_otlp_encode/N: what an SDK built on libprotobuf does for the same request
//    from the same views: build the message with the classes protoc generates from proto/ (on an
//    Arena, its fastest allocation), then SerializeToString;
//  * BM_coretel_otlp_collect_encode_gzip/N: end to end per export: every series recorded and
//    reported (outside the timing), then timed: the collection cycle, the encode and gzip.
// ns_per_op = ns per data point (one per series). bytes_per_point = request bytes / N.
// consumer_bytes_per_series (collect_encode_gzip): what a delta consumer (an exporter reading
// deltas) adds to each series, the malloc growth of building the series with one consumer minus
// without, per series.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include "bench_common.h"
#include "coretel/collect/pipeline.h"
#include "coretel/collect/reporter.h"
#include "coretel/metrics/instruments.h"
#include "coretel/metrics/metric_set.h"
#include "coretel/resource.h"
#include "http_transport.h"
#include "metrics_encoder.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace {

using coretel_bench::malloc_in_use;
using coretel_bench::report_per_op;
namespace pb = opentelemetry::proto;

struct CORETEL_METRIC_SET_STRUCT(ExportSet) {
  coretel::Counter<uint64_t> requests;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(ExportSet, "bench.export", "One counter, registered N times.",
                            CORETEL_FIELD(requests, "bench.export.requests", "{request}",
                                          "Requests handled."));

const coretel::Resource& resource() {
  static const coretel::Resource r{coretel::Attributes{
      {"service.name", std::string("coretel-bench")},
      {"service.instance.id", std::string("0d8c1f3e-7c2a-4f55-9a1b-2c4d6e8f0a1b")},
      {"telemetry.sdk.name", std::string("coretel")}}};
  return r;
}

struct Series {
  coretel::CollectionPipeline pipeline;
  std::unique_ptr<coretel::Reporter> reporter;
  std::vector<coretel::Registration<ExportSet>> regs;
  double bytes_per_series = 0;

  Series(int64_t n, uint32_t consumers)
      : pipeline([consumers] {
          coretel::PipelineOptions o;
          o.delta_consumers = consumers;
          // Room for one report of every series between two collections (4 words each), so the
          // end-to-end benchmark's single timed collection takes them all.
          o.reporter.ring_words = std::size_t{1} << 20;
          return o;
        }()) {
    reporter = pipeline.make_reporter(coretel::kUnpinned);
    regs.reserve(static_cast<std::size_t>(n));
    pipeline.collect_now();
    const std::size_t before = malloc_in_use();
    for (int64_t i = 0; i < n; ++i) {
      regs.push_back(reporter->register_set<ExportSet>({{"series.index", i}}));
      regs.back()->requests.add(static_cast<uint64_t>(i) + 1);
      reporter->report(regs.back());
      if ((i + 1) % 8192 == 0) pipeline.collect_now();
    }
    pipeline.collect_now();
    bytes_per_series = static_cast<double>(malloc_in_use() - before) / static_cast<double>(n);
  }
  // Only this benchmark's series (the views also hold coretel's self-metrics).
  std::vector<coretel::MetricsViewPtr> views() const { return pipeline.views(); }
};

// Built on first use per (N, consumers) and kept for the run (as render_bench.cc does).
Series& series_for(int64_t n, uint32_t consumers) {
  static auto* by_n = new std::map<std::pair<int64_t, uint32_t>, Series*>();
  auto [it, inserted] = by_n->try_emplace({n, consumers}, nullptr);
  if (inserted) it->second = new Series(n, consumers);
  return *it->second;
}

void set_value(pb::common::v1::AnyValue* out, coretel::AttributeValueRef v) {
  if (auto* s = std::get_if<std::string_view>(&v)) {
    out->set_string_value(std::string(*s));
  } else if (auto* i = std::get_if<int64_t>(&v)) {
    out->set_int_value(*i);
  } else if (auto* d = std::get_if<double>(&v)) {
    out->set_double_value(*d);
  } else {
    out->set_bool_value(std::get<bool>(v));
  }
}

// The same request coretel writes, built with libprotobuf (one scope per series here: each has
// its own entity).
void build_with_libprotobuf(const std::vector<coretel::MetricsViewPtr>& views,
                            pb::collector::metrics::v1::ExportMetricsServiceRequest* request) {
  auto* rm = request->add_resource_metrics();
  for (const coretel::AttributeRef& a : resource().attributes) {
    auto* kv = rm->mutable_resource()->add_attributes();
    kv->set_key(std::string(a.key));
    set_value(kv->mutable_value(), a.value);
  }
  for (const auto& view : views) {
    for (const coretel::SeriesView& s : view->series()) {
      const coretel::MetricsDescriptor& d = *s.info->descriptor;
      auto* sm = rm->add_scope_metrics();
      sm->mutable_scope()->set_name(std::string(d.name));
      for (const coretel::AttributeRef& a : s.info->entity->attributes) {
        auto* kv = sm->mutable_scope()->add_attributes();
        kv->set_key(std::string(a.key));
        set_value(kv->mutable_value(), a.value);
      }
      for (std::size_t f = 0; f < d.fields.size(); ++f) {
        const coretel::MetricsField& field = d.fields[f];
        auto* m = sm->add_metrics();
        m->set_name(std::string(field.name));
        m->set_description(std::string(field.brief));
        m->set_unit(std::string(field.unit));
        auto* sum = m->mutable_sum();
        sum->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
        sum->set_is_monotonic(true);
        auto* p = sum->add_data_points();
        p->set_start_time_unix_nano(s.info->start_time_unix_nano);
        p->set_time_unix_nano(view->time_unix_nano());
        p->set_as_int(static_cast<int64_t>(view->field_words(s, 0, f)[0]));
      }
    }
  }
}

void BM_coretel_otlp_encode(benchmark::State& state) {
  const int64_t n = state.range(0);
  Series& series = series_for(n, 0);
  const auto views = series.views();
  coretel::otlp::RequestBuffer out;
  coretel::otlp::Scratch scratch;
  // An exporter keeps its request buffer and scratch between exports: measure that steady state.
  coretel::otlp::encode_cumulative(resource(), views, coretel::otlp::Encoding::kProtobuf, out,
                                   scratch);
  for (auto _ : state) {
    coretel::otlp::encode_cumulative(resource(), views, coretel::otlp::Encoding::kProtobuf, out,
                                     scratch);
    benchmark::DoNotOptimize(out.bytes.data());
    benchmark::ClobberMemory();
  }
  report_per_op(state, n);
  state.counters["bytes_per_point"] =
      static_cast<double>(out.bytes.size()) / static_cast<double>(n);
}
BENCHMARK(BM_coretel_otlp_encode)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_coretel_otlp_encode_json(benchmark::State& state) {
  const int64_t n = state.range(0);
  Series& series = series_for(n, 0);
  const auto views = series.views();
  std::string out;
  coretel::otlp::Scratch scratch;
  for (auto _ : state) {
    out.clear();
    coretel::otlp::encode_cumulative(resource(), views, coretel::otlp::Encoding::kJson, out,
                                     scratch);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report_per_op(state, n);
  state.counters["bytes_per_point"] = static_cast<double>(out.size()) / static_cast<double>(n);
}
BENCHMARK(BM_coretel_otlp_encode_json)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_libprotobuf_otlp_encode(benchmark::State& state) {
  const int64_t n = state.range(0);
  Series& series = series_for(n, 0);
  const auto views = series.views();
  std::string out;
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<
        pb::collector::metrics::v1::ExportMetricsServiceRequest>(&arena);
    build_with_libprotobuf(views, request);
    out.clear();
    request->SerializeToString(&out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report_per_op(state, n);
  state.counters["bytes_per_point"] = static_cast<double>(out.size()) / static_cast<double>(n);
}
BENCHMARK(BM_libprotobuf_otlp_encode)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_coretel_otlp_collect_encode_gzip(benchmark::State& state) {
  const int64_t n = state.range(0);
  Series& series = series_for(n, 1);
  coretel::otlp::RequestBuffer out;
  coretel::otlp::Scratch scratch;
  coretel::otlp::ObservedTotals observed;  // the exporter keeps it too (no observed total here)
  std::size_t gzipped = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& r : series.regs) {
      r->requests.add(1);
      series.reporter->report(r);
    }
    state.ResumeTiming();
    series.pipeline.collect_now();
    auto tx = series.pipeline.begin_export(0);
    coretel::otlp::encode_delta(resource(), tx, coretel::otlp::Encoding::kProtobuf, out, scratch,
                                &observed);
    const std::string body = coretel::otlp::gzip_compress(out.bytes);
    tx.commit();
    observed.commit();
    gzipped = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  report_per_op(state, n);
  state.counters["bytes_per_point"] =
      static_cast<double>(out.bytes.size()) / static_cast<double>(n);
  state.counters["gzip_bytes_per_point"] = static_cast<double>(gzipped) / static_cast<double>(n);
  state.counters["consumer_bytes_per_series"] =
      series.bytes_per_series - series_for(n, 0).bytes_per_series;
}
BENCHMARK(BM_coretel_otlp_collect_encode_gzip)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
