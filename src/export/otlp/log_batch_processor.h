// log_batch_processor.h (internal): LogBatchProcessor, the OTLP logs exporter behind the `otlp`
// provider mode and `its`'s OTLP output: a batching processor (logs/sdk.md, "Batching
// processor": OTEL_BLRP_SCHEDULE_DELAY, OTEL_BLRP_EXPORT_TIMEOUT, OTEL_BLRP_MAX_QUEUE_SIZE,
// OTEL_BLRP_MAX_EXPORT_BATCH_SIZE) in front of an OTLP exporter (protocol/exporter.md:
// OTLP/HTTP with protobuf or JSON, or OTLP/gRPC; logs_encoder.h has the mapping).
//
// A QueuedProvider (queued_provider.h): records are queued as fixed-size blocks, never
// blocking; a full queue drops and counts the event. The processor's thread takes at most
// max_export_batch_size events each schedule_delay, or as soon as that many are queued, and
// sends them as one request with the OTLP retries (delivery.h) within export_timeout. A batch the
// server refuses for good, or that runs out of retry time, is dropped: each of its events is
// counted (DropReason::kExportFailed) and one line on stderr says so; a partial success's
// rejected records are counted in stats() and said on stderr. stop() sends what is queued, and
// interrupts a retry's wait (the batch is then dropped and counted).
//
// COLD PATH (its thread). Thread-safety: QueuedProvider's; stats() from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../../events/queued_provider.h"
#include "coretel/config/otlp_options.h"
#include "coretel/resource.h"
#include "metrics_encoder.h"

namespace coretel::otlp {

class Transport;

/// Counts since construction.
struct LogExportStats {
  uint64_t exports = 0;               ///< batches sent (first attempts)
  uint64_t requests = 0;              ///< POSTs made, retries included
  uint64_t log_records_exported = 0;  ///< accepted by the server
  uint64_t log_records_rejected = 0;  ///< partial_success.rejected_log_records
  uint64_t log_records_failed = 0;    ///< in batches refused for good or out of retry time
};

/// Throws std::invalid_argument, naming the option and its range, when one of `batch` is out of
/// range (provider.h: BatchLogProcessorOptions).
void check_batch_options(const events::BatchLogProcessorOptions& batch);

class LogBatchProcessor final : public events::QueuedProvider {
 public:
  /// Throws std::invalid_argument for options out of range (provider.h's
  /// BatchLogProcessorOptions), std::runtime_error when the transport cannot start (libcurl, a
  /// TLS file of a grpc exporter). `start` false: the thread waits for start() (tests).
  LogBatchProcessor(const OtlpExporterOptions& exporter,
                    const events::BatchLogProcessorOptions& batch, Resource resource,
                    bool start = true);
  ~LogBatchProcessor() override;

  LogExportStats stats() const;

 private:
  std::size_t consume(Queue& queue) override;
  // Sends records_ (n of them); counts and reports the outcome.
  void export_batch(std::size_t n);

  OtlpExporterOptions options_;
  events::BatchLogProcessorOptions batch_;
  Resource resource_;
  Encoding encoding_;
  std::unique_ptr<Transport> transport_;
  std::vector<events::EncodedEvent> taken_;  // the thread's, max_export_batch_size of them
  std::vector<events::DecodedEvent> decoded_;
  std::vector<events::EventRecord> records_;
  std::string request_;
  mutable std::mutex stats_mutex_;
  LogExportStats stats_;
};

}  // namespace coretel::otlp
