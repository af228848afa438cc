// instrument_catalog.h: the one table of coretel's instrument kinds.
//
// Every fact about an instrument kind that more than one place needs lives here, once: its
// name in a registry's `coretel: {instrument: ...}` annotation and in the live schema, the C++
// class template that implements it (instruments.h), the semantic-conventions instrument it is
// declared as, the temporality and merge rule of its exported values, the value types it may
// hold and how many 64-bit words one value takes on the wire. The runtime (descriptor,
// instruments, reporter, live schema) and the schema tool (annotation rules, C++ generator)
// read this table; none restates it.
//
// Header-only and constexpr: the schema tool includes it without linking the runtime.
// To add an instrument kind: docs/adding-an-instrument-kind.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "coretel/metrics/vocabulary.h"

namespace coretel {

/// What an instrument measures and how it merges. See instruments.h for each one's hot API.
enum class InstrumentKind : uint8_t {
  kCounter,               ///< monotonic sum, recorded as deltas, reset on flush
  kUpDownCounter,         ///< non-monotonic running total, never reset
  kGauge,                 ///< last value, never reset
  kObserveCounter,        ///< monotonic total observed from elsewhere, never reset
  kObserveUpDownCounter,  ///< non-monotonic total observed from elsewhere, never reset
  kMmsc,                  ///< min/max/sum/count of recorded values, reset on flush
  kHistogram,  ///< explicit-bucket histogram (bounds fixed at compile time), reset on flush
  kExponentialHistogram,  ///< base-2 exponential histogram (scale adapts), reset on flush
};

/// OpenTelemetry aggregation temporality of the values a field produces (metrics data model,
/// "Temporality"). Gauges have none.
enum class Temporality : uint8_t { kNone, kDelta, kCumulative };

/// Numeric type of a scalar field, or of the recorded values of Mmsc and Histogram (kF64).
enum class ValueType : uint8_t { kU64, kI64, kF64 };

/// A set of ValueTypes, as a bit mask (bit i = ValueType i).
struct ValueTypes {
  uint8_t bits = 0;
  constexpr bool contains(ValueType t) const noexcept {
    return (bits >> static_cast<unsigned>(t)) & 1u;
  }
  constexpr bool empty() const noexcept { return bits == 0; }
};

/// The most bounds a Histogram may have (instruments.h static_asserts it; the schema tool
/// rejects a registry asking for more).
inline constexpr std::size_t kMaxHistogramBounds = 64;

/// The default and the largest bucket count of each range (positive, negative) of an
/// ExponentialHistogram. 160 is the metrics SDK's default MaxSize ("Base2 Exponential Bucket
/// Histogram Aggregation"); the largest keeps one value within 5 KiB.
inline constexpr std::size_t kDefaultExponentialHistogramSize = 160;
inline constexpr std::size_t kMaxExponentialHistogramSize = 320;
inline constexpr std::size_t kMinExponentialHistogramSize = 4;

/// Words of one ExponentialHistogram value with `max_size` buckets per range: 8 header words
/// (count, sum, min, max, scale, zero count, positive offset, negative offset), then the
/// positive range's counts, then the negative range's (field_values.h).
constexpr uint32_t exponential_histogram_words(std::size_t max_size) noexcept {
  return static_cast<uint32_t>(8 + 2 * max_size);
}

/// The words of the largest field value: an ExponentialHistogram of the largest size (larger
/// than a Histogram of kMaxHistogramBounds bounds).
inline constexpr uint32_t kMaxFieldWords =
    exponential_histogram_words(kMaxExponentialHistogramSize);

/// The facts of one instrument kind.
struct InstrumentInfo {
  InstrumentKind kind;
  /// The name in `coretel: {instrument: ...}`, the live schema and to_string(): "counter",
  /// "observe_counter", "mmsc", ...
  std::string_view name;
  /// The class template in instruments.h (namespace coretel): "Counter", "Mmsc", ...
  std::string_view cpp_type;
  /// The semantic-conventions instrument (`instrument:` of a metric) it is declared as.
  SemconvInstrument semconv_instrument;
  /// The temporality of its exported values.
  Temporality temporality;
  /// True when flushed values are deltas the collector adds up and the reporter resets after
  /// a send (Counter, Mmsc, the histograms); false when a value replaces the previous one.
  bool accumulates;
  /// The value types it may hold; empty when it records doubles and takes no `value_type`.
  ValueTypes value_types;
  /// The value type when the registry names none and `code_generation.metric_value_type`
  /// (semantic conventions' annotation) is `int` or absent.
  ValueType default_value_type;
  /// Words of one value, when fixed; 0 for the histograms (histogram_words,
  /// exponential_histogram_words).
  uint32_t words;
};

namespace detail {
constexpr ValueTypes value_types(std::initializer_list<ValueType> types) {
  ValueTypes out;
  for (ValueType t : types) out.bits |= static_cast<uint8_t>(1u << static_cast<unsigned>(t));
  return out;
}
}  // namespace detail

/// Every instrument kind, indexed by its InstrumentKind value.
inline constexpr std::array<InstrumentInfo, 8> kInstrumentCatalog{{
    {InstrumentKind::kCounter, "counter", "Counter", SemconvInstrument::kCounter,
     Temporality::kDelta, true, detail::value_types({ValueType::kU64, ValueType::kF64}),
     ValueType::kU64, 1},
    {InstrumentKind::kUpDownCounter, "updowncounter", "UpDownCounter",
     SemconvInstrument::kUpDownCounter, Temporality::kCumulative, false,
     detail::value_types({ValueType::kI64, ValueType::kF64}), ValueType::kI64, 1},
    {InstrumentKind::kGauge, "gauge", "Gauge", SemconvInstrument::kGauge, Temporality::kNone, false,
     detail::value_types({ValueType::kU64, ValueType::kI64, ValueType::kF64}), ValueType::kI64, 1},
    {InstrumentKind::kObserveCounter, "observe_counter", "ObserveCounter",
     SemconvInstrument::kCounter, Temporality::kCumulative, false,
     detail::value_types({ValueType::kU64, ValueType::kF64}), ValueType::kU64, 1},
    {InstrumentKind::kObserveUpDownCounter, "observe_updowncounter", "ObserveUpDownCounter",
     SemconvInstrument::kUpDownCounter, Temporality::kCumulative, false,
     detail::value_types({ValueType::kI64, ValueType::kF64}), ValueType::kI64, 1},
    {InstrumentKind::kMmsc,
     "mmsc",
     "Mmsc",
     SemconvInstrument::kHistogram,
     Temporality::kDelta,
     true,
     {},
     ValueType::kF64,
     4},
    {InstrumentKind::kHistogram,
     "histogram",
     "Histogram",
     SemconvInstrument::kHistogram,
     Temporality::kDelta,
     true,
     {},
     ValueType::kF64,
     0},
    {InstrumentKind::kExponentialHistogram,
     "exponential_histogram",
     "ExponentialHistogram",
     SemconvInstrument::kHistogram,
     Temporality::kDelta,
     true,
     {},
     ValueType::kF64,
     0},
}};

static_assert(
    [] {
      for (std::size_t i = 0; i < kInstrumentCatalog.size(); ++i) {
        if (static_cast<std::size_t>(kInstrumentCatalog[i].kind) != i) return false;
      }
      return true;
    }(),
    "kInstrumentCatalog is indexed by InstrumentKind");

/// The catalog entry of `kind`.
constexpr const InstrumentInfo& info(InstrumentKind kind) noexcept {
  return kInstrumentCatalog[static_cast<std::size_t>(kind)];
}

/// The kind named `name` (InstrumentInfo::name), or nullopt.
constexpr std::optional<InstrumentKind> instrument_kind_named(std::string_view name) noexcept {
  for (const InstrumentInfo& i : kInstrumentCatalog) {
    if (i.name == name) return i.kind;
  }
  return std::nullopt;
}

/// True for fields whose flushed values are deltas that the collector adds up (Counter, Mmsc,
/// the histograms); false for fields whose value replaces the previous one (gauges, up-down
/// counters, observed totals). This one predicate drives reset, merge and rollback everywhere.
constexpr bool accumulates(InstrumentKind kind) noexcept {
  return info(kind).accumulates;
}

/// Words of one histogram value with `bounds` bounds: a count per bucket (+Inf included), then
/// the sum, the minimum and the maximum.
constexpr uint32_t histogram_words(std::size_t bounds) noexcept {
  return static_cast<uint32_t>(bounds + 4);
}

/// Words of one value of `kind`. `size` is a Histogram's bound count or an
/// ExponentialHistogram's bucket count per range (its MaxSize); ignored for other kinds.
constexpr uint32_t field_words(InstrumentKind kind, std::size_t size = 0) noexcept {
  if (kind == InstrumentKind::kHistogram) return histogram_words(size);
  if (kind == InstrumentKind::kExponentialHistogram) return exponential_histogram_words(size);
  return info(kind).words;
}

/// The name of a kind (InstrumentInfo::name).
constexpr std::string_view to_string(InstrumentKind kind) noexcept {
  return info(kind).name;
}

/// "none", "delta" or "cumulative".
constexpr std::string_view to_string(Temporality temporality) noexcept {
  constexpr std::array<std::string_view, 3> kNames{"none", "delta", "cumulative"};
  return kNames[static_cast<std::size_t>(temporality)];
}

/// "u64", "i64" or "f64": the spelling of `coretel: {value_type: ...}`.
constexpr std::string_view to_string(ValueType value_type) noexcept {
  constexpr std::array<std::string_view, 3> kNames{"u64", "i64", "f64"};
  return kNames[static_cast<std::size_t>(value_type)];
}

/// The ValueType spelled `name` ("u64", "i64", "f64"), or nullopt.
constexpr std::optional<ValueType> value_type_named(std::string_view name) noexcept {
  for (ValueType t : {ValueType::kU64, ValueType::kI64, ValueType::kF64}) {
    if (to_string(t) == name) return t;
  }
  return std::nullopt;
}

/// The C++ type of a ValueType ("uint64_t", "int64_t", "double"), for generated code.
constexpr std::string_view cpp_type(ValueType value_type) noexcept {
  constexpr std::array<std::string_view, 3> kNames{"uint64_t", "int64_t", "double"};
  return kNames[static_cast<std::size_t>(value_type)];
}

}  // namespace coretel
