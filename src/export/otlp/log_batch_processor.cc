#include "log_batch_processor.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "../../common/batch_options.h"
#include "delivery.h"
#include "grpc_transport.h"
#include "http_transport.h"
#include "logs_encoder.h"

namespace coretel::otlp {

namespace {

using std::chrono::milliseconds;

}  // namespace

void check_batch_options(const events::BatchLogProcessorOptions& b) {
  coretel::detail::check_batch_options(b, "events batch");
}

namespace {

const events::BatchLogProcessorOptions& checked(const events::BatchLogProcessorOptions& b) {
  check_batch_options(b);
  return b;
}

}  // namespace

LogBatchProcessor::LogBatchProcessor(const OtlpExporterOptions& exporter,
                                     const events::BatchLogProcessorOptions& batch,
                                     Resource resource, bool start_thread)
    : QueuedProvider(checked(batch).max_queue_size, "OTLP logs batch queue", batch.schedule_delay,
                     batch.max_export_batch_size),
      options_(exporter),
      batch_(batch),
      resource_(std::move(resource)),
      encoding_(exporter.protocol == OtlpProtocol::kHttpJson ? Encoding::kJson
                                                             : Encoding::kProtobuf),
      taken_(batch.max_export_batch_size),
      decoded_(batch.max_export_batch_size),
      records_(batch.max_export_batch_size) {
  if (options_.protocol == OtlpProtocol::kGrpc) {
    transport_ = std::make_unique<GrpcTransport>(
        options_, "/opentelemetry.proto.collector.logs.v1.LogsService/Export");
  } else {
    transport_ = std::make_unique<HttpTransport>(
        options_, encoding_ == Encoding::kJson ? "application/json" : "application/x-protobuf");
  }
  if (start_thread) start();
}

LogBatchProcessor::~LogBatchProcessor() {
  stop();
}

LogExportStats LogBatchProcessor::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::size_t LogBatchProcessor::consume(Queue& queue) {
  std::size_t n = 0;
  while (n < taken_.size() && queue.pop(taken_[n])) ++n;
  if (n == 0) return 0;
  try {
    for (std::size_t i = 0; i < n; ++i) {
      decode(taken_[i], decoded_[i]);
      records_[i] = decoded_[i].record;
    }
    export_batch(n);
  } catch (...) {  // out of memory: the batch is lost, and counted
    for (std::size_t i = 0; i < n; ++i)
      events::count_drop(static_cast<events::Aspect>(taken_[i].aspect),
                         events::DropReason::kExportFailed);
  }
  for (std::size_t i = 0; i < n; ++i) events::release(taken_[i]);
  return n;
}

void LogBatchProcessor::export_batch(std::size_t n) {
  request_.clear();
  encode_logs(resource_, std::span(records_.data(), n), encoding_, request_);
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = batch_.export_timeout.count() > 0
                            ? now + batch_.export_timeout
                            : std::chrono::steady_clock::time_point::max();
  // A retry's wait, cut short by stop(): the thread must get to what is still queued.
  auto wait = [this](milliseconds pause) {
    const auto until = std::chrono::steady_clock::now() + pause;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping()) return false;
      std::this_thread::sleep_for(std::min(pause, milliseconds(10)));
    }
    return true;
  };
  uint64_t requests = 0;
  const Delivery delivery = deliver(*transport_, request_, options_.timeout, deadline, wait,
                                    [&requests](bool) { ++requests; });
  const PostResult& r = delivery.result;
  std::lock_guard lock(stats_mutex_);
  ++stats_.exports;
  stats_.requests += requests;
  if (r.outcome == PostOutcome::kSuccess) {
    const uint64_t rejected = rejected_items(r, encoding_ == Encoding::kJson, "rejectedLogRecords",
                                             n, "logs", options_.endpoint, "log records");
    stats_.log_records_exported += n - rejected;
    stats_.log_records_rejected += rejected;
    return;
  }
  fmt::print(stderr, "coretel: OTLP logs export to {} {} ({}); {} log records dropped\n",
             options_.endpoint, r.outcome == PostOutcome::kPermanent ? "refused" : "failed",
             r.error, n);
  stats_.log_records_failed += n;
  for (std::size_t i = 0; i < n; ++i)
    events::count_drop(static_cast<events::Aspect>(taken_[i].aspect),
                       events::DropReason::kExportFailed);
}

}  // namespace coretel::otlp
