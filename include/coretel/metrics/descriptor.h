// descriptor.h: the static, compile-time description of a metric set.
//
// A MetricsDescriptor names a metric set and lists one MetricsField per instrument. Everything
// downstream (reporter, collector, exporters, live schema) reads values through this table, so
// hand-declared sets (metric_set.h) and sets generated from a registry share one plain shape.
// Cold path only; every type here is a literal type and all instances are constexpr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "coretel/metrics/instrument_catalog.h"
#include "coretel/metrics/vocabulary.h"

namespace coretel {

/// One instrument of a metric set.
///
/// `offset` is the byte offset of the instrument inside the set struct; `bounds` are the
/// histogram's upper bucket bounds (empty for other kinds). `words` is how many 64-bit words
/// the field's value takes on the wire and in accumulators: 1 for scalars, 4 for Mmsc
/// (min, max, sum, count), bounds.size() + 4 for a histogram (bucket counts including +Inf,
/// then sum, min, max), 8 + 2 * MaxSize for an exponential histogram.
struct MetricsField {
  std::string_view name;   ///< metric name, dot-separated lowercase (e.g. "syslog.messages")
  std::string_view unit;   ///< UCUM unit ("By", "s", "ns", "{message}", "1")
  std::string_view brief;  ///< one sentence: what the value is and how to read it
  InstrumentKind kind;
  Temporality temporality;
  ValueType value_type;
  std::size_t offset;
  std::span<const double> bounds;
  uint32_t words;
  Stability stability = Stability::kDevelopment;
};

/// Where a field lives, compacted for the reporter's and collector's per-field loops (12 bytes
/// instead of a whole MetricsField). Derived from the fields; generated with the descriptor.
struct FieldLayout {
  uint32_t offset;       ///< bytes from the start of the set (MetricsField::offset)
  uint32_t word_offset;  ///< words from the start of a combination's value block
  uint16_t words;        ///< MetricsField::words
  InstrumentKind kind;
  bool accumulates;  ///< accumulates(kind)
};

/// One member of an enum attribute as the registry declares it (string-valued enums only).
struct EnumMemberDescriptor {
  std::string_view id;     ///< the member id (`returned`)
  std::string_view value;  ///< the exported value (`back`)
  Stability stability = Stability::kDevelopment;
};

/// Registry facts about one attribute of a metric set, emitted by `coretel-schema generate cpp`
/// (hand-declared sets have none). The live schema serves them (export/live_schema.h).
struct AttributeDescriptor {
  std::string_view key;
  std::string_view type;  ///< semantic-conventions type name: "string", "int", "enum", ...
  std::string_view brief;
  Stability stability = Stability::kDevelopment;
  /// The registry's requirement level (its attached explanation, if any, is not kept).
  RequirementLevel requirement_level = RequirementLevel::kRecommended;
  std::span<const std::string_view> values{};  ///< enum members' values, in member order
  bool measurement = false;  ///< chosen per record (MeasuredSet) rather than at registration
  /// Given at registration (Reporter::register_set's `registration`), carried by each data
  /// point rather than by the scope.
  bool registration = false;
  /// The enum's members with their ids and stability, in member order (same as `values`);
  /// empty for hand-declared facts and enums whose values are not all strings.
  std::span<const EnumMemberDescriptor> members{};
};

/// A metric set: instruments sharing one attribute tuple and one timestamp.
struct MetricsDescriptor {
  std::string_view name;   ///< metric-set name; exported as the OTel scope name
  std::string_view brief;  ///< what the set observes
  std::span<const MetricsField> fields;
  std::span<const FieldLayout> layout;  ///< one per field, same order
  std::size_t set_size;                 ///< sizeof the set struct
  Stability stability = Stability::kDevelopment;
  /// The set's attributes as the registry declares them; empty for hand-declared sets.
  std::span<const AttributeDescriptor> attributes{};
  /// The registry's `schema_url`; empty for hand-declared sets.
  std::string_view schema_url{};

  /// Total words of one snapshot of every field (sum of MetricsField::words).
  constexpr uint32_t total_words() const noexcept {
    uint32_t total = 0;
    for (const auto& f : fields) total += f.words;
    return total;
  }
};

}  // namespace coretel
