// ExponentialHistogram: the bucket mapping against the data model's definition, computed
// independently in long double; downscaling; the zero bucket and invalid values; clear; and the
// merge the collector uses, which must give what one histogram recording every value gives.
#include "coretel/metrics/exponential_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "coretel/collect/field_values.h"

namespace coretel {
namespace {

static_assert(sizeof(ExponentialHistogram<>) == (8 + 2 * 160) * 8);
static_assert(ExponentialHistogram<>::kWords == exponential_histogram_words(160));
static_assert(std::is_standard_layout_v<ExponentialHistogram<>>);

// The data model's definition: at scale s, v > 0 is in bucket i when
// 2^(i / 2^s) < v <= 2^((i + 1) / 2^s), i.e. i = ceil(log2(v) * 2^s) - 1. Returns false when v
// is within a relative 1e-12 of a bucket bound that is not a power of two (where rounding the
// bound to a double decides, and either neighbour is right).
bool reference_index(double v, int scale, int64_t& index) {
  int e;
  const double f = std::frexp(v, &e);
  if (f == 0.5) {  // a power of two, 2^(e-1): exactly a bound at every scale
    const int64_t exponent = e - 1;
    index = scale >= 0 ? (exponent << scale) - 1 : ((exponent - 1) >> -scale);
    return true;
  }
  const long double x = std::log2l(static_cast<long double>(v)) * std::ldexp(1.0L, scale);
  const long double up = std::ceil(x);
  if (up - x < 1e-9L || x - (up - 1) < 1e-9L) return false;
  index = static_cast<int64_t>(up) - 1;
  return true;
}

TEST(ExponentialHistogramMapping, MatchesTheDefinitionAtEveryScale) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-1070.0, 1023.0);
  std::uniform_real_distribution<double> unit(1.0, 2.0);
  std::vector<double> values = {1.0,    2.0,   0.5,      3.0,      1.5,
                                1e-300, 1e300, 4.9e-324, 2.2e-308, 1.7976931348623157e308};
  for (int i = 0; i < 20000; ++i) values.push_back(std::exp2(exponent(rng)) * unit(rng));
  int compared = 0;
  for (int scale = expo::kMinScale; scale <= expo::kMaxScale; ++scale) {
    for (double v : values) {
      int64_t expected;
      if (!reference_index(v, scale, expected)) continue;
      ASSERT_EQ(expo::index_of_value(v, scale), expected) << "v=" << v << " scale=" << scale;
      ++compared;
    }
  }
  EXPECT_GT(compared, 600000);
}

TEST(ExponentialHistogramMapping, PowersOfTwoAreUpperBounds) {
  // 1 = 2^0 is the upper bound of bucket -1 at every scale >= 0; 2 closes bucket 2^s - 1.
  for (int scale = 0; scale <= expo::kMaxScale; ++scale) {
    EXPECT_EQ(expo::index_of_value(1.0, scale), -1) << scale;
    EXPECT_EQ(expo::index_of_value(2.0, scale), (int64_t{1} << scale) - 1) << scale;
    EXPECT_EQ(expo::index_of_value(std::nextafter(2.0, 3.0), scale), int64_t{1} << scale) << scale;
  }
  EXPECT_EQ(expo::index_of_value(4.0, -1), 0);  // base 4: (1, 4] is bucket 0
  EXPECT_EQ(expo::index_of_value(4.5, -1), 1);
}

// Every bucket of `h` as (signed index, count): positive indexes as is, negative range as
// -(index + 1) - 1'000'000 to keep them apart.
std::map<int64_t, uint64_t> buckets_of(const uint64_t* words, uint32_t max_size) {
  MetricsField field{};
  field.kind = InstrumentKind::kExponentialHistogram;
  field.words = exponential_histogram_words(max_size);
  const ExponentialHistogramValue v = read_exponential_histogram(field, words);
  std::map<int64_t, uint64_t> out;
  for (std::size_t k = 0; k < v.positive.counts.size(); ++k)
    if (v.positive.counts[k] != 0)
      out[v.positive.offset + static_cast<int64_t>(k)] = v.positive.counts[k];
  for (std::size_t k = 0; k < v.negative.counts.size(); ++k)
    if (v.negative.counts[k] != 0)
      out[-1'000'000 - (v.negative.offset + static_cast<int64_t>(k))] = v.negative.counts[k];
  return out;
}

