// periodic_exporting_reader.h: PeriodicExportingMetricReader, which calls a MetricExporter every
// interval on its own thread (OpenTelemetry metrics SDK, "Periodic exporting MetricReader";
// OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT).
//
// COLD PATH. Each export gets MetricReaderOptions::timeout (0 = no limit) to finish, retries
// included. The thread only ever waits on its own timer and the exporter's network calls: an
// engine thread or a collector never waits for it, whatever the server does.
// Order at shutdown: stop the engine's reporting, CollectionPipeline::stop() (its final
// collection publishes the last values), then shutdown() here (the final export).
// Thread-safety: every member may be called from any thread; exports never overlap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "coretel/config/environment.h"
#include "coretel/export/metric_exporter.h"

namespace coretel {

class PeriodicExportingMetricReader {
 public:
  /// `exporter` must outlive the reader.
  PeriodicExportingMetricReader(MetricExporter& exporter, MetricReaderOptions options);
  ~PeriodicExportingMetricReader();  // shutdown(options.timeout)
  PeriodicExportingMetricReader(const PeriodicExportingMetricReader&) = delete;
  PeriodicExportingMetricReader& operator=(const PeriodicExportingMetricReader&) = delete;

  /// Starts the thread: the first export one interval from now. Idempotent; nothing after
  /// shutdown().
  void start();
  /// Exports now on the calling thread (after a running periodic export ends) within `timeout`
  /// (0 = no limit). Returns the export's result.
  ExportResult force_flush(std::chrono::milliseconds timeout);
  /// Stops the thread, cutting short its waits between retries, then makes the final export (a
  /// single attempt) within `timeout` (0 = no limit). Returns within about `timeout` plus the
  /// end of a request in flight, itself bounded by the exporter's own timeout. Later calls return
  /// kSuccess and do nothing.
  ExportResult shutdown(std::chrono::milliseconds timeout);
  ExportResult shutdown() { return shutdown(options_.timeout); }

 private:
  void run();
  ExportResult export_within(std::chrono::milliseconds timeout);

  MetricExporter& exporter_;
  MetricReaderOptions options_;
  std::mutex export_mutex_;  // one export at a time
  std::mutex mutex_;         // guards the flags below
  std::condition_variable wake_;
  bool running_ = false;
  bool shut_down_ = false;
  std::thread thread_;
};

}  // namespace coretel
