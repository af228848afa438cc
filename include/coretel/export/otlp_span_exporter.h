// otlp_span_exporter.h: OtlpSpanExporter, finished spans pushed over OTLP: HTTP with protobuf or
// JSON, or gRPC (OTLP specification, protocol/exporter.md; trace/sdk_exporters/otlp.md), behind
// a span processor (trace/span_processor.h: the batch processor in production).
//
//   auto config = coretel::read_sdk_configuration();          // OTEL_* variables
//   auto exporter = std::make_shared<coretel::OtlpSpanExporter>(
//       config.otlp_traces, coretel::Resource::detect("my-engine"));
//   auto batch = std::make_shared<coretel::trace::BatchSpanProcessor>(exporter, config.span_batch);
//
// Each export_spans() is one ExportTraceServiceRequest (the mapping: src/export/otlp/
// traces_encoder.h) with the OTLP retries (429, 502, 503, 504, the retryable gRPC codes and
// exchanges with no answer, after the server's Retry-After/RetryInfo or an exponential backoff)
// until the processor's deadline; each attempt is also bounded by the options' timeout. A batch
// refused for good or out of retry time fails (the processor counts its spans) and one stderr
// line says so; a partial success's rejected spans are counted in stats() and said on stderr.
// shutdown() stops a retry's wait at once.
//
// COLD PATH (the processor's export thread). Thread-safety: export_spans() from one thread at a
// time; stats() and shutdown() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "coretel/config/otlp_options.h"
#include "coretel/resource.h"
#include "coretel/trace/span_exporter.h"

namespace coretel {

namespace otlp {
class Transport;
}

/// Counts since construction.
struct OtlpSpanExportStats {
  uint64_t exports = 0;         ///< export_spans() calls with spans
  uint64_t requests = 0;        ///< POSTs made, retries included
  uint64_t spans_exported = 0;  ///< accepted by the server
  uint64_t spans_rejected = 0;  ///< partial_success.rejected_spans
  uint64_t spans_failed = 0;    ///< in batches refused for good or out of retry time
};

class OtlpSpanExporter final : public trace::SpanExporter {
 public:
  /// `options.endpoint` is the full URL (http://localhost:4318/v1/traces by default for
  /// OTEL_EXPORTER_OTLP_TRACES_*; config/environment.h fills it). Throws std::runtime_error when
  /// the transport cannot start (libcurl, a TLS file of a grpc exporter).
  OtlpSpanExporter(const OtlpExporterOptions& options, Resource resource);
  ~OtlpSpanExporter() override;

  trace::ExportResult export_spans(
      std::span<const trace::SpanData> spans,
      std::chrono::steady_clock::time_point deadline) noexcept override;
  void shutdown() noexcept override;
  OtlpSpanExportStats stats() const;

 private:
  OtlpExporterOptions options_;
  Resource resource_;
  std::unique_ptr<otlp::Transport> transport_;
  std::string request_;
  std::atomic<bool> shut_down_{false};
  mutable std::mutex stats_mutex_;
  OtlpSpanExportStats stats_;
};

}  // namespace coretel