// What a histogram at `scale` holds for `values`, computed value by value.
std::map<int64_t, uint64_t> expected_buckets(const std::vector<double>& values, int scale) {
  std::map<int64_t, uint64_t> out;
  for (double v : values) {
    if (v == 0) continue;
    const int64_t index = expo::index_of_value(std::fabs(v), scale);
    ++out[v > 0 ? index : -1'000'000 - index];
  }
  return out;
}

TEST(ExponentialHistogram, NarrowDataKeepsTheHighestScale) {
  // At scale 20 a bucket is 2^(2^-20) - 1 = 6.6e-7 wide (relative): 1.5 and 1.50005 lie about 48
  // buckets apart, within 160.
  ExponentialHistogram<> h;
  h.record(1.5);
  h.record(1.50005);
  EXPECT_EQ(h.scale(), 20);
  EXPECT_EQ(h.count(), 2u);
  const int64_t first = expo::index_of_value(1.5, 20), second = expo::index_of_value(1.50005, 20);
  EXPECT_GT(second - first, 40);
  EXPECT_EQ(h.bucket_count(false, first), 1u);
  EXPECT_EQ(h.bucket_count(false, second), 1u);
}

TEST(ExponentialHistogram, DownscalesToTheLeastScaleThatFits) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(-7.0, 2.0);  // seconds: microseconds to seconds
  std::vector<double> values;
  ExponentialHistogram<> h;
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double v = latency(rng);
    values.push_back(v);
    h.record(v);
    sum += v;
  }
  EXPECT_EQ(h.count(), values.size());
  EXPECT_DOUBLE_EQ(h.sum(), sum);
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
  // The scale is the highest at which the populated indexes fit in 160 buckets.
  const int64_t lo = expo::index_of_value(h.min(), h.scale());
  const int64_t hi = expo::index_of_value(h.max(), h.scale());
  EXPECT_LT(hi - lo, 160);
  EXPECT_GE(
      (expo::index_of_value(h.max(), h.scale() + 1) - expo::index_of_value(h.min(), h.scale() + 1)),
      160);
  EXPECT_EQ(buckets_of(h.words(), 160), expected_buckets(values, h.scale()));
}

TEST(ExponentialHistogram, ZerosNegativesAndInvalidValues) {
  take_invalid_measurements();
  ExponentialHistogram<8> h;
  const std::vector<double> values = {0.0, -0.0, -3.0, -0.25, 5.0, 1e-310 /* subnormal */};
  for (double v : values) h.record(v);
  h.record(std::nan(""));
  h.record(std::numeric_limits<double>::infinity());
  h.record(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(h.count(), 6u);
  EXPECT_EQ(h.zero_count(), 2u);
  EXPECT_EQ(h.min(), -3.0);
  EXPECT_EQ(h.max(), 5.0);
  EXPECT_FALSE(std::signbit(h.sum()));
  EXPECT_DOUBLE_EQ(h.sum(), -3.0 - 0.25 + 5.0 + 1e-310);
  EXPECT_EQ(buckets_of(h.words(), 8), expected_buckets(values, h.scale()));
  const InvalidMeasurementCounts invalid = take_invalid_measurements();
  EXPECT_EQ(invalid[InvalidReason::kNan], 1u);
  EXPECT_EQ(invalid[InvalidReason::kInfinity], 2u);
}

TEST(ExponentialHistogram, ClearKeepsTheScaleAndTheWindow) {
  ExponentialHistogram<16> h;
  for (double v : {1.0, 10.0, 100.0, 1000.0}) h.record(v);
  const int scale = h.scale();
  auto* words = const_cast<uint64_t*>(h.words());
  expo::clear(words, 16);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.scale(), scale);
  EXPECT_TRUE(buckets_of(h.words(), 16).empty());
  h.record(10.0);
  EXPECT_EQ(h.scale(), scale);
  EXPECT_EQ(h.bucket_count(false, expo::index_of_value(10.0, scale)), 1u);
}

