// exponential_histogram.h: the base-2 exponential histogram instrument (OpenTelemetry metrics
// data model, "ExponentialHistogram"; metrics SDK, "Base2 Exponential Bucket Histogram
// Aggregation").
//
// HOT PATH for record(): one table read, one compare and a handful of plain stores on memory owned
// by one thread (no atomics, no allocation); not thread-safe, like every instrument
// (instruments.h). Values outside the current bucket window, zeros, subnormals, NaN and
// infinities take an out-of-line path.
//
// The rules it implements, from the data model:
//   - at scale s, base = 2^(2^-s); bucket `index` counts values v with
//     base^index < |v| <= base^(index + 1) (upper bound inclusive), positive and negative values
//     in two ranges of their own, zeros in the zero bucket (zero threshold 0);
//   - the scale starts at 20 (the SDK's default MaxScale) and only drops: when a value would not
//     fit in MaxSize buckets, the scale drops by the least amount that makes every bucket fit,
//     and index i at scale s becomes index i >> c at scale s - c (buckets merge in pairs);
//   - count includes the zero bucket; sum, min and max are of the recorded values.
// NaN and infinities are ignored and counted (instruments.h, "Invalid measurements"); -0.0 is
// recorded as a zero.
//
// Index mapping. Scales <= 0 read the exponent bits alone. Scales 1..10 split each binade by a
// table per scale built once at start-up: the top (s + 1) mantissa bits pick a slot holding at
// most one bucket boundary, and one compare against that boundary gives the bucket (exact up
// to the rounding of 2^(k/2^s) to a double): about 3 ns a record. Scales 11..20, which only data
// spanning less than about 2^(160/2^11) (a factor of 1.05) keeps, take a logarithm out of line:
// about 12 ns (BENCHMARKS.md).
//
// Layout (the wire layout, in 64-bit words; field_values.h reads it):
//   0 count  1 sum  2 min  3 max  4 scale (int64)  5 zero count  6 positive offset (int64)
//   7 negative offset (int64)  8.. positive counts (MaxSize)  8+MaxSize.. negative counts
// Counts[k] of a range is the count of bucket offset + k. Delta: after the reporter sends it,
// counts, count, sum, min and max are cleared; the scale and the windows are kept, so a steady
// stream keeps its fast path from one interval to the next.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "coretel/metrics/instruments.h"

namespace coretel {

namespace expo {
/// Word indexes of the layout above.
inline constexpr uint32_t kCount = 0, kSum = 1, kMin = 2, kMax = 3, kScale = 4, kZeroCount = 5,
                          kPositiveOffset = 6, kNegativeOffset = 7, kHeaderWords = 8;
/// The first scale of an empty histogram (the SDK's default MaxScale) and the lowest the data
/// model defines.
inline constexpr int kMaxScale = 20, kMinScale = -10;
/// The highest scale mapped by table; higher scales take a logarithm.
inline constexpr int kTableScale = 10;
/// The offset of a range no value has entered yet: every index falls outside its window.
inline constexpr int64_t kNoOffset = std::numeric_limits<int64_t>::min() / 4;

inline constexpr uint64_t kSignBit = uint64_t{1} << 63;
inline constexpr uint64_t kMantissaMask = (uint64_t{1} << 52) - 1;
inline constexpr uint64_t kSmallestNormalBits = uint64_t{1} << 52;  // bits of DBL_MIN
inline constexpr uint64_t kInfinityBits = 0x7FF0000000000000u;

/// The boundary table of one scale s in 1..kTableScale. `boundary[k]` (k = 1 .. 2^s - 1) holds
/// the mantissa bits of 2^(k / 2^s); boundary[2^s] is 2^52, above every mantissa.
/// `first[slot]` (2^(s+1) slots, by the top s + 1 mantissa bits) is how many boundaries lie
/// below the slot's first mantissa.
struct ScaleTable {
  const uint16_t* first;
  const uint64_t* boundary;
};
/// Indexed by scale; entry 0 unused. Filled during static initialization of the library, before
/// the initializers of code that links it (init_priority).
extern const std::array<ScaleTable, kTableScale + 1> kScaleTables;

/// The bucket index of 2^exponent * (1 + mantissa / 2^52) at `scale` > kTableScale (cold).
[[gnu::cold]] int64_t index_by_log(int64_t exponent, uint64_t mantissa, int scale) noexcept;

/// The bucket index of 2^exponent * (1 + mantissa / 2^52) at `scale` (mantissa < 2^52).
inline int64_t index_of(int64_t exponent, uint64_t mantissa, int scale) noexcept {
  const int64_t power_of_two = mantissa == 0 ? 1 : 0;  // exactly a bound: the bucket below
  if (scale <= 0) return (exponent - power_of_two) >> -scale;
  if (scale <= kTableScale) [[likely]] {
    const ScaleTable& t = kScaleTables[static_cast<std::size_t>(scale)];
    const uint32_t first = t.first[mantissa >> (51 - scale)];
    const int64_t sub = first + (mantissa > t.boundary[first + 1] ? 1 : 0);
    return (exponent << scale) + sub - power_of_two;
  }
  return index_by_log(exponent, mantissa, scale);
}

/// The bucket index of a positive normal double given by its bits, at `scale`.
inline int64_t index_of_normal(uint64_t bits, int scale) noexcept {
  return index_of(static_cast<int64_t>(bits >> 52) - 1023, bits & kMantissaMask, scale);
}

/// base^index at `scale` (base = 2^(2^-scale)): the lower bound of bucket `index`, the upper
/// bound of bucket index - 1. Exact for scales <= 0; otherwise the double nearest the true
/// value (computed in long double), the one the bucket mapping compares against. Cold.
double bound(int64_t index, int scale) noexcept;

/// The bucket index of any positive finite `magnitude` (subnormals included) at `scale`.
int64_t index_of_value(double magnitude, int scale) noexcept;

/// Records `v` into the value `w` of `max_size` buckets per range: every case the inline path
/// leaves (zero, subnormal, NaN, infinity, an index outside the window). Cold.
[[gnu::cold, gnu::noinline]] void record_slow(uint64_t* w, uint32_t max_size, double v) noexcept;

/// Writes the empty value (count 0, min +inf, max -inf, scale kMaxScale, no window).
void reset(uint64_t* w, uint32_t max_size) noexcept;
/// Clears the recorded values but keeps the scale and the windows (the reporter, after a send).
void clear(uint64_t* w, uint32_t max_size) noexcept;
/// Merges `in` into `acc`: both go to the lower scale, lowered further until both ranges of
/// the union fit in max_size buckets; counts, sums, zero counts add; min and max merge.
void merge(uint64_t* acc, const uint64_t* in, uint32_t max_size) noexcept;
}  // namespace expo

/// Base-2 exponential histogram of doubles with at most MaxSize buckets in each of its positive
/// and negative ranges (default 160, the metrics SDK's), MaxSize in 4..320. Delta: cleared on
/// flush (scale kept). Exported as an OTLP ExponentialHistogram; Prometheus text shows it as a
/// classic histogram (export/prometheus_text.h). Memory: (8 + 2 * MaxSize) * 8 bytes
/// (2624 bytes at 160).
template <std::size_t MaxSize = kDefaultExponentialHistogramSize>
class ExponentialHistogram {
  static_assert(MaxSize >= kMinExponentialHistogramSize && MaxSize <= kMaxExponentialHistogramSize,
                "ExponentialHistogram: MaxSize is 4 to 320");

