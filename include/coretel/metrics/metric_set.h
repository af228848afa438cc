// metric_set.h: declaring a metric set (a struct of instruments plus its constexpr
// MetricsDescriptor).
//
// Declare the struct with CORETEL_METRIC_SET_STRUCT (it is an ordinary struct: record into its
// members directly), then describe it once with CORETEL_DESCRIBE_METRIC_SET at namespace scope:
//
//   struct CORETEL_METRIC_SET_STRUCT(QueueMetrics) {
//     coretel::Counter<uint64_t> pushed;
//     coretel::Gauge<uint64_t> depth;
//     CORETEL_METRIC_SET_DESCRIPTOR;
//   };
//   CORETEL_DESCRIBE_METRIC_SET(QueueMetrics, "app.queue", "A bounded work queue.",
//       CORETEL_FIELD(pushed, "app.queue.pushed", "{item}", "Items pushed."),
//       CORETEL_FIELD(depth, "app.queue.depth", "{item}", "Items waiting after the last push."));
//
// The descriptor is checked at compile time: described fields must lie inside the struct and not
// overlap, names must be unique and well formed, units must be UCUM-shaped. Describe every
// instrument member: one left out is never exported. Code generated from a
// registry (coretel-schema) produces exactly this shape.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "coretel/metrics/descriptor.h"
#include "coretel/metrics/exponential_histogram.h"
#include "coretel/metrics/instruments.h"

namespace coretel {

/// A cache line. A Reporter packs the sets registered with it into cache-line-aligned memory of
/// its own (src/collect/block_pool.h), so sets recorded by different threads never share
/// a line while the sets of one thread share them densely.
inline constexpr std::size_t kCacheLineSize = 64;

/// True when T is a type declared with CORETEL_METRIC_SET_STRUCT + CORETEL_DESCRIBE_METRIC_SET.
template <class T>
concept MetricSet = requires {
  { T::descriptor } -> std::convertible_to<const MetricsDescriptor&>;
}
&&std::is_standard_layout_v<T>;

namespace detail {

template <class Instrument>
consteval std::span<const double> bounds_of() {
  if constexpr (Instrument::kKind == InstrumentKind::kHistogram) {
    return std::span<const double>(Instrument::kBounds);
  } else {
    return {};
  }
}

/// A metric name is lowercase ASCII letters, digits, '_' and '.', starts with a letter, has no
/// empty segment and does not end with '.' or '_' (semantic-conventions naming rules). Also
/// checks names given at run time (a language binding's instruments).
constexpr bool valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (!(name.front() >= 'a' && name.front() <= 'z')) return false;
  if (name.back() == '.' || name.back() == '_') return false;
  char previous = 0;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

/// UCUM units as used by OpenTelemetry: printable ASCII without spaces; annotations in braces
/// must be closed. An empty unit is rejected: say "1" for a dimensionless value.
constexpr bool valid_unit(std::string_view unit) {
  if (unit.empty()) return false;
  int depth = 0;
  for (char c : unit) {
    if (c <= ' ' || c > '~') return false;
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (depth < 0 || depth > 1) return false;
  }
  return depth == 0;
}

template <std::size_t N>
consteval bool fields_tile_set(const std::array<MetricsField, N>& fields, std::size_t set_size) {
  // Every field lies inside the set and no two overlap.
  for (std::size_t i = 0; i < N; ++i) {
    std::size_t end = fields[i].offset + fields[i].words * 8;
    if (end > set_size) return false;
    for (std::size_t j = i + 1; j < N; ++j) {
      std::size_t other_end = fields[j].offset + fields[j].words * 8;
      if (fields[i].offset < other_end && fields[j].offset < end) return false;
    }
  }
  return true;
}

template <std::size_t N>
consteval bool names_unique(const std::array<MetricsField, N>& fields) {
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = i + 1; j < N; ++j)
      if (fields[i].name == fields[j].name) return false;
  return true;
}

/// The FieldLayout table of a set's fields: word offsets are the running sum of field words.
template <std::size_t N>
consteval std::array<FieldLayout, N> layout_of(const std::array<MetricsField, N>& fields) {
  std::array<FieldLayout, N> layout{};
  uint32_t word = 0;
  for (std::size_t i = 0; i < N; ++i) {
    layout[i] = FieldLayout{static_cast<uint32_t>(fields[i].offset), word,
                            static_cast<uint16_t>(fields[i].words), fields[i].kind,
                            accumulates(fields[i].kind)};
    word += fields[i].words;
  }
  return layout;
}

}  // namespace detail

