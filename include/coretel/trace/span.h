// span.h: spans (OpenTelemetry trace/api.md, trace/sdk.md): a TracerProvider with its sampler,
// limits and processors, a Tracer per instrumentation scope, and Span, an RAII handle that ends
// the span when it goes out of scope.
//
//   coretel::trace::TracerProvider provider({.processors = {processor}});
//   coretel::trace::Tracer tracer = provider.tracer("syslog.receiver");
//   {
//     coretel::trace::Span span = tracer.start_span("parse", {.kind = SpanKind::kInternal});
//     span.set_attribute("network.transport", "tcp");
//     auto scope = coretel::trace::activate(span.context());  // current for this thread
//     ...
//   }  // ended here, handed to the processors
//
// A span the sampler drops is not recording: it stores nothing, allocates nothing, and its
// setters return at once; it still has a valid SpanContext that propagates (sampled flag off).
// Limits (trace/sdk.md, "Span Limits"; OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT,
// OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT):
// what is over a limit is dropped and counted in SpanData's dropped_* counts; a string longer
// than the length limit is cut (at a UTF-8 boundary).
//
// Memory: a recording span's SpanData comes from a pool of the thread that starts it and goes
// back, cleared, to the pool of the thread that ends it, once every processor has seen it (they
// copy what they keep): a thread that starts and ends spans steadily reuses the same few, at most
// 64 kept a thread.
//
// Thread-safety: a TracerProvider and a Tracer from any thread; one Span from one thread at a
// time (hand it over with its owner, or hand over its context()).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/metrics/attributes.h"
#include "coretel/trace/propagation.h"
#include "coretel/trace/sampler.h"
#include "coretel/trace/span_data.h"
#include "coretel/trace/span_processor.h"
#include "coretel/trace/trace_context.h"

namespace coretel::trace {

struct TracerProviderOptions {
  /// nullptr: parentbased_always_on.
  std::shared_ptr<const Sampler> sampler = nullptr;
  SpanLimits limits = {};
  std::vector<std::shared_ptr<SpanProcessor>> processors = {};
};

class Tracer;

class TracerProvider {
 public:
  /// Also makes events (events/emit.h) emitted while a span is active carry its trace id, span
  /// id and flags (events::set_trace_context_source).
  explicit TracerProvider(TracerProviderOptions options = {});
  /// The Tracer of one instrumentation scope; it holds the provider's state (the provider may go
  /// first).
  Tracer tracer(std::string scope) const;
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// How a span starts.
struct StartOptions {
  SpanKind kind = SpanKind::kInternal;
  /// The parent: nullptr takes the thread's current context (activate()); a Context without a
  /// span makes a root span. Read during start_span() only.
  const Context* parent = nullptr;
  std::vector<Attribute> attributes = {};
  std::vector<SpanLink> links = {};
  /// 0: now.
  uint64_t start_time_unix_nano = 0;
};

class Span {
 public:
  Span() = default;  ///< an invalid, non-recording span
  Span(Span&&) noexcept;
  Span& operator=(Span&&) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  /// end(), if not ended yet.
  ~Span() {
    if (data_) end();
  }

  const SpanContext& context() const noexcept { return context_; }
  bool is_recording() const noexcept { return data_ != nullptr; }

  /// Sets (or replaces) an attribute, within the limits. Inline: a span that is not recording
  /// returns at once, without converting `value` (what the caller computes to pass, such as a
  /// std::to_string(), is still computed).
  void set_attribute(std::string_view key, AttributeValueRef value) {
    if (data_) set_recorded_attribute(key, value);
  }
  void add_event(std::string_view name, std::span<const Attribute> attributes = {},
                 uint64_t time_unix_nano = 0);
  /// An `exception` event with exception.type and exception.message (semantic conventions,
  /// exceptions); status is left to the caller.
  void record_exception(std::string_view type, std::string_view message);
  /// kOk wins over kError, kError over kUnset; a description only with kError (trace/api.md,
  /// "Set Status").
  void set_status(StatusCode code, std::string_view description = {});
  /// Ends the span (once; later calls do nothing) and hands it to the processors.
  void end(uint64_t end_time_unix_nano = 0);

 private:
  friend class Tracer;
  void set_recorded_attribute(std::string_view key, AttributeValueRef value);
  SpanContext context_;
  std::unique_ptr<SpanData> data_;  // null when not recording or ended
  std::shared_ptr<TracerProvider::State> provider_;
};

class Tracer {
 public:
  /// Starts a span: the parent's trace id or a new one, a new span id, the sampler's decision;
  /// a root span sets the W3C random flag (its trace id is random). Never throws.
  Span start_span(std::string_view name, StartOptions options = {}) const;
  const std::string& scope() const noexcept { return scope_; }

 private:
  friend class TracerProvider;
  Tracer(std::shared_ptr<TracerProvider::State> provider, std::string scope)
      : provider_(std::move(provider)), scope_(std::move(scope)) {}
  std::shared_ptr<TracerProvider::State> provider_;
  std::string scope_;
};

/// The calling thread's current context (empty when none was activated).
const Context& current_context() noexcept;
/// Makes `context` the thread's current until the returned scope is destroyed (then the previous
/// one is current again). Scopes must end in reverse order, on the thread that made them. The
/// thread's span state is made at its first span or scope; when that allocation fails, or after
/// the thread's exit has freed its state, the scope changes nothing.
class ContextScope {
 public:
  explicit ContextScope(Context context);
  ~ContextScope();
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  Context previous_;
};
/// ContextScope with `span` as the current span (the current baggage kept).
ContextScope activate(const SpanContext& span);

}  // namespace coretel::trace
