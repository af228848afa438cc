#include "coretel/collect/field_values.h"

#include <cstring>

#include "coretel/metrics/exponential_histogram.h"

namespace coretel {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

void reset_field(const MetricsField& field, uint64_t* w) noexcept {
  if (field.kind == InstrumentKind::kMmsc) {
    w[0] = to_word(kInf);
    w[1] = to_word(-kInf);
    w[2] = to_word(0.0);
    w[3] = 0;
    return;
  }
  if (field.kind == InstrumentKind::kExponentialHistogram) {
    expo::reset(w, exponential_histogram_size(field));
    return;
  }
  std::memset(w, 0, field.words * sizeof(uint64_t));  // 0 is also the bit pattern of +0.0
  if (field.kind == InstrumentKind::kHistogram) {
    const std::size_t buckets = field.bounds.size() + 1;
    w[buckets + 1] = to_word(kInf);
    w[buckets + 2] = to_word(-kInf);
  }
}

void merge_field(const MetricsField& field, uint64_t* acc, const uint64_t* in) noexcept {
  if (!accumulates(field.kind)) {  // a current value (instrument_catalog.h): the newest replaces
    acc[0] = in[0];
    return;
  }
  switch (field.kind) {
    case InstrumentKind::kCounter:
      if (field.value_type == ValueType::kF64)
        acc[0] = to_word(word_to_double(acc[0]) + word_to_double(in[0]));
      else
        acc[0] += in[0];  // wraps modulo 2^64
      return;
    case InstrumentKind::kMmsc: {
      if (in[3] == 0) return;
      MmscValue a = read_mmsc(acc), b = read_mmsc(in);
      if (a.count == 0) {
        std::memcpy(acc, in, 4 * sizeof(uint64_t));
        return;
      }
      acc[0] = to_word(b.min < a.min ? b.min : a.min);
      acc[1] = to_word(b.max > a.max ? b.max : a.max);
      acc[2] = to_word(a.sum + b.sum);
      acc[3] = a.count + b.count;
      return;
    }
    case InstrumentKind::kHistogram: {
      std::size_t buckets = field.bounds.size() + 1;
      for (std::size_t i = 0; i < buckets; ++i) acc[i] += in[i];
      acc[buckets] = to_word(word_to_double(acc[buckets]) + word_to_double(in[buckets]));
      // An empty side's +inf / -inf never wins.
      if (word_to_double(in[buckets + 1]) < word_to_double(acc[buckets + 1]))
        acc[buckets + 1] = in[buckets + 1];
      if (word_to_double(in[buckets + 2]) > word_to_double(acc[buckets + 2]))
        acc[buckets + 2] = in[buckets + 2];
      return;
    }
    case InstrumentKind::kExponentialHistogram:
      expo::merge(acc, in, exponential_histogram_size(field));
      return;
    case InstrumentKind::kUpDownCounter:
    case InstrumentKind::kGauge:
    case InstrumentKind::kObserveCounter:
    case InstrumentKind::kObserveUpDownCounter:
      return;  // not accumulating: replaced above
  }
}

ExponentialHistogramValue read_exponential_histogram(const MetricsField& field,
                                                     const uint64_t* w) noexcept {
  const uint32_t size = exponential_histogram_size(field);
  ExponentialHistogramValue v{};
  v.count = w[expo::kCount];
  v.sum = word_to_double(w[expo::kSum]);
  v.min = word_to_double(w[expo::kMin]);
  v.max = word_to_double(w[expo::kMax]);
  v.scale = static_cast<int32_t>(static_cast<int64_t>(w[expo::kScale]));
  v.zero_count = w[expo::kZeroCount];
  ExponentialBuckets* ranges[2] = {&v.positive, &v.negative};
  for (std::size_t range = 0; range < 2; ++range) {
    const uint64_t* counts = w + expo::kHeaderWords + range * size;
    uint32_t first = 0, end = size;
    while (first < end && counts[first] == 0) ++first;
    while (end > first && counts[end - 1] == 0) --end;
    if (first == end) continue;  // empty: offset 0, no counts
    ranges[range]->offset = static_cast<int64_t>(w[expo::kPositiveOffset + range]) + first;
    ranges[range]->counts = std::span<const uint64_t>(counts + first, end - first);
  }
  return v;
}

}  // namespace coretel
