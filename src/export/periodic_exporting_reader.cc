#include "coretel/export/periodic_exporting_reader.h"

#include "coretel/events/provider.h"

namespace coretel {

PeriodicExportingMetricReader::PeriodicExportingMetricReader(MetricExporter& exporter,
                                                             MetricReaderOptions options)
    : exporter_(exporter), options_(options) {}

PeriodicExportingMetricReader::~PeriodicExportingMetricReader() {
  shutdown(options_.timeout);
}

void PeriodicExportingMetricReader::start() {
  std::lock_guard lock(mutex_);
  if (running_ || shut_down_) return;
  running_ = true;
  thread_ = std::thread([this] {
    events::set_thread_aspect(events::Aspect::kInternal);  // an exporter's: must not feed itself
    run();
  });
}

void PeriodicExportingMetricReader::run() {
  std::unique_lock lock(mutex_);
  while (running_) {
    if (wake_.wait_for(lock, options_.interval, [this] { return !running_; })) break;
    lock.unlock();
    export_within(options_.timeout);
    lock.lock();
  }
}

ExportResult PeriodicExportingMetricReader::export_within(std::chrono::milliseconds timeout) {
  std::lock_guard lock(export_mutex_);
  const auto deadline = timeout.count() > 0 ? std::chrono::steady_clock::now() + timeout
                                            : std::chrono::steady_clock::time_point::max();
  return exporter_.export_metrics(deadline);
}

ExportResult PeriodicExportingMetricReader::force_flush(std::chrono::milliseconds timeout) {
  return export_within(timeout);
}

ExportResult PeriodicExportingMetricReader::shutdown(std::chrono::milliseconds timeout) {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return ExportResult::kSuccess;
    shut_down_ = true;
    running_ = false;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  exporter_.interrupt();
  if (thread.joinable()) thread.join();
  return export_within(timeout);
}

}  // namespace coretel
