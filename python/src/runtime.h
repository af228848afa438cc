// runtime.h: the process-wide native side of the Python package: what enable_telemetry() builds
// (coretel._native.start) and shutdown() stops.
//
// One Runtime per process at most. It is made once and never freed: a Python thread may still
// hold it while another shuts it down, and a forked child must never join threads it does not
// have, so its objects stay allocated (their threads stopped by shutdown()) until the process
// ends. Python holds the GIL when it calls in, except during shutdown() and force_flush(),
// which release it while they wait.
//
// Thread-safety: every member from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "coretel/collect/pipeline.h"
#include "coretel/config/environment.h"
#include "coretel/events/provider.h"
#include "coretel/export/otlp_metric_exporter.h"
#include "coretel/export/periodic_exporting_reader.h"
#include "coretel/resource.h"
#include "coretel/trace/span.h"
#include "coretel/trace/span_exporter.h"

namespace coretel::python {

class LogCapture;

/// What start() made of the configuration: the exporter of each signal as a comma-separated
/// list ("otlp", "console", "memory"; "none" when it has none), the resource, and every warning
/// (the configuration's, and each exporter that could not be made: its signal is then "none").
struct StartResult {
  std::string traces = "none";
  std::string metrics = "none";
  std::string logs = "none";
  std::string service_name;
  std::vector<Attribute> resource;
  std::vector<std::string> warnings;
  /// A shutdown() had stopped the metrics pipeline: a new one was made, and the series
  /// registered on the old one must be registered again (they record nothing more).
  bool metrics_renewed = false;
};

class Runtime {
 public:
  /// The running runtime; nullptr before start(), after shutdown(), and in a forked child.
  static Runtime* current() noexcept;

  /// Reads the configuration from `env` (as read_sdk_configuration() reads the environment)
  /// and starts the signals' exporters. `testing`: spans also go to an in-memory exporter and
  /// log records to an in-memory list instead of the logs provider. Throws std::logic_error when
  /// a runtime is running.
  static StartResult start(const std::map<std::string, std::string>& env,
                           const std::string& default_service_name, bool testing);

  /// Exports what is buffered (spans, log records, the last metrics) and stops every thread,
  /// within about `timeout` per signal. Idempotent; false when something was still unexported.
  static bool shutdown(std::chrono::milliseconds timeout);

  /// In a child after fork(): forgets the runtime (its threads do not exist here) without
  /// touching it, so that the child may start another.
  static void forget_after_fork() noexcept;

  bool force_flush(std::chrono::milliseconds timeout);

  /// The Tracer of `scope` (cached).
  trace::Tracer tracer(const std::string& scope);
  const trace::TextMapPropagator& propagator() const noexcept { return *propagator_; }
  /// Testing: the spans ended so far, drained; empty when not testing.
  std::vector<trace::SpanData> take_finished_spans();
  /// Testing: where log records go instead of the provider; nullptr when not testing.
  LogCapture* log_capture() const noexcept { return log_capture_.get(); }

 private:
  Runtime() = default;
  bool stop(std::chrono::milliseconds timeout);

  std::mutex mutex_;  // guards tracers_
  SdkConfiguration config_;
  std::shared_ptr<const Resource> resource_;
  std::optional<trace::TracerProvider> provider_;
  std::shared_ptr<trace::InMemorySpanExporter> memory_spans_;
  std::shared_ptr<const trace::TextMapPropagator> propagator_;
  std::unordered_map<std::string, trace::Tracer> tracers_;
  std::unique_ptr<OtlpMetricExporter> metric_exporter_;
  std::unique_ptr<PeriodicExportingMetricReader> metric_reader_;
  std::shared_ptr<LogCapture> log_capture_;
  bool events_configured_ = false;
  bool stopped_ = false;
};

}  // namespace coretel::python
