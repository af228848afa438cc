// encoded_event.h (internal): EncodedEvent, an EventRecord copied into one fixed-size,
// trivially copyable block, so that an asynchronous provider can queue it without allocating
// and read it on another thread after the emitting call returned.
//
// Layout of `bytes`: name and scope (a 1-byte length, then the text, each cut to
// kMaxNameBytes), the severity text (the same, cut to kMaxSeverityTextBytes; empty for the
// number's short name), the body (2-byte length, text, at most half the room left), then each
// attribute: key (1-byte length, text), a type byte, and the value (8 bytes for
// an int or a double, 1 for a bool, a 2-byte length and the text for a string). What does not
// fit is left out and counted: an attribute in dropped_attributes (the logs data model's
// DroppedAttributesCount), a body or a name over its room is cut at a UTF-8 boundary.
// COLD PATH helpers; encode() runs on the emitting thread. Thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "coretel/events/record.h"

namespace coretel::events {

struct EncodedEvent {
  static constexpr std::size_t kBytes = 456;
  static constexpr std::size_t kMaxNameBytes = 127;
  static constexpr std::size_t kMaxSeverityTextBytes = 31;
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  TraceContext trace;
  Severity severity = Severity::kInfo;
  uint8_t aspect = 0;
  uint16_t used = 0;  ///< bytes of `bytes` in use
  uint16_t attribute_count = 0;
  uint16_t dropped_attributes = 0;
  std::array<char, kBytes> bytes;
};
static_assert(std::is_trivially_copyable_v<EncodedEvent>);
static_assert(sizeof(EncodedEvent) <= 512);

/// Copies `record` into `out` (see the layout above).
void encode(const EventRecord& record, uint8_t aspect, EncodedEvent& out) noexcept;

/// A record read back from an EncodedEvent: the views point into the event (and into
/// `attributes`' storage here), valid while both live.
struct DecodedEvent {
  EventRecord record;
  std::vector<AttributeRef> attributes;  ///< storage of record.attributes
};
/// Reads `event` back; `out.record.attributes` views `out.attributes`.
void decode(const EncodedEvent& event, DecodedEvent& out);

}  // namespace coretel::events
