// metric_exporter.h: MetricExporter, what a push exporter of metrics offers the periodic reader
// (OpenTelemetry metrics SDK, "Push Metric Exporter"), and ExportResult.
//
// COLD PATH. Audience: exporter authors (OtlpMetricExporter implements it) and
// PeriodicExportingMetricReader (periodic_exporting_reader.h), which calls it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace coretel {

/// How one export ended.
enum class ExportResult : uint8_t {
  kSuccess,          ///< delivered (or nothing to deliver)
  kFailedRetryable,  ///< not delivered before the deadline: nothing was lost, the next export
                     ///< carries it (deltas rolled back, cumulative values still growing)
  kFailedPermanent,  ///< refused for good (e.g. HTTP 400), counted: deltas are dropped;
                     ///< cumulative values come again, grown, with the next export
};

/// "success", "failed_retryable", "failed_permanent".
constexpr std::string_view to_string(ExportResult r) noexcept {
  switch (r) {
    case ExportResult::kSuccess:
      return "success";
    case ExportResult::kFailedRetryable:
      return "failed_retryable";
    case ExportResult::kFailedPermanent:
      return "failed_permanent";
  }
  return "unknown";
}

class MetricExporter {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  virtual ~MetricExporter() = default;
  /// Reads what is due and delivers it, retrying as the protocol allows until `deadline`.
  /// Called by one thread at a time.
  virtual ExportResult export_metrics(Deadline deadline) = 0;
  /// For shutdown: cuts short a wait between retries of a running export_metrics() (which then
  /// returns kFailedRetryable), and from then on every export makes a single attempt, without
  /// waiting to retry. Sticky, so no interrupt is lost to a race with an export starting. Any
  /// thread.
  virtual void interrupt() noexcept = 0;
};

}  // namespace coretel
