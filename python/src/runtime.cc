#include "runtime.h"

#include <algorithm>
#include <atomic>
#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "coretel/trace/configure.h"
#include "coretel/trace/propagation.h"
#include "instruments.h"
#include "log_capture.h"

namespace coretel::python {

namespace {

std::atomic<Runtime*> running{nullptr};
std::mutex lifecycle;  // start() and shutdown()

bool lists(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

Runtime* Runtime::current() noexcept {
  return running.load(std::memory_order_acquire);
}

StartResult Runtime::start(const std::map<std::string, std::string>& env,
                           const std::string& default_service_name, bool testing) {
  std::lock_guard lock(lifecycle);
  if (running.load(std::memory_order_relaxed) != nullptr)
    throw std::logic_error("coretel: telemetry is already enabled in this process");
  auto* rt = new Runtime();  // never freed (runtime.h)
  StartResult result;
  rt->config_ = read_sdk_configuration([&env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
  const SdkConfiguration& config = rt->config_;
  result.warnings = config.warnings;
  rt->resource_ = std::make_shared<const Resource>(Resource::detect(default_service_name, config));
  for (const Attribute& a : rt->resource_->attributes.to_vector()) {
    result.resource.push_back(a);
    if (a.key == "service.name")
      if (const auto* s = std::get_if<std::string>(&a.value)) result.service_name = *s;
  }
  rt->propagator_ = trace::propagator_for(config.propagators);

  // Traces: the standard processors, the in-memory exporter for the tests. An exporter that
  // cannot be made leaves the signal without one.
  std::vector<std::string> traces;
  trace::TracerProviderOptions options;
  try {
    options = trace::tracer_provider_options(config, *rt->resource_);
    if (!config.sdk_disabled) {
      if (config.otlp_traces_enabled) traces.push_back("otlp");
      if (lists(config.traces_exporters, "console")) traces.push_back("console");
    }
  } catch (const std::exception& e) {
    result.warnings.push_back(
        fmt::format("traces: the exporter could not start ({}); spans are "
                    "not exported",
                    e.what()));
    options = trace::TracerProviderOptions{};
    options.sampler = trace::sampler_named(config.traces_sampler, config.traces_sampler_ratio);
    options.limits = config.span_limits;
  }
  if (testing) {
    rt->memory_spans_ = std::make_shared<trace::InMemorySpanExporter>();
    options.processors.insert(options.processors.begin(),
                              std::make_shared<trace::SimpleSpanProcessor>(rt->memory_spans_));
    traces.push_back("memory");
  }
  rt->provider_.emplace(std::move(options));
  result.traces = joined(traces);

  // Metrics: the package's pipeline, pushed over OTLP.
  result.metrics_renewed = renew_metrics_if_stopped();
  if (config.otlp_metrics_enabled) {
    try {
      const bool delta = config.otlp_metrics.temporality != TemporalityPreference::kCumulative;
      rt->metric_exporter_ = std::make_unique<OtlpMetricExporter>(
          metrics_pipeline(), *rt->resource_, config.otlp_metrics,
          delta ? std::optional<uint32_t>(0) : std::nullopt);
      rt->metric_reader_ = std::make_unique<PeriodicExportingMetricReader>(*rt->metric_exporter_,
                                                                           config.metric_reader);
      rt->metric_reader_->start();
      result.metrics = "otlp";
    } catch (const std::exception& e) {
      rt->metric_reader_.reset();
      rt->metric_exporter_.reset();
      result.warnings.push_back(fmt::format(
          "metrics: the OTLP exporter could not start ({}); metrics are not exported", e.what()));
    }
  }

  // Logs: the events providers of every aspect but coretel's own threads.
  std::vector<std::string> logs;
  events::EventsConfiguration events = config.events;
  events.resource = rt->resource_;
  events::ProviderMode mode = events::ProviderMode::kNoop;
  if (!config.sdk_disabled) {
    if (config.otlp_logs_enabled) {
      // Through `its` into the OTLP processor: each thread logs into a ring of its own, which
      // the collector drains, instead of pushing into the processor's one queue that every
      // thread shares (a compare-and-swap chain on lines another core wrote: about half a
      // microsecond a record here, BENCHMARKS.md).
      mode = events::ProviderMode::kIts;
      events.its.otlp = true;
      events.its.console = false;
      events.its.recent_capacity = 0;  // no admin endpoint serves it from Python
      logs.push_back("otlp");
    } else if (lists(config.logs_exporters, "console")) {
      mode = events::ProviderMode::kConsoleAsync;
      logs.push_back("console");
    }
  }
  events.engine = events.admin = events.global = mode;
  try {
    for (std::string& w : events::configure_events(events)) result.warnings.push_back(std::move(w));
    rt->events_configured_ = true;
  } catch (const std::exception& e) {
    logs.clear();
    result.warnings.push_back(fmt::format(
        "logs: the exporter could not start ({}); log records are not exported", e.what()));
  }
  if (testing) {
    rt->log_capture_ = std::make_shared<LogCapture>();
    events::set_provider(events::Aspect::kGlobal, rt->log_capture_);
    logs = {"memory"};
  }
  result.logs = joined(logs);
  running.store(rt, std::memory_order_release);
  return result;
}

bool Runtime::stop(std::chrono::milliseconds timeout) {
  if (stopped_) return true;
  stopped_ = true;
  bool ok = provider_->shutdown(timeout);
  ok = events::shutdown_events(timeout) && ok;
  stop_metrics();                                  // the last values reach the pipeline's views
  if (metric_reader_) metric_reader_->shutdown();  // the final export, within its timeout
  return ok;
}

bool Runtime::shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard lock(lifecycle);
  Runtime* rt = running.exchange(nullptr, std::memory_order_acq_rel);
  if (rt == nullptr) return true;
  return rt->stop(timeout);
}

void Runtime::forget_after_fork() noexcept {
  new (&lifecycle) std::mutex();  // a parent's thread may have held it at fork()
  running.store(nullptr, std::memory_order_relaxed);
  events::forget_providers_after_fork();
  forget_metrics_after_fork();
}

bool Runtime::force_flush(std::chrono::milliseconds timeout) {
  bool ok = provider_->force_flush(timeout);
  ok = events::flush_events(timeout) && ok;
  flush_metrics();
  if (metric_reader_) ok = metric_reader_->force_flush(timeout) == ExportResult::kSuccess && ok;
  return ok;
}

trace::Tracer Runtime::tracer(const std::string& scope) {
  std::lock_guard lock(mutex_);
  auto it = tracers_.find(scope);
  if (it == tracers_.end()) it = tracers_.emplace(scope, provider_->tracer(scope)).first;
  return it->second;
}

std::vector<trace::SpanData> Runtime::take_finished_spans() {
  if (!memory_spans_) return {};
  std::vector<trace::SpanData> out = memory_spans_->spans();
  memory_spans_->clear();
  return out;
}

}  // namespace coretel::python