TEST(ExponentialHistogram, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> around(0.0, 50.0);
  std::uniform_real_distribution<double> narrow(100.0, 101.0);
  constexpr uint32_t kSize = 40;
  ExponentialHistogram<kSize> a, b, all;
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) {
    const double x = narrow(rng), y = around(rng);
    a.record(x);
    b.record(y);
    all.record(x);
    all.record(y);
    values.push_back(x);
    values.push_back(y);
  }
  EXPECT_GT(a.scale(), b.scale());  // the merge has to bring `a` down
  std::vector<uint64_t> acc(a.words(), a.words() + a.kWords);
  expo::merge(acc.data(), b.words(), kSize);
  EXPECT_EQ(static_cast<int>(static_cast<int64_t>(acc[expo::kScale])), all.scale());
  EXPECT_EQ(acc[expo::kCount], all.count());
  EXPECT_NEAR(std::bit_cast<double>(acc[expo::kSum]), all.sum(), 1e-6);
  EXPECT_EQ(std::bit_cast<double>(acc[expo::kMin]), all.min());
  EXPECT_EQ(std::bit_cast<double>(acc[expo::kMax]), all.max());
  EXPECT_EQ(buckets_of(acc.data(), kSize), buckets_of(all.words(), kSize));
  EXPECT_EQ(buckets_of(acc.data(), kSize), expected_buckets(values, all.scale()));
}

// Random data of every kind (wide and narrow ranges, negatives, zeros, subnormals), split over
// several histograms, cleared between rounds as the reporter does, and merged in any order:
// always what one histogram of all the values holds, at the same scale.
TEST(ExponentialHistogram, RandomSplitsMergeToTheSameHistogram) {
  std::mt19937_64 rng(2026);
  constexpr uint32_t kSize = 12;
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE(trial);
    std::uniform_real_distribution<double> exponent(trial % 3 == 0 ? -1070.0 : -20.0,
                                                    trial % 3 == 0 ? 1000.0 : 20.0);
    std::uniform_int_distribution<int> kind(0, 9), part(0, 3);
    std::vector<ExponentialHistogram<kSize>> parts(4);
    ExponentialHistogram<kSize> all;
    ExponentialHistogram<kSize> empty;
    std::vector<uint64_t> acc(empty.words(), empty.words() + empty.kWords);
    const double center = std::exp2(exponent(rng));
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 200; ++i) {
        const int k = kind(rng);
        double v = k < 5 ? std::exp2(exponent(rng)) : center * (1 + 1e-4 * (k - 5));
        if (k == 0) v = 0.0;
        if (k == 1 || k == 6) v = -v;
        if (k == 2) v = 4.9e-324 * (1 + (i % 7));  // subnormal
        parts[static_cast<std::size_t>(part(rng))].record(v);
        all.record(v);
      }
      // A report: each part is merged into the total and cleared (the scale stays).
      std::vector<std::size_t> order = {0, 1, 2, 3};
      std::shuffle(order.begin(), order.end(), rng);
      for (std::size_t p : order) {
        expo::merge(acc.data(), parts[p].words(), kSize);
        expo::clear(const_cast<uint64_t*>(parts[p].words()), kSize);
      }
    }
    EXPECT_EQ(static_cast<int>(static_cast<int64_t>(acc[expo::kScale])), all.scale());
    EXPECT_EQ(acc[expo::kCount], all.count());
    EXPECT_EQ(acc[expo::kZeroCount], all.zero_count());
    EXPECT_EQ(std::bit_cast<double>(acc[expo::kMin]), all.min());
    EXPECT_EQ(std::bit_cast<double>(acc[expo::kMax]), all.max());
    EXPECT_EQ(buckets_of(acc.data(), kSize), buckets_of(all.words(), kSize));
  }
}

TEST(ExponentialHistogram, MergeIntoEmptyCopiesAndEmptyInputChangesNothing) {
  ExponentialHistogram<8> a, empty;
  a.record(3.0);
  std::vector<uint64_t> acc(empty.words(), empty.words() + empty.kWords);
  expo::merge(acc.data(), a.words(), 8);
  EXPECT_EQ(0, std::memcmp(acc.data(), a.words(), a.kWords * 8));
  expo::merge(acc.data(), empty.words(), 8);
  EXPECT_EQ(0, std::memcmp(acc.data(), a.words(), a.kWords * 8));
}

}  // namespace
}  // namespace coretel
