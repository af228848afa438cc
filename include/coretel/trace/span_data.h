// span_data.h: a span as processors and exporters see it (OpenTelemetry trace/sdk.md,
// "Additional Span Interfaces": ReadableSpan), and the limits that bound what a span keeps
// (trace/sdk.md, "Span Limits").
//
// Values, thread-compatible. Included by span processors and exporters (span_processor.h,
// span_exporter.h) and by the configuration (config/environment.h, for SpanLimits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/metrics/attributes.h"
#include "coretel/trace/trace_context.h"

namespace coretel::trace {

enum class SpanKind : uint8_t { kInternal, kServer, kClient, kProducer, kConsumer };
enum class StatusCode : uint8_t { kUnset, kOk, kError };

/// "internal", "server", "client", "producer", "consumer".
std::string_view to_string(SpanKind kind) noexcept;
/// "unset", "ok", "error".
std::string_view to_string(StatusCode code) noexcept;

/// What one span keeps (trace/sdk.md, "Span Limits"; OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT,
/// OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT, OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT,
/// OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, OTEL_[SPAN_]ATTRIBUTE_VALUE_LENGTH_LIMIT set them, see
/// config/environment.h). What is over a limit is dropped and counted in SpanData's dropped_*
/// counts.
struct SpanLimits {
  std::size_t attribute_count = 128;
  std::size_t event_count = 128;
  std::size_t link_count = 128;
  std::size_t event_attribute_count = 128;
  std::size_t link_attribute_count = 128;
  /// Bytes of a string value, cut at a UTF-8 boundary; 0: no limit.
  std::size_t attribute_value_length = 0;
  friend bool operator==(const SpanLimits&, const SpanLimits&) = default;
};

struct SpanEvent {
  std::string name;
  uint64_t time_unix_nano = 0;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes_count = 0;
  friend bool operator==(const SpanEvent&, const SpanEvent&) = default;
};

struct SpanLink {
  SpanContext context;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes_count = 0;
  friend bool operator==(const SpanLink&, const SpanLink&) = default;
};

/// A finished (or, in on_start(), a started) recording span, as processors and exporters see it.
struct SpanData {
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  SpanContext context;
  SpanId parent_span_id;  ///< all zero for a root span
  bool parent_remote = false;
  std::string scope;  ///< the Tracer's instrumentation scope
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::vector<Attribute> attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  StatusCode status = StatusCode::kUnset;
  std::string status_description;
  uint32_t dropped_attributes_count = 0;
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;
  friend bool operator==(const SpanData&, const SpanData&) = default;
};

}  // namespace coretel::trace
