// span_exporter.h: where finished spans go (OpenTelemetry trace/sdk.md, "Span Exporter"): the
// SpanExporter interface that span processors (span_processor.h) call, an in-memory exporter for
// a user's own tests (trace/sdk_exporters/in-memory.md) and a console exporter
// (trace/sdk_exporters/stdout.md). The OTLP exporter is in export/otlp_span_exporter.h.
//
//   auto spans = std::make_shared<coretel::trace::InMemorySpanExporter>();
//   coretel::trace::TracerProvider provider(
//       {.processors = {std::make_shared<coretel::trace::SimpleSpanProcessor>(spans)}});
//   ... end some spans ...
//   EXPECT_EQ(spans->spans().at(0).name, "parse");
//
// COLD PATH: exporters run on a processor's export thread (batch) or on the ending thread
// (simple); they may block up to the deadline they are given.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "coretel/trace/span_data.h"

namespace coretel::trace {

enum class ExportResult : uint8_t { kSuccess, kFailure };

/// Receives batches of finished, sampled spans. A processor calls export_spans() from one thread
/// at a time (trace/sdk.md: "Export() will never be called concurrently for the same exporter
/// instance"); shutdown() may come from another thread, during an export.
class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  /// Sends `spans`; returns by `deadline` (an exporter that retries stops retrying then).
  virtual ExportResult export_spans(std::span<const SpanData> spans,
                                    std::chrono::steady_clock::time_point deadline) noexcept = 0;
  /// Ends the exporter: an export in progress stops waiting to retry; later exports fail.
  virtual void shutdown() noexcept {}
};

/// Keeps every span it is given, for a user's own tests. Thread-safe.
class InMemorySpanExporter final : public SpanExporter {
 public:
  InMemorySpanExporter();
  ~InMemorySpanExporter() override;
  ExportResult export_spans(std::span<const SpanData> spans,
                            std::chrono::steady_clock::time_point deadline) noexcept override;
  /// The spans exported so far, in the order they were exported.
  std::vector<SpanData> spans() const;
  void clear();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Writes one line per span to `out` (stderr by default), for people (the format may change):
///   span <name> trace_id=<32 hex> span_id=<16 hex> parent_id=<16 hex or ->
///     kind=<kind> scope=<scope> start_unix_nano=<ns> duration_us=<us> status=<status>
///     [<key>=<value>]... [events=N] [links=N]
/// (one line; the name, scope, keys and string values by the events console's rule,
/// events/console_format.h: bare when plainly safe, else quoted with control bytes escaped, so
/// no value breaks the line; other values as attributes.h's to_string()). Thread-safe:
/// each call writes its lines with one write. `out` must outlive the exporter.
class ConsoleSpanExporter final : public SpanExporter {
 public:
  explicit ConsoleSpanExporter(std::FILE* out = stderr) : out_(out) {}
  ExportResult export_spans(std::span<const SpanData> spans,
                            std::chrono::steady_clock::time_point deadline) noexcept override;
  /// The line of one span, without its newline.
  static std::string format(const SpanData& span);

 private:
  std::FILE* out_;
};

}  // namespace coretel::trace
