// trace_context.h: the W3C Trace Context values (https://www.w3.org/TR/trace-context-2/, Level 2)
// coretel propagates: trace and span ids, trace flags, tracestate, and the text of the
// `traceparent` and `tracestate` headers, parsed and written exactly as the recommendation says.
//
//   auto parent = coretel::trace::parse_traceparent(header_value);  // nullopt: start a new trace
//   auto state = coretel::trace::TraceState::parse({line1, line2});  // nullopt: discard it
//   std::string out = coretel::trace::format_traceparent(ids, flags);  // "00-...-...-01"
//
// COLD PATH helpers for propagation (a request's headers), not for an engine's hot loop.
// Thread-safety: values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coretel::trace {

/// 16 bytes; all zero is invalid (W3C "trace-id").
struct TraceId {
  std::array<uint8_t, 16> bytes{};
  bool valid() const noexcept;
  /// 32 lowercase hex digits.
  std::string hex() const;
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

/// 8 bytes; all zero is invalid (W3C "parent-id").
struct SpanId {
  std::array<uint8_t, 8> bytes{};
  bool valid() const noexcept;
  /// 16 lowercase hex digits.
  std::string hex() const;
  friend bool operator==(const SpanId&, const SpanId&) = default;
};

/// trace-flags bits (W3C "trace-flags"): sampled (Level 1) and random (Level 2: the trace-id's
/// rightmost 7 bytes are random).
inline constexpr uint8_t kSampledFlag = 0x01;
inline constexpr uint8_t kRandomFlag = 0x02;

/// A parsed `traceparent`.
struct Traceparent {
  uint8_t version = 0;
  TraceId trace_id;
  SpanId parent_id;
  uint8_t flags = 0;
  friend bool operator==(const Traceparent&, const Traceparent&) = default;
};

/// Parses one `traceparent` value (W3C "traceparent Header Field Values", "Versioning of
/// traceparent"): optional spaces or tabs around it; lowercase hex only; version 00 exactly 55
/// characters; a higher version (not ff) its first 55 characters followed by the end or a `-`;
/// trace-id and parent-id not all zero. nullopt when invalid: the caller starts a new trace.
std::optional<Traceparent> parse_traceparent(std::string_view value) noexcept;

/// The `traceparent` coretel sends: always version 00 (a future version received is sent on as
/// 00), "00-<trace-id>-<parent-id>-<flags>", lowercase.
std::string format_traceparent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags);

/// An immutable `tracestate` (W3C "tracestate Header"): at most 32 key-value members, in order,
/// newest first. The members are shared between copies: copying a TraceState (a child span
/// taking its parent's) does not allocate.
class TraceState {
 public:
  static constexpr std::size_t kMaxMembers = 32;
  using Members = std::vector<std::pair<std::string, std::string>>;
  TraceState() = default;

  /// Parses the tracestate header lines of one request, combined in order (W3C: several lines
  /// are one list). Empty members (and empty lines) are skipped; spaces and tabs around members
  /// are ignored. nullopt, the whole tracestate discarded, when a member is not `key=value` with
  /// a valid key (valid_key()) and value (valid_value()), a key appears twice, or there are more
  /// than 32 members: the rules the W3C trace-context test suite checks at strict level 2.
  static std::optional<TraceState> parse(std::span<const std::string_view> header_lines);

  const Members& members() const noexcept;
  bool empty() const noexcept { return members_ == nullptr || members_->empty(); }
  /// The value of `key`, or nullopt.
  std::optional<std::string_view> get(std::string_view key) const noexcept;
  /// A copy with `key`=`value` first and any earlier member of `key` removed, the last members
  /// dropped beyond 32 (W3C "Mutating the tracestate Field"). nullopt when the key or value is
  /// not valid.
  std::optional<TraceState> with(std::string_view key, std::string_view value) const;
  /// The header value: "k1=v1,k2=v2" (empty when there are no members).
  std::string header() const;

  /// The W3C tracestate grammar ("Key", "Value"): a key is a simple-key, 1 to 256 characters,
  /// the first [a-z0-9] and the others [a-z0-9_-*/]; or a multi-tenant-key `tenant@system`, one
  /// "@", the tenant-id 1 to 241 characters (first [a-z0-9]) and the system-id 1 to 14 (first
  /// [a-z]), the others [a-z0-9_-*/]. A value is 1 to 256 characters of 0x20-0x7E but `,` and
  /// `=`, not ending in a space.
  static bool valid_key(std::string_view key) noexcept;
  static bool valid_value(std::string_view value) noexcept;

  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.members() == b.members();
  }

 private:
  explicit TraceState(Members members);
  std::shared_ptr<const Members> members_;  // null: no members
};

/// The part of a span that propagates (the specification's SpanContext): ids, flags, tracestate,
/// and whether it came from another process.
struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t flags = 0;
  TraceState trace_state;
  bool remote = false;
  /// Both ids valid.
  bool valid() const noexcept { return trace_id.valid() && span_id.valid(); }
  bool sampled() const noexcept { return (flags & kSampledFlag) != 0; }
  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

}  // namespace coretel::trace
