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
// A record that does not fit may instead be spilled (spill(), by the queued providers:
// console_async and OTLP logs): copied whole into a heap block the EncodedEvent points at, up to
// kMaxSpilledBytes a record and kSpillBudget bytes for the process at a time; past either it is
// cut as above. Whoever discards a spilled event calls release() (the consumer after using it,
// the producer when the queue refused it).
// COLD PATH helpers; encode() runs on the emitting thread. Thread-compatible; the spill budget
// is thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "coretel/events/record.h"

namespace coretel::events {

struct SpilledRecord;

struct EncodedEvent {
  static constexpr std::size_t kBytes = 448;
  static constexpr std::size_t kMaxNameBytes = 127;
  static constexpr std::size_t kMaxSeverityTextBytes = 31;
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  /// The whole record when it was spilled (then `bytes` is not read); nullptr otherwise.
  SpilledRecord* spilled = nullptr;
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

/// Copies `record` into `out` (see the layout above). Returns false when something was cut or
/// left out.
bool encode(const EventRecord& record, uint8_t aspect, EncodedEvent& out) noexcept;

/// At most this many bytes of strings a spilled record, and in all spilled records at a time.
inline constexpr std::size_t kMaxSpilledBytes = 64 * 1024;
inline constexpr std::size_t kSpillBudget = 8 * 1024 * 1024;

/// For a record encode() could not keep whole: copies it into a heap block `out` points at,
/// when it holds at most kMaxSpilledBytes of text and the budget has room; false (and `out`
/// untouched) otherwise, or when allocating fails.
bool spill(const EventRecord& record, EncodedEvent& out) noexcept;
/// Frees `event`'s spilled record, if any. Idempotent.
void release(EncodedEvent& event) noexcept;
/// Bytes held by spilled records now (for tests).
std::size_t spilled_bytes() noexcept;
/// In a forked child: the parent's spilled records are the parent's; the budget starts again.
void forget_spills_after_fork() noexcept;

/// A record read back from an EncodedEvent: the views point into the event (and into
/// `attributes`' storage here), valid while both live.
struct DecodedEvent {
  EventRecord record;
  std::vector<AttributeRef> attributes;  ///< storage of record.attributes
};
/// Reads `event` back; `out.record.attributes` views `out.attributes` (or, for a spilled event,
/// the spilled record: valid until release()).
void decode(const EncodedEvent& event, DecodedEvent& out);

}  // namespace coretel::events
