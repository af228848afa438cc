// field_values.h: how one field's value is laid out in 64-bit words, and the merge rules.
//
// COLD PATH. The reporter copies instrument state into words, rings carry words, collectors
// accumulate words and exporters read words. Layout per field (MetricsField::words):
//   scalar     1 word: the uint64_t, int64_t or double bit pattern (MetricsField::value_type)
//   Mmsc       4 words: min (double), max (double), sum (double), count (uint64_t)
//   Histogram  N + 4 words: N + 1 bucket counts (uint64_t, the last is +Inf), then sum, min
//              and max (doubles; min +inf and max -inf when empty)
//   ExponentialHistogram  8 + 2 * MaxSize words: count, sum, min, max, scale, zero count,
//              positive offset, negative offset, then each range's MaxSize bucket counts
//              (metrics/exponential_histogram.h)
// Pure functions on caller-owned memory: thread-compatible.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <span>

#include "coretel/metrics/descriptor.h"

namespace coretel {

inline uint64_t to_word(double v) noexcept {
  return std::bit_cast<uint64_t>(v);
}
inline double word_to_double(uint64_t w) noexcept {
  return std::bit_cast<double>(w);
}

/// A decoded Mmsc value. Empty when count == 0 (min/max are then meaningless).
struct MmscValue {
  double min, max, sum;
  uint64_t count;
};

inline MmscValue read_mmsc(const uint64_t* w) noexcept {
  return {word_to_double(w[0]), word_to_double(w[1]), word_to_double(w[2]), w[3]};
}

/// A decoded histogram value: bucket counts (bounds.size() + 1 of them), the sum, the minimum
/// and the maximum (+inf and -inf when empty).
struct HistogramValue {
  std::span<const uint64_t> counts;
  double sum, min, max;
  uint64_t count() const noexcept {
    uint64_t total = 0;
    for (auto c : counts) total += c;
    return total;
  }
};

inline HistogramValue read_histogram(const MetricsField& field, const uint64_t* w) noexcept {
  const std::size_t buckets = field.bounds.size() + 1;
  return {std::span<const uint64_t>(w, buckets), word_to_double(w[buckets]),
          word_to_double(w[buckets + 1]), word_to_double(w[buckets + 2])};
}

/// One range (positive or negative) of a decoded ExponentialHistogram value, trimmed to its
/// populated buckets: counts[k] is the count of bucket offset + k. Empty: offset 0, no counts.
struct ExponentialBuckets {
  int64_t offset = 0;
  std::span<const uint64_t> counts;
};

/// A decoded ExponentialHistogram value: the fields of an OTLP ExponentialHistogramDataPoint
/// (zero threshold 0). Empty when count == 0 (min is then +inf, max -inf).
struct ExponentialHistogramValue {
  uint64_t count;
  double sum, min, max;
  int32_t scale;
  uint64_t zero_count;
  ExponentialBuckets positive, negative;
};

/// The MaxSize of an ExponentialHistogram field, from its words.
inline uint32_t exponential_histogram_size(const MetricsField& field) noexcept {
  return (field.words - 8) / 2;
}

/// Decodes an ExponentialHistogram field's words; the spans point into `words`.
ExponentialHistogramValue read_exponential_histogram(const MetricsField& field,
                                                     const uint64_t* words) noexcept;

/// Writes the empty value of a field: zero for scalars, {+inf, -inf, 0, 0} for Mmsc, zero counts
/// and sum, min +inf and max -inf for histograms, an empty value at scale 20 for exponential
/// histograms.
void reset_field(const MetricsField& field, uint64_t* words) noexcept;

/// Merges `in` into `acc` following the field's kind: deltas add (Mmsc merges min/max;
/// exponential histograms meet at the lower scale first), current values replace. Unsigned
/// counters wrap modulo 2^64.
void merge_field(const MetricsField& field, uint64_t* acc, const uint64_t* in) noexcept;

}  // namespace coretel
