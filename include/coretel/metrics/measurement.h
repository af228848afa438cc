// measurement.h: measurement attributes (bounded enums chosen per record) and MeasuredSet, a
// metric set with one dense copy of the set per combination of their values. Such a copy is a
// "combination" throughout coretel (SeriesInfo::combination_count, the touched-combination
// bitmap, snapshot messages); "bucket" means only a histogram bucket.
//
// HOT PATH: `with(...)` is one multiply-add per attribute and an index, plus one bit-OR into the
// touched bitmap when the set has more than kTouchedBitmapAbove combinations: no hashing, no
// allocation. Single-owner, like every metric set
// (docs/why-sets-are-single-owner.md).
// The number of combinations (the cardinality) is checked against kCardinalityBudget at compile
// time.
//
//   enum class Method : uint8_t { kGet, kPost };
//   CORETEL_MEASUREMENT_ATTRIBUTE(Method, "http.request.method", "GET", "POST");
//   coretel::MeasuredSet<RequestMetrics, Method> requests;
//   requests.with(Method::kPost).count.inc();
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "coretel/metrics/metric_set.h"

namespace coretel {

/// Upper bound on the combinations of one MeasuredSet: the OpenTelemetry SDK's default cardinality
/// limit per instrument (metrics SDK spec, "Cardinality limits": 2000).
inline constexpr std::size_t kCardinalityBudget = 2000;

/// A MeasuredSet of at most this many combinations keeps no touched bitmap: with() only indexes,
/// and each report checks every combination instead (one pass over its fields; an unchanged
/// combination sends nothing, as an untouched one would not be sent). Above it, with() marks the
/// combination and a report visits only the marked ones, so a large, sparsely used set costs a
/// report nothing for its idle combinations.
inline constexpr std::size_t kTouchedBitmapAbove = 16;

/// Key and value strings of an enum measurement attribute; `values[i]` is the string form of
/// enumerator i (enumerators must be 0, 1, ..., values.size() - 1).
struct MeasurementAttributeDescriptor {
  std::string_view key;
  std::span<const std::string_view> values;
};

/// An enum declared with CORETEL_MEASUREMENT_ATTRIBUTE.
template <class E>
concept MeasurementAttribute = std::is_enum_v<E> && requires(E e) {
  { coretel_measurement_attribute(e) } -> std::same_as<MeasurementAttributeDescriptor>;
};

template <MeasurementAttribute E>
constexpr MeasurementAttributeDescriptor measurement_attribute_of() {
  return coretel_measurement_attribute(E{});
}

/// A metric set replicated once per combination of measurement-attribute values. Combination index
/// is mixed radix with the first attribute as the lowest digit. Above kTouchedBitmapAbove
/// combinations, only combinations touched since the last report are reported, so record through
/// with() every time (do not keep the returned reference across reports).
template <MetricSet Set, MeasurementAttribute... Attrs>
class MeasuredSet {
  static_assert(sizeof...(Attrs) >= 1, "MeasuredSet: at least one measurement attribute");

 public:
  using set_type = Set;
  static constexpr std::array<MeasurementAttributeDescriptor, sizeof...(Attrs)> kAttributes{
      measurement_attribute_of<Attrs>()...};
  static constexpr std::size_t kCardinality =
      (std::size_t{1} * ... * measurement_attribute_of<Attrs>().values.size());
  static_assert(kCardinality <= kCardinalityBudget,
                "MeasuredSet: cardinality over budget (product of the attributes' value counts)");
  /// Whether with() marks combinations in a touched bitmap (see kTouchedBitmapAbove).
  static constexpr bool kTracksTouched = kCardinality > kTouchedBitmapAbove;

  /// The combination for these attribute values. Precondition: each value is a declared enumerator.
  Set& with(Attrs... values) noexcept {
    std::size_t index = index_of(values...);
    if constexpr (kTracksTouched) touched_[index / 64] |= uint64_t{1} << (index % 64);
    return combinations_[index];
  }

  static constexpr std::size_t index_of(Attrs... values) noexcept {
    std::size_t index = 0, scale = 1;
    ((index += static_cast<std::size_t>(values) * scale,
      scale *= measurement_attribute_of<Attrs>().values.size()),
     ...);
    return index;
  }

  // Reporter access (owning thread only).
  Set& combination(std::size_t i) noexcept { return combinations_[i]; }
  /// The touched bitmap, or null when the set keeps none (!kTracksTouched).
  uint64_t* touched_words() noexcept {
    if constexpr (kTracksTouched)
      return touched_.data();
    else
      return nullptr;
  }
  /// Byte offsets inside the object: of combination 0 (always 0), and of the touched bitmap.
  static constexpr std::size_t combinations_offset() noexcept {
    return offsetof(MeasuredSet, combinations_);
  }
  static constexpr std::size_t touched_offset() noexcept { return offsetof(MeasuredSet, touched_); }

 private:
  std::array<Set, kCardinality> combinations_{};
  std::array<uint64_t, kTracksTouched ? (kCardinality + 63) / 64 : 0> touched_{};
};

}  // namespace coretel

/// Declares enum `Enum` (enumerators 0..N-1, in order) as a measurement attribute with this key
/// and these string values. Put it in the enum's namespace.
#define CORETEL_MEASUREMENT_ATTRIBUTE(Enum, key, ...)                                       \
  inline constexpr std::string_view Enum##_coretel_values[] = {__VA_ARGS__};                \
  constexpr ::coretel::MeasurementAttributeDescriptor coretel_measurement_attribute(Enum) { \
    return {key, std::span<const std::string_view>(Enum##_coretel_values)};                 \
  }
