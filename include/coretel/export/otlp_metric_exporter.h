// otlp_metric_exporter.h: OtlpMetricExporter, coretel's metrics pushed over OTLP: HTTP with
// protobuf or JSON, or gRPC (OTLP specification; protocol/exporter.md;
// metrics/sdk_exporters/otlp.md).
//
//   coretel::PipelineOptions po;
//   po.delta_consumers = 1;                        // only needed for delta temporality
//   coretel::CollectionPipeline pipeline(po);
//   auto config = coretel::read_sdk_configuration();  // OTEL_* variables
//   coretel::OtlpMetricExporter exporter(pipeline, coretel::Resource::detect("my-engine"),
//                                        config.otlp_metrics, /*delta_consumer=*/0);
//   coretel::PeriodicExportingMetricReader reader(exporter, config.metric_reader);
//   reader.start();  ...  pipeline.stop();  reader.shutdown();
//
// COLD PATH: export_metrics() runs on the reader's thread and never touches an engine thread or
// the collector's thread. What is read depends on the temporality preference:
//  * cumulative: the collectors' published views (CollectionPipeline::views()). A failed export
//    loses nothing: the next one carries the totals.
//  * delta, lowmemory: the deltas of one export consumer (CollectionPipeline::begin_export):
//    committed when delivered, rolled back into the accumulators when the export fails in a way
//    worth retrying, so the next export carries them; committed and counted as dropped when the
//    server refuses them for good. lowmemory equals delta here: the one instrument the
//    specification treats differently, the asynchronous counter (coretel's ObserveCounter),
//    stays cumulative under both (its delta form is not built yet).
// Retries (OTLP/HTTP and OTLP/gRPC "Failures"): 429, 502, 503, 504, the retryable gRPC codes
// (src/export/otlp/grpc_transport.h) and exchanges with no answer (no connection, a timeout, a
// reset, a failed TLS handshake) are retried with exponential backoff (1 s, x1.5, at most 5 s,
// each wait scaled by a random 0.8-1.2) or after the server's Retry-After (HTTP) or RetryInfo
// (gRPC), while the deadline allows; every other answer is final. A partial_success is
// counted, logged and never retried. Failures are logged to stderr, one line per failed export.
// What it counts (stats()) is also exported as coretel's own metrics, coretel.exporter.* and
// coretel.exporter.data_points by outcome (docs/telemetry/coretel), through the same pipeline,
// reported after each export that had data; and as the semantic conventions' SDK exporter
// metrics (docs/telemetry/semconv), each data point with otel.component.type (the protocol's
// otlp_*_metric_exporter), otel.component.name ("<type>/<n>"), server.address and server.port:
//  * otel.sdk.exporter.metric_data_point.inflight: the points of the export under way, reported
//    when it starts (retries and backoff included) and when it ends;
//  * otel.sdk.exporter.metric_data_point.exported: once per export, without error.type for the
//    accepted points, with `rejected` for a partial success's, with the last attempt's error
//    (otlp::PostResult::error_type: "400", "UNAVAILABLE", "timeout", ...) for the others (kept
//    points are counted again when a later export sends them);
//  * otel.sdk.exporter.operation.duration: once per export, first attempt to last, error.type
//    absent on full success. At most 16 error types get series of their own, the others are
//    `_OTHER`.
// Thread-safety: export_metrics() from one thread at a time (the reader); stats() and
// interrupt() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "coretel/collect/pipeline.h"
#include "coretel/config/environment.h"
#include "coretel/export/metric_exporter.h"
#include "coretel/resource.h"
#include "coretel/semconv/otel.h"
#include "coretel/telemetry/coretel.h"

