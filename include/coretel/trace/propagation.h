// propagation.h: the context that crosses process boundaries and the propagators that carry it
// in request headers (OpenTelemetry context/api-propagators.md; W3C Trace Context Level 2; W3C
// Baggage).
//
//   coretel::trace::HeaderCarrier in(request_headers);           // (name, value) pairs
//   auto propagator = coretel::trace::propagator_for(config.propagators);  // OTEL_PROPAGATORS
//   coretel::trace::Context ctx = propagator->extract(in, {});
//   ... ctx.span: the remote parent, when the traceparent was valid; ctx.baggage ...
//   coretel::trace::HeaderCarrier out;
//   propagator->inject(ctx_with_the_new_span, out);               // traceparent, tracestate,
//   baggage
//
// Header names are matched case-insensitively (HTTP field names). COLD PATH (one request's
// headers). Thread-safety: propagators are immutable, any thread; a carrier is a value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coretel/trace/trace_context.h"

namespace coretel::trace {

/// W3C Baggage (https://www.w3.org/TR/baggage/): name-value entries, each with its properties
/// (the text after the value's `;`, kept as given).
struct BaggageEntry {
  std::string key;
  std::string value;  ///< percent-decoded
  std::string properties;
  friend bool operator==(const BaggageEntry&, const BaggageEntry&) = default;
};

class Baggage {
 public:
  /// The W3C limits a propagator keeps to: 64 entries, 8192 bytes of header.
  static constexpr std::size_t kMaxEntries = 64;
  static constexpr std::size_t kMaxBytes = 8192;

  /// Parses the `baggage` header lines of one request, combined in order: members
  /// `key=value[;properties]` separated by commas, spaces and tabs around them ignored, the key
  /// an HTTP token, the value percent-decoded. A member that does not parse is skipped (the
  /// others are kept); a key given again replaces the earlier value; members beyond 64, or
  /// headers beyond 8192 bytes in all, are dropped.
  static Baggage parse(const std::vector<std::string_view>& header_lines);
  /// The header value: "k1=v1,k2=v2;prop", values percent-encoded where the W3C grammar needs it;
  /// entries that would take it past 8192 bytes are left out.
  std::string header() const;

  const std::vector<BaggageEntry>& entries() const noexcept { return entries_; }
  std::optional<std::string_view> get(std::string_view key) const noexcept;
  /// A copy with `key` set (replacing an earlier value); the key must be an HTTP token.
  Baggage with(std::string key, std::string value, std::string properties = {}) const;
  bool empty() const noexcept { return entries_.empty(); }
  friend bool operator==(const Baggage&, const Baggage&) = default;

 private:
  std::vector<BaggageEntry> entries_;
};

/// What propagators read and write: the span to continue (remote after extract()), and the
/// baggage. An immutable value.
struct Context {
  std::optional<SpanContext> span;
  Baggage baggage;
  friend bool operator==(const Context&, const Context&) = default;
};

/// Request headers as (name, value) pairs: the carrier of the propagators. get() matches names
/// case-insensitively and returns every line of that name, in order; set() replaces every line
/// of that name with one.
class HeaderCarrier {
 public:
  HeaderCarrier() = default;
  explicit HeaderCarrier(std::vector<std::pair<std::string, std::string>> headers)
      : headers_(std::move(headers)) {}
  std::vector<std::string_view> get(std::string_view name) const;
  /// The value when exactly one line has that name; nullopt for none or several. No allocation.
  std::optional<std::string_view> single(std::string_view name) const noexcept;
  void set(std::string_view name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> headers_;
};

/// OpenTelemetry's TextMapPropagator: reads and writes a Context in a carrier's headers.
class TextMapPropagator {
 public:
  virtual ~TextMapPropagator() = default;
  virtual void inject(const Context& context, HeaderCarrier& carrier) const = 0;
  /// `context` with what the carrier holds: fields this propagator does not find, or finds
  /// invalid, keep their value in `context`.
  virtual Context extract(const HeaderCarrier& carrier, Context context) const = 0;
  /// The header names it reads and writes.
  virtual std::vector<std::string> fields() const = 0;
};

/// W3C Trace Context: `traceparent` and `tracestate`. extract(): exactly one valid traceparent
/// line (two lines are invalid, trace-context "traceparent Header": a new trace), the tracestate
/// lines with it (discarded when invalid), a remote SpanContext; inject(): a valid span only,
/// version 00 with its flags (sampled and random kept), the tracestate when not empty.
std::shared_ptr<const TextMapPropagator> trace_context_propagator();
/// W3C Baggage: `baggage`.
std::shared_ptr<const TextMapPropagator> baggage_propagator();
/// Each of `propagators` in order (OpenTelemetry's composite propagator): extract() lets each
/// read over the previous ones' result, inject() lets each write.
std::shared_ptr<const TextMapPropagator> composite_propagator(
    std::vector<std::shared_ptr<const TextMapPropagator>> propagators);
/// The composite OTEL_PROPAGATORS names (SdkConfiguration::propagators: "tracecontext",
/// "baggage", or {"none"}, which propagates nothing).
std::shared_ptr<const TextMapPropagator> propagator_for(const std::vector<std::string>& names);

}  // namespace coretel::trace
