#include <thread>

#include <fmt/format.h>

#include "coretel/export/otlp_span_exporter.h"
#include "delivery.h"
#include "grpc_transport.h"
#include "http_transport.h"
#include "traces_encoder.h"

namespace coretel {

using std::chrono::milliseconds;

OtlpSpanExporter::OtlpSpanExporter(const OtlpExporterOptions& options, Resource resource)
    : options_(options), resource_(std::move(resource)) {
  if (options_.protocol == OtlpProtocol::kGrpc) {
    transport_ = std::make_unique<otlp::GrpcTransport>(
        options_, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
  } else {
    transport_ = std::make_unique<otlp::HttpTransport>(
        options_, options_.protocol == OtlpProtocol::kHttpJson ? "application/json"
                                                               : "application/x-protobuf");
  }
}

OtlpSpanExporter::~OtlpSpanExporter() = default;

void OtlpSpanExporter::shutdown() noexcept {
  shut_down_.store(true, std::memory_order_release);
}

OtlpSpanExportStats OtlpSpanExporter::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

trace::ExportResult OtlpSpanExporter::export_spans(
    std::span<const trace::SpanData> spans,
    std::chrono::steady_clock::time_point deadline) noexcept {
  if (spans.empty()) return trace::ExportResult::kSuccess;
  const bool json = options_.protocol == OtlpProtocol::kHttpJson;
  const uint64_t n = spans.size();
  try {
    if (shut_down_.load(std::memory_order_acquire)) {
      std::lock_guard lock(stats_mutex_);
      stats_.spans_failed += n;
      return trace::ExportResult::kFailure;
    }
    request_.clear();
    otlp::encode_traces(resource_, spans, json ? otlp::Encoding::kJson : otlp::Encoding::kProtobuf,
                        request_);
    // A retry's wait, cut short by shutdown().
    auto wait = [this](milliseconds pause) {
      const auto until = std::chrono::steady_clock::now() + pause;
      while (std::chrono::steady_clock::now() < until) {
        if (shut_down_.load(std::memory_order_acquire)) return false;
        std::this_thread::sleep_for(std::min(pause, milliseconds(10)));
      }
      return true;
    };
    uint64_t requests = 0;
    const otlp::Delivery delivery = otlp::deliver(*transport_, request_, options_.timeout, deadline,
                                                  wait, [&requests](bool) { ++requests; });
    const otlp::PostResult& r = delivery.result;
    std::lock_guard lock(stats_mutex_);
    ++stats_.exports;
    stats_.requests += requests;
    if (r.outcome == otlp::PostOutcome::kSuccess) {
      const uint64_t rejected =
          otlp::rejected_items(r, json, "rejectedSpans", n, "traces", options_.endpoint, "spans");
      stats_.spans_exported += n - rejected;
      stats_.spans_rejected += rejected;
      return trace::ExportResult::kSuccess;
    }
    fmt::print(stderr, "coretel: OTLP traces export to {} {} ({}); {} spans dropped\n",
               options_.endpoint, r.outcome == otlp::PostOutcome::kPermanent ? "refused" : "failed",
               r.error, n);
    stats_.spans_failed += n;
    return trace::ExportResult::kFailure;
  } catch (...) {  // out of memory: the batch is lost, and counted by the processor
    return trace::ExportResult::kFailure;
  }
}

}  // namespace coretel