namespace coretel {

namespace otlp {
class Transport;
struct Scratch;
struct RequestBuffer;
class ObservedTotals;
enum class Encoding : uint8_t;
}  // namespace otlp

/// Counts since construction. Data points are counted once per export attempt that carried them.
struct OtlpExportStats {
  uint64_t exports = 0;               ///< export_metrics() calls that had data to send
  uint64_t requests = 0;              ///< POSTs made, retries included
  uint64_t retries = 0;               ///< POSTs that were retries
  uint64_t failed_retryable = 0;      ///< exports given up at the deadline (nothing lost)
  uint64_t failed_permanent = 0;      ///< exports refused for good (their points dropped)
  uint64_t data_points_exported = 0;  ///< accepted by the server (rejected ones excluded)
  uint64_t data_points_rejected = 0;  ///< partial_success.rejected_data_points
  uint64_t data_points_dropped = 0;   ///< in exports refused for good
  uint64_t data_points_kept = 0;      ///< in exports given up at the deadline (sent again later)
  uint64_t consumer_detached = 0;     ///< exports that found the delta consumer detached (a gap)
};

class OtlpMetricExporter final : public MetricExporter {
 public:
  /// Exports the metrics of `pipeline` (which must outlive the exporter) with `resource`.
  /// `delta_consumer` (< PipelineOptions::delta_consumers) is required when
  /// options.temporality is delta or lowmemory, and unused for cumulative. options.protocol
  /// chooses the transport and encoding (http/protobuf, http/json, grpc). Throws
  /// std::invalid_argument for a missing consumer, std::runtime_error if libcurl cannot start
  /// or a TLS file of a grpc exporter cannot be read.
  OtlpMetricExporter(CollectionPipeline& pipeline, Resource resource, OtlpExporterOptions options,
                     std::optional<uint32_t> delta_consumer = std::nullopt);
  ~OtlpMetricExporter() override;

  ExportResult export_metrics(Deadline deadline) override;
  void interrupt() noexcept override;

  OtlpExportStats stats() const;
  const OtlpExporterOptions& options() const noexcept { return options_; }

 private:
  // One export; export_metrics() adds what it counted to the self-metrics.
  ExportResult export_once(Deadline deadline);
  // Posts `body` until delivered, refused, or the deadline; counts requests and retries.
  ExportResult deliver(std::string_view body, uint64_t points, Deadline deadline);
  // The otel.sdk.exporter series of `error_type` ("" = success), registered on first use.
  semconv::OtelSdkExporterMetrics& outcome(std::string_view error_type);
  // last_error_type_ = `error_type`, or `_OTHER` when the transport gave none.
  void set_last_error_type(std::string_view error_type);
  // Waits `wait` unless interrupted; false when interrupted.
  bool wait_for(std::chrono::milliseconds wait);

  CollectionPipeline& pipeline_;
  Resource resource_;
  OtlpExporterOptions options_;
  std::optional<uint32_t> delta_consumer_;
  otlp::Encoding encoding_{};
  std::unique_ptr<otlp::Transport> transport_;
  std::unique_ptr<otlp::RequestBuffer> request_;  // reused between exports
  std::unique_ptr<otlp::Scratch> scratch_;        // the encoder's working memory, reused likewise
  // Delta reads: the ObserveCounter totals last exported (otlp/observed_totals.h).
  std::unique_ptr<otlp::ObservedTotals> observed_;
  uint64_t exports_since_prune_ = 0;

  mutable std::mutex stats_mutex_;
  OtlpExportStats stats_;

  // coretel.exporter and coretel.exporter.points (registry/coretel), recorded and reported by
  // the thread that runs export_metrics().
  std::unique_ptr<Reporter> self_reporter_;
  Registration<telemetry::CoretelExporterMetrics> self_;
  Registration<telemetry::CoretelExporterPointsByCoretelExporterOutcome> points_;
  // otel.sdk.exporter.* (registry/semconv), on the same reporter: the component's attributes,
  // the in-flight series and one outcome series per error.type ("" = none: success).
  Attributes component_;
  Registration<semconv::OtelSdkExporterMetricDataPointMetrics> inflight_;
  std::map<std::string, Registration<semconv::OtelSdkExporterMetrics>, std::less<>> outcomes_;
  std::string last_error_type_;  // of the last export that failed, set by deliver()

  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  bool interrupted_ = false;  // guarded by wait_mutex_
};

}  // namespace coretel
