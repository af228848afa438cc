// trace_bench.cc: spans and propagation (coretel/trace/*) on an engine thread, beside the raw floor
// and beside the design a user would otherwise write, in the same run:
//  * BM_raw_span_floor: what any recording span costs at least: two system_clock reads (start,
//    end) and three 64-bit draws of the thread's id generator (trace id, span id).
//  * BM_coretel_span_sampled_batch: a sampled span started, given two attributes and ended into
//    the batch span processor (this thread's spsc queue; an exporter that keeps nothing). Each
//    iteration ends 1,000 spans into an empty queue, then, with the timer paused, force_flush()
//    waits until the export thread took them: the engine thread's cost alone, nothing dropped.
//    Target: at most 100 ns.
//  * BM_coretel_span_sampled_locked: the same span into a simple processor over an in-memory
//    exporter (a mutex and a copy per span): the lock-per-span design, for comparison.
//  * BM_coretel_span_sampled_out: a span the sampler drops (always_off), with the same two
//    set_attribute() calls: ids for propagation, nothing stored. Target: at most 10 ns.
//  * BM_coretel_traceparent_extract / _inject: the W3C trace-context propagator reading a
//    request's traceparent (a valid one among three headers) into a Context, and writing a span's
//    into an empty carrier. Target: at most 50 ns each. BM_coretel_traceparent_parse /
//    _format: the header value alone (trace_context.h).
// opentelemetry-cpp, the library users would otherwise pick, has no Debian package in bookworm;
// it is not in this run (BENCHMARKS.md says so).
// ns_per_op = ns per span or per header.
#include <chrono>
#include <memory>

#include <benchmark/benchmark.h>

#include "bench_common.h"
#include "coretel/trace/id_generator.h"
#include "coretel/trace/span.h"

namespace {

namespace tr = coretel::trace;
using coretel_bench::report_per_op;

class Discard final : public tr::SpanExporter {
 public:
  tr::ExportResult export_spans(std::span<const tr::SpanData> spans,
                                std::chrono::steady_clock::time_point) noexcept override {
    benchmark::DoNotOptimize(spans.data());
    return tr::ExportResult::kSuccess;
  }
};

constexpr int64_t kSpansPerIteration = 1000;

void BM_raw_span_floor(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::chrono::system_clock::now());
    benchmark::DoNotOptimize(tr::new_trace_id());
    benchmark::DoNotOptimize(tr::new_span_id());
    benchmark::DoNotOptimize(std::chrono::system_clock::now());
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_raw_span_floor);

void span_with_two_attributes(const tr::Tracer& tracer, int64_t port) {
  tr::Span span = tracer.start_span("parse");
  span.set_attribute("network.transport", "udp");
  span.set_attribute("server.port", port);
}

void BM_coretel_span_sampled_batch(benchmark::State& state) {
  auto batch = std::make_shared<tr::BatchSpanProcessor>(
      std::make_shared<Discard>(),
      tr::BatchSpanProcessorOptions{.schedule_delay = std::chrono::seconds(60),
                                    .max_queue_size = 2048,
                                    .max_export_batch_size = 2048});
  tr::TracerProvider provider({.processors = {batch}});
  const tr::Tracer tracer = provider.tracer("bench.trace");
  int64_t port = 514;
  for (auto _ : state) {
    for (int64_t i = 0; i < kSpansPerIteration; ++i) span_with_two_attributes(tracer, port);
    state.PauseTiming();
    provider.force_flush(std::chrono::seconds(10));
    state.ResumeTiming();
  }
  report_per_op(state, kSpansPerIteration);
  state.counters["dropped"] = static_cast<double>(batch->stats().dropped_queue_full);
  provider.shutdown();
}
BENCHMARK(BM_coretel_span_sampled_batch);

void BM_coretel_span_sampled_locked(benchmark::State& state) {
  auto memory = std::make_shared<tr::InMemorySpanExporter>();
  tr::TracerProvider provider({.processors = {std::make_shared<tr::SimpleSpanProcessor>(memory)}});
  const tr::Tracer tracer = provider.tracer("bench.trace");
  int64_t port = 514;
  for (auto _ : state) {
    for (int64_t i = 0; i < kSpansPerIteration; ++i) span_with_two_attributes(tracer, port);
    state.PauseTiming();
    memory->clear();
    state.ResumeTiming();
  }
  report_per_op(state, kSpansPerIteration);
}
BENCHMARK(BM_coretel_span_sampled_locked);

void BM_coretel_span_sampled_out(benchmark::State& state) {
  tr::TracerProvider provider({.sampler = tr::always_off()});
  const tr::Tracer tracer = provider.tracer("bench.trace");
  int64_t port = 514;
  for (auto _ : state) span_with_two_attributes(tracer, port);
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_span_sampled_out);

const tr::HeaderCarrier& request_headers() {
  static const tr::HeaderCarrier carrier(
      {{"Host", "127.0.0.1:5000"},
       {"Content-Type", "application/json"},
       {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}});
  return carrier;
}

void BM_coretel_traceparent_extract(benchmark::State& state) {
  const auto propagator = tr::trace_context_propagator();
  const tr::HeaderCarrier& carrier = request_headers();
  for (auto _ : state) {
    tr::Context context = propagator->extract(carrier, {});
    benchmark::DoNotOptimize(context);
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_traceparent_extract);

void BM_coretel_traceparent_inject(benchmark::State& state) {
  const auto propagator = tr::trace_context_propagator();
  const tr::Context context = propagator->extract(request_headers(), {});
  for (auto _ : state) {
    tr::HeaderCarrier carrier;
    propagator->inject(context, carrier);
    benchmark::DoNotOptimize(carrier);
  }
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_traceparent_inject);

void BM_coretel_traceparent_parse(benchmark::State& state) {
  const std::string_view value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  for (auto _ : state) benchmark::DoNotOptimize(tr::parse_traceparent(value));
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_traceparent_parse);

void BM_coretel_traceparent_format(benchmark::State& state) {
  const auto parsed =
      *tr::parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  for (auto _ : state)
    benchmark::DoNotOptimize(
        tr::format_traceparent(parsed.trace_id, parsed.parent_id, parsed.flags));
  report_per_op(state, 1);
}
BENCHMARK(BM_coretel_traceparent_format);

}  // namespace
