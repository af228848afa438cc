// record.h: EventRecord, one emitted event as the OpenTelemetry logs data model describes a log
// record (logs/data-model.md, "Log and Event Record Definition"), handed to a provider.
//
// COLD PATH for the types; a record is built on the emitting thread's stack and is valid only
// during EventProvider::emit(): its strings and attributes are views of the emitter's arguments.
// A provider that keeps a record past the call copies what it needs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "coretel/events/severity.h"
#include "coretel/metrics/attributes.h"

namespace coretel::events {

/// The W3C Trace Context of the span active when the event was emitted (logs data model,
/// "Field: TraceId", "SpanId", "TraceFlags"); all zero when none is. Filled by the function
/// set_trace_context_source() installs (the traces layer), on the emitting thread.
struct TraceContext {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  uint8_t flags = 0;
  constexpr bool valid() const noexcept {
    for (uint8_t b : trace_id)
      if (b != 0) return true;
    return false;
  }
};

/// Where the current thread's trace context comes from: a function filling `out` (nullptr: no
/// traces layer, records carry no trace context). Set once, before events are emitted.
using TraceContextSource = void (*)(TraceContext& out) noexcept;
void set_trace_context_source(TraceContextSource source) noexcept;

struct EventRecord;
/// Hands `record` to the calling thread's aspect's provider as it is (no filter, no trace
/// context source: the caller fills `trace`), for records made at run time rather than by an
/// emitting macro: a language binding's log records. A zero observed time becomes now. Never
/// blocks and never throws: a full queue drops the record and counts it, as for any event.
/// Any thread.
void emit_record(EventRecord record) noexcept;

struct EventRecord {
  uint64_t time_unix_nano = 0;           ///< Timestamp: when the event was emitted
  uint64_t observed_time_unix_nano = 0;  ///< ObservedTimestamp: when coretel took it
  Severity severity = Severity::kInfo;   ///< SeverityNumber
  /// SeverityText when it is not the number's short name (a Python record's levelname,
  /// "WARNING"); empty: severity_text(severity). Kept up to 31 bytes by the asynchronous
  /// providers.
  std::string_view severity_text;
  std::string_view name;                     ///< EventName
  std::string_view scope;                    ///< InstrumentationScope name: the component
  std::string_view body;                     ///< Body (a string), empty when none
  std::span<const AttributeRef> attributes;  ///< Attributes, in the order given
  /// DroppedAttributesCount: attributes left out on the way (an asynchronous provider's block
  /// had no room for them); 0 from the emitting macros.
  uint32_t dropped_attributes_count = 0;
  TraceContext trace;

  /// SeverityText as exported: `severity_text`, else the number's short name.
  std::string_view exported_severity_text() const noexcept {
    return severity_text.empty() ? events::severity_text(severity) : severity_text;
  }
};

}  // namespace coretel::events