/// Builds the MetricsField for one instrument member; used by CORETEL_FIELD.
template <class Instrument>
consteval MetricsField make_field(std::size_t offset, std::string_view name, std::string_view unit,
                                  std::string_view brief,
                                  Stability stability = Stability::kDevelopment) {
  if (!detail::valid_metric_name(name)) throw "metric name: lowercase dot-separated segments";
  if (!detail::valid_unit(unit)) throw "unit: a non-empty UCUM unit, \"1\" if dimensionless";
  return MetricsField{name,
                      unit,
                      brief,
                      Instrument::kKind,
                      Instrument::kTemporality,
                      detail::value_type_of<typename Instrument::value_type>(),
                      offset,
                      detail::bounds_of<Instrument>(),
                      Instrument::kWords,
                      stability};
}

}  // namespace coretel

/// Opens a metric-set struct: `struct CORETEL_METRIC_SET_STRUCT(Name) {`. It adds nothing to the
/// struct: a set is not aligned to a cache line of its own, the reporter's pools keep the sets
/// of different threads apart (kCacheLineSize). It marks the declaration, as the generated code
/// does, so that a requirement on every set can be added in one place.
#define CORETEL_METRIC_SET_STRUCT(Name) Name

/// Declares the `descriptor` static member inside the struct; define it with
/// CORETEL_DESCRIBE_METRIC_SET after the struct.
#define CORETEL_METRIC_SET_DESCRIPTOR static const ::coretel::MetricsDescriptor descriptor

/// Describes one instrument member of the set being described.
/// Optional 5th argument: a coretel::Stability.
#define CORETEL_FIELD(member, name, unit, brief, ...)                                           \
  ::coretel::make_field<decltype(CoretelSet::member)>(offsetof(CoretelSet, member), name, unit, \
                                                      brief __VA_OPT__(, ) __VA_ARGS__)

/// Defines `Type::descriptor`. Must follow the struct, at the struct's namespace scope.
#define CORETEL_DESCRIBE_METRIC_SET(Type, set_name, set_brief, ...)  \
  CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY(                         \
      Type, set_name, set_brief, ::coretel::Stability::kDevelopment, \
      std::span<const ::coretel::AttributeDescriptor>(), std::string_view(), __VA_ARGS__)

/// CORETEL_DESCRIBE_METRIC_SET plus what the registry knows: the set's stability, its
/// attributes (a span of AttributeDescriptor) and the registry's schema URL. Generated headers
/// use it; see tools/schema and docs/metric-sets-in-the-registry.md.
#define CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY(Type, set_name, set_brief, set_stability,  \
                                                  set_attributes, set_schema_url, ...)       \
  inline constexpr auto Type##_coretel_fields = [] {                                         \
    using CoretelSet = Type;                                                                 \
    return std::array{__VA_ARGS__};                                                          \
  }();                                                                                       \
  static_assert(::coretel::detail::fields_tile_set(Type##_coretel_fields, sizeof(Type)),     \
                #Type ": described fields overlap or lie outside the struct");               \
  static_assert(::coretel::detail::names_unique(Type##_coretel_fields),                      \
                #Type ": two fields share a metric name");                                   \
  static_assert(::coretel::detail::valid_metric_name(set_name), #Type ": invalid set name"); \
  inline constexpr auto Type##_coretel_layout =                                              \
      ::coretel::detail::layout_of(Type##_coretel_fields);                                   \
  inline constexpr ::coretel::MetricsDescriptor Type::descriptor {                           \
    set_name, set_brief, std::span<const ::coretel::MetricsField>(Type##_coretel_fields),    \
        std::span<const ::coretel::FieldLayout>(Type##_coretel_layout), sizeof(Type),        \
        set_stability, set_attributes, set_schema_url                                        \
  }