 public:
  using value_type = double;
  static constexpr InstrumentKind kKind = InstrumentKind::kExponentialHistogram;
  static constexpr Temporality kTemporality = info(kKind).temporality;
  static constexpr uint32_t kWords = exponential_histogram_words(MaxSize);
  static constexpr std::size_t kMaxSize = MaxSize;

  ExponentialHistogram() noexcept { expo::reset(w_.data(), MaxSize); }

  void record(double v) noexcept {
    const uint64_t bits = std::bit_cast<uint64_t>(v);
    const uint64_t magnitude = bits & ~expo::kSignBit;
    // One compare for "normal and finite": zero, subnormals, infinities and NaN wrap around.
    if (magnitude - expo::kSmallestNormalBits >= expo::kInfinityBits - expo::kSmallestNormalBits)
        [[unlikely]] {
      expo::record_slow(w_.data(), MaxSize, v);
      return;
    }
    const auto scale = static_cast<int>(static_cast<int64_t>(w_[expo::kScale]));
    const int64_t index = expo::index_of_normal(magnitude, scale);
    const std::size_t range = bits >> 63;  // 0 positive, 1 negative
    const auto slot =
        static_cast<uint64_t>(index - static_cast<int64_t>(w_[expo::kPositiveOffset + range]));
    if (slot >= MaxSize) [[unlikely]] {
      expo::record_slow(w_.data(), MaxSize, v);
      return;
    }
    ++w_[expo::kHeaderWords + range * MaxSize + slot];
    ++w_[expo::kCount];
    w_[expo::kSum] = std::bit_cast<uint64_t>(std::bit_cast<double>(w_[expo::kSum]) + v);
    if (v < std::bit_cast<double>(w_[expo::kMin])) [[unlikely]]
      w_[expo::kMin] = bits;
    if (v > std::bit_cast<double>(w_[expo::kMax])) [[unlikely]]
      w_[expo::kMax] = bits;
  }

  uint64_t count() const noexcept { return w_[expo::kCount]; }  ///< zero bucket included
  double sum() const noexcept { return std::bit_cast<double>(w_[expo::kSum]); }
  double min() const noexcept { return std::bit_cast<double>(w_[expo::kMin]); }  ///< +inf: empty
  double max() const noexcept { return std::bit_cast<double>(w_[expo::kMax]); }  ///< -inf: empty
  int scale() const noexcept { return static_cast<int>(static_cast<int64_t>(w_[expo::kScale])); }
  uint64_t zero_count() const noexcept { return w_[expo::kZeroCount]; }
  /// The count of bucket `index` (at the current scale) of the positive or negative range.
  uint64_t bucket_count(bool negative, int64_t index) const noexcept {
    const std::size_t range = negative ? 1 : 0;
    const auto slot =
        static_cast<uint64_t>(index - static_cast<int64_t>(w_[expo::kPositiveOffset + range]));
    return slot < MaxSize ? w_[expo::kHeaderWords + range * MaxSize + slot] : 0;
  }
  /// The value as words (the layout above).
  const uint64_t* words() const noexcept { return w_.data(); }

 private:
  std::array<uint64_t, kWords> w_;
};

}  // namespace coretel
