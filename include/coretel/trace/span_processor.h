// span_processor.h: what happens to a span when it starts and ends (OpenTelemetry trace/sdk.md,
// "Span processor"): the SpanProcessor interface a TracerProvider calls, and the two built-in
// processors, simple (export each span as it ends, on the ending thread) and batch (hand it to an
// export thread).
//
//   auto exporter = coretel::make_otlp_span_exporter(config.otlp_traces, resource);
//   auto batch = std::make_shared<coretel::trace::BatchSpanProcessor>(exporter, config.span_batch);
//   coretel::trace::TracerProvider provider({.processors = {batch}});
//
// The batch processor is built for one thread per core: ending a span on an engine thread takes
// no lock, writes nothing another engine thread writes, and keeps nothing of the thread's span:
// on_end() copies the span, as bytes (src/trace/encoded_span.h), into the thread's own bounded
// queue (made at its first span: one lock and one allocation), Boost.Lockfree single-producer
// single-consumer queues of max_queue_size spans. The export thread drains every queue each
// schedule_delay, or as soon as one holds max_export_batch_size spans, reads the spans back into
// SpanData of its own and exports them in batches of at most max_export_batch_size, each within
// export_timeout. In steady traffic (at least half a batch a pass) the export thread paces
// itself: it wakes on its own timer when the next batch is due at the last pass's rate (1 ms at
// the soonest), so an ending thread wakes it (a system call) only if its queue reaches half of
// max_queue_size (or a batch, if that is more) first; a full batch then waits at most about the
// time the last one took to fill. A span that finds its thread's queue full is dropped and counted
// (BatchSpanStats::dropped_queue_full); a batch the exporter fails is counted (export_failed); a
// span ended after shutdown() is dropped and counted (dropped_shutdown): none is lost unseen. A
// span ending while shutdown() runs is exported or counted (common/asymmetric_barrier.h orders
// the two).
//
// Spec differences, on purpose: the specification's queue is one per processor; here each
// thread's queue holds max_queue_size spans, so a thread that floods cannot make a quiet one
// lose its spans. Memory: per thread that ends spans, max_queue_size x (4 + kMaxEncodedBytes)
// bytes of queue (about 1 MiB at the default 2048; pages are touched as the queue first fills),
// plus a heap copy of each queued span over kMaxEncodedBytes encoded; the export thread keeps
// max_export_batch_size spans' buffers for its batches.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "coretel/trace/span_data.h"
#include "coretel/trace/span_exporter.h"

namespace coretel::trace {

/// Receives the spans of a provider. on_start() on the starting thread, on_end() on the ending
/// thread (a recording span: sampled, or record-only); they must not block (trace/sdk.md, "Span
/// processor"). force_flush() and shutdown() from any thread, bounded by their timeout; false
/// when the time ran out (a failed export is counted by the processor, not reported here).
class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  virtual void on_start(const SpanData& span) noexcept { (void)span; }
  /// `span` is the ending thread's and is reused once on_end() returns: copy what is kept.
  virtual void on_end(const SpanData& span) noexcept = 0;
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept {
    (void)timeout;
    return true;
  }
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept { return force_flush(timeout); }
};

/// Exports each sampled span as it ends, on the ending thread, one export at a time (a lock):
/// for tests (with InMemorySpanExporter) and the console, not for an engine's threads
/// (trace/sdk.md, "Simple processor"). Thread-safe.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  /// `export_timeout` bounds each export.
  explicit SimpleSpanProcessor(std::shared_ptr<SpanExporter> exporter,
                               std::chrono::milliseconds export_timeout = std::chrono::seconds(30));
  ~SimpleSpanProcessor() override;
  void on_end(const SpanData& span) noexcept override;
  /// Calls the exporter's shutdown(); later spans are not exported.
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// OTEL_BSP_* (SDK env vars, "Batch Span Processor"): the defaults are the specification's.
struct BatchSpanProcessorOptions {
  /// Between two exports when no queue fills up; > 0.
  std::chrono::milliseconds schedule_delay{5000};
  /// Of one export, retries included; 0 = no limit.
  std::chrono::milliseconds export_timeout{30000};
  /// Spans each thread's queue holds; 1 to 65534.
  std::size_t max_queue_size = 2048;
  /// Spans of one export; 1 to max_queue_size.
  std::size_t max_export_batch_size = 512;
  friend bool operator==(const BatchSpanProcessorOptions&,
                         const BatchSpanProcessorOptions&) = default;
};

/// Counts since construction (each span counted once).
struct BatchSpanStats {
  uint64_t exported = 0;  ///< in batches the exporter took
  /// In batches the exporter failed (or, out of memory, not read back from the queue).
  uint64_t export_failed = 0;
  /// Ended while their thread's queue was full (or, out of memory, not copied into it).
  uint64_t dropped_queue_full = 0;
  /// Ended after shutdown() began, or on a thread that was ending (no queue to take them). Spans
  /// still queued when shutdown() runs out of time are exported (or counted as export_failed)
  /// later, by the export thread it leaves running.
  uint64_t dropped_shutdown = 0;
  uint64_t exports = 0;  ///< export_spans() calls
  /// Times an ending thread woke the export thread (a full batch; when the export thread paces
  /// itself in steady traffic, a queue at high water only).
  uint64_t wakes = 0;
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  /// A span that encodes into at most this many bytes (name, scope, ids, times, attributes,
  /// events, tracestate; no links) is queued as bytes; a bigger one as a heap copy.
  static constexpr std::size_t kMaxEncodedBytes = 512;

  /// Starts the export thread. Throws std::invalid_argument, naming the option and its range,
  /// when one of `options` is out of range.
  BatchSpanProcessor(std::shared_ptr<SpanExporter> exporter,
                     BatchSpanProcessorOptions options = {});
  /// shutdown() with the export timeout.
  ~BatchSpanProcessor() override;
  /// Hot path: copies the span into this thread's queue (sampled spans only), as bytes when it
  /// fits in kMaxEncodedBytes (src/trace/encoded_span.h), else as a heap copy. Never blocks;
  /// allocates only for a span over kMaxEncodedBytes (or one with links).
  void on_end(const SpanData& span) noexcept override;
  /// Waits until an export pass that began after the call ended (every queue drained).
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  /// Stops taking spans, exports what the queues hold and ends the export thread, within
  /// `timeout` (then the thread is left to finish alone, and the exporter is told to stop);
  /// shuts the exporter down. Idempotent.
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;
  BatchSpanStats stats() const noexcept;

  /// Throws std::invalid_argument when an option is out of range (the ranges above).
  static void check(const BatchSpanProcessorOptions& options);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace coretel::trace
