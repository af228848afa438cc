#include "coretel/metrics/instruments.h"

#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace coretel {
namespace {

inline constexpr std::array<double, 3> kBounds{1.0, 10.0, 100.0};

// The reporter copies instrument memory as words: the layouts are part of the contract.
static_assert(sizeof(Counter<uint64_t>) == 8 && sizeof(Counter<double>) == 8);
static_assert(sizeof(UpDownCounter<int64_t>) == 8 && sizeof(Gauge<double>) == 8);
static_assert(sizeof(ObserveCounter<>) == 8 && sizeof(ObserveUpDownCounter<>) == 8);
static_assert(sizeof(Mmsc) == 32);
static_assert(sizeof(Histogram<kBounds>) == (kBounds.size() + 4) * 8);
// The value types each instrument accepts are the catalog's (instrument_catalog.h).
static_assert(coretel::detail::allowed_value_type<coretel::InstrumentKind::kCounter, uint64_t>());
static_assert(coretel::detail::allowed_value_type<coretel::InstrumentKind::kCounter, double>());
static_assert(!coretel::detail::allowed_value_type<coretel::InstrumentKind::kCounter, int64_t>());
static_assert(!coretel::detail::allowed_value_type<coretel::InstrumentKind::kGauge, float>());
static_assert(
    !coretel::detail::allowed_value_type<coretel::InstrumentKind::kUpDownCounter, uint64_t>());
static_assert(coretel::detail::allowed_value_type<coretel::InstrumentKind::kGauge, int64_t>());
static_assert(std::is_standard_layout_v<Mmsc> && std::is_trivially_copyable_v<Mmsc>);

TEST(Counter, AddsAndIncrements) {
  Counter<uint64_t> c;
  c.add(5);
  c.inc();
  c += 10;
  EXPECT_EQ(c.value(), 16u);
}

TEST(Counter, UnsignedWrapsModulo2To64) {
  Counter<uint64_t> c;
  c.add(std::numeric_limits<uint64_t>::max());
  c.add(2);
  EXPECT_EQ(c.value(), 1u);
}

TEST(Counter, DoubleAccumulates) {
  Counter<double> c;
  c.add(0.25);
  c.add(0.5);
  EXPECT_DOUBLE_EQ(c.value(), 0.75);
}

TEST(UpDownCounter, GoesBelowZeroWithoutWrapping) {
  UpDownCounter<int64_t> open;
  open.inc();
  open.dec();
  open.dec();
  EXPECT_EQ(open.value(), -1);
  open.add(3);
  open.sub(1);
  EXPECT_EQ(open.value(), 1);
}

TEST(Gauge, KeepsLastValue) {
  Gauge<int64_t> g;
  g.set(7);
  g.set(-3);
  EXPECT_EQ(g.value(), -3);
}

TEST(ObserveCounter, ReplacesWithObservedTotal) {
  ObserveCounter<> c;
  c.observe(100);
  c.observe(150);
  EXPECT_EQ(c.value(), 150u);
}

TEST(Mmsc, EmptyHasInfiniteBounds) {
  Mmsc m;
  EXPECT_EQ(m.count(), 0u);
  EXPECT_EQ(m.min(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.max(), -std::numeric_limits<double>::infinity());
}

TEST(Mmsc, RecordsMinMaxSumCount) {
  Mmsc m;
  for (double v : {3.0, -1.0, 10.0}) m.record(v);
  EXPECT_EQ(m.min(), -1.0);
  EXPECT_EQ(m.max(), 10.0);
  EXPECT_EQ(m.sum(), 12.0);
  EXPECT_EQ(m.count(), 3u);
}

TEST(Mmsc, IgnoresNonFiniteValues) {
  Mmsc m;
  m.record(std::nan(""));
  m.record(std::numeric_limits<double>::infinity());
  m.record(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.count(), 0u);
  m.record(2.0);
  EXPECT_EQ(m.count(), 1u);
  EXPECT_EQ(m.sum(), 2.0);
}

TEST(Mmsc, NormalisesNegativeZero) {
  Mmsc m;
  m.record(-0.0);
  EXPECT_FALSE(std::signbit(m.min()));
  EXPECT_FALSE(std::signbit(m.max()));
}

// record() takes a fast path when v lies within [min, max] (only sum and count change) and a
// slow one otherwise (first record, new extreme, invalid value): both must keep the semantics.
TEST(Mmsc, ValuesWithinRangeLeaveMinMaxAndCountExactly) {
  Mmsc m;
  m.record(10.0);
  m.record(-10.0);
  for (double v : {0.5, -9.5, 10.0, -10.0, 3.25}) m.record(v);  // none is a new extreme
  EXPECT_EQ(m.min(), -10.0);
  EXPECT_EQ(m.max(), 10.0);
  EXPECT_EQ(m.sum(), 10.0 - 10.0 + 0.5 - 9.5 + 10.0 - 10.0 + 3.25);
  EXPECT_EQ(m.count(), 7u);
}

TEST(Mmsc, NewExtremesAfterWarmUp) {
  Mmsc m;
  for (double v : {5.0, 6.0, 5.5, 7.0, 4.0, 6.5, 8.0, 3.0}) m.record(v);
  EXPECT_EQ(m.min(), 3.0);
  EXPECT_EQ(m.max(), 8.0);
  EXPECT_EQ(m.sum(), 45.0);
  EXPECT_EQ(m.count(), 8u);
  Mmsc rising;  // every record is a new maximum
  for (int i = 1; i <= 100; ++i) rising.record(i);
  EXPECT_EQ(rising.min(), 1.0);
  EXPECT_EQ(rising.max(), 100.0);
  EXPECT_EQ(rising.sum(), 5050.0);
  EXPECT_EQ(rising.count(), 100u);
}

TEST(Mmsc, SingleValueIsMinAndMax) {
  Mmsc m;
  m.record(2.5);
  m.record(2.5);  // equal to both min and max: within range
  EXPECT_EQ(m.min(), 2.5);
  EXPECT_EQ(m.max(), 2.5);
  EXPECT_EQ(m.sum(), 5.0);
  EXPECT_EQ(m.count(), 2u);
}

TEST(Mmsc, NegativeZeroIsRecordedAsZeroOnEveryPath) {
  Mmsc first;  // first record (slow path), then +0.0 within range
  first.record(-0.0);
  first.record(0.0);
  EXPECT_FALSE(std::signbit(first.min()));
  EXPECT_FALSE(std::signbit(first.max()));
  EXPECT_FALSE(std::signbit(first.sum()));
  EXPECT_EQ(first.count(), 2u);

  Mmsc new_min;  // -0.0 below every positive value: becomes the minimum, as +0.0
  new_min.record(1.0);
  new_min.record(2.0);
  new_min.record(-0.0);
  EXPECT_EQ(new_min.min(), 0.0);
  EXPECT_FALSE(std::signbit(new_min.min()));
  EXPECT_EQ(new_min.sum(), 3.0);

  Mmsc new_max;  // -0.0 above every negative value: becomes the maximum, as +0.0
  new_max.record(-1.0);
  new_max.record(-0.0);
  EXPECT_FALSE(std::signbit(new_max.max()));

  Mmsc within;  // within [-1, 1]: only sum and count change; the zero sum stays +0.0
  within.record(-1.0);
  within.record(1.0);
  within.record(-0.0);
  EXPECT_EQ(within.min(), -1.0);
  EXPECT_EQ(within.max(), 1.0);
  EXPECT_EQ(within.sum(), 0.0);
  EXPECT_FALSE(std::signbit(within.sum()));
  EXPECT_EQ(within.count(), 3u);
}

TEST(Mmsc, ExtremeFiniteValuesAreRecorded) {
  Mmsc m;
  m.record(std::numeric_limits<double>::max());
  m.record(-std::numeric_limits<double>::max());
  m.record(std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(m.min(), -std::numeric_limits<double>::max());
  EXPECT_EQ(m.max(), std::numeric_limits<double>::max());
  EXPECT_EQ(m.count(), 3u);
}

TEST(Histogram, BucketUpperBoundsAreInclusive) {
  Histogram<kBounds> h;
  // (-inf,1], (1,10], (10,100], (100,+inf)
  for (double v : {-5.0, 1.0, 1.0001, 10.0, 99.0, 100.0, 100.5, 1e9}) h.record(v);
  EXPECT_EQ(h.bucket_count(0), 2u);
  EXPECT_EQ(h.bucket_count(1), 2u);
  EXPECT_EQ(h.bucket_count(2), 2u);
  EXPECT_EQ(h.bucket_count(3), 2u);
  EXPECT_EQ(h.count(), 8u);
  EXPECT_DOUBLE_EQ(h.sum(), -5.0 + 1.0 + 1.0001 + 10.0 + 99.0 + 100.0 + 100.5 + 1e9);
}

inline constexpr std::array<double, 16> kSixteen{0.5, 1,   2,   4,   8,   16,  32,  64,
                                                 128, 256, 512, 1e3, 2e3, 4e3, 8e3, 16e3};

// The vectorised bucket search must agree with the definition for odd and even bound counts.
template <const auto& Bounds>
void expect_bucket_index_matches_definition() {
  for (double v = -2.0; v < Bounds.back() * 1.5; v += Bounds.back() / 997.0) {
    std::size_t expected = 0;
    while (expected < Bounds.size() && v > Bounds[expected]) ++expected;
    ASSERT_EQ(Histogram<Bounds>::bucket_index(v), expected) << "v=" << v;
  }
}

TEST(Histogram, BucketSearchMatchesDefinition) {
  expect_bucket_index_matches_definition<kBounds>();   // 3 bounds (odd)
  expect_bucket_index_matches_definition<kSixteen>();  // 16 bounds (even)
  for (std::size_t i = 0; i < kSixteen.size(); ++i)
    EXPECT_EQ(Histogram<kSixteen>::bucket_index(kSixteen[i]), i);
}

// bucket_index has two searches (a slot table, a scan of every bound), chosen by the bounds.
// Each must give the definition's index (the number of bounds strictly below v) at every bound,
// on both sides of it, at the powers of two the slot table clamps to, and at the ends of the
// double range.
template <const auto& Bounds>
void expect_bucket_index_exact() {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> probes = {0.0, -0.0, kTiny, -kTiny, kMax, -kMax, 1e-300, -1e-300, 1e300};
  for (double b : Bounds)
    for (double v : {b, std::nextafter(b, kInf), std::nextafter(b, -kInf), b * 0.75, b * 1.5, b * 2,
                     b / 2, b * 4, b / 4, -b})
      probes.push_back(v);
  for (int e = -12; e <= 16; ++e)
    for (double v : {std::ldexp(1.0, e), std::nextafter(std::ldexp(1.0, e), -kInf)}) {
      probes.push_back(v);
      probes.push_back(-v);
    }
  for (double v = -2.0 * Bounds.back(); v < 2.0 * Bounds.back(); v += Bounds.back() / 613.0)
    probes.push_back(v);
  for (double v : probes) {
    std::size_t expected = 0;
    while (expected < Bounds.size() && v > Bounds[expected]) ++expected;
    ASSERT_EQ(Histogram<Bounds>::bucket_index(v), expected) << "v=" << v;
    ASSERT_EQ(Histogram<Bounds>::bucket_index_by_scan(v), expected) << "v=" << v;
  }
}

// The usual latency bounds: one per binade (the benchmark's).
inline constexpr std::array<double, 16> kLatency{
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0};
// OpenTelemetry's default bounds (metrics SDK, "Explicit Bucket Histogram Aggregation"): a
// zero bound, and two bounds in some binades (75 and 100, 750 and 1000, 5000 and 7500).
inline constexpr std::array<double, 15> kOtelDefault{0,   5,   10,   25,   50,   75,   100,  250,
                                                     500, 750, 1000, 2500, 5000, 7500, 10000};
inline constexpr std::array<double, 20> kLinear{1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
// 1.0 and 1.001 share a slot even at 16 slots per binade: two compares per search.
inline constexpr std::array<double, 4> kTwoInASlot{1.0, 1.001, 2.0, 3.0};
inline constexpr std::array<double, 1> kOne{1.0};
inline constexpr std::array<double, 1> kZero{0.0};
// Scanned: four bounds at or below zero share the lowest slot; four bounds within 0.03 %.
inline constexpr std::array<double, 7> kSigned{-100, -10, -1, 0, 1, 10, 100};
inline constexpr std::array<double, 4> kDense{1.0, 1.0001, 1.0002, 1.0003};
inline constexpr std::array<double, 5> kWide{1e-200, 1e-100, 1, 1e100, 1e200};

static_assert(Histogram<kBounds>::kSearchBySlot && Histogram<kSixteen>::kSearchBySlot);
static_assert(Histogram<kLatency>::kSearchBySlot && Histogram<kOtelDefault>::kSearchBySlot);
static_assert(Histogram<kLinear>::kSearchBySlot && Histogram<kOne>::kSearchBySlot);
static_assert(Histogram<kTwoInASlot>::kSearchBySlot);
static_assert(!Histogram<kZero>::kSearchBySlot && !Histogram<kSigned>::kSearchBySlot);
static_assert(!Histogram<kDense>::kSearchBySlot);

TEST(Histogram, BucketIndexIsExactBySlotTable) {
  expect_bucket_index_exact<kBounds>();       // 3 bounds (odd)
  expect_bucket_index_exact<kSixteen>();      // 16 (even); 512 and 1000 share a binade
  expect_bucket_index_exact<kLatency>();      // 16 (even)
  expect_bucket_index_exact<kOtelDefault>();  // 15 (odd), with a zero bound
  expect_bucket_index_exact<kLinear>();       // 20: many bounds per binade
  expect_bucket_index_exact<kOne>();          // 1
  expect_bucket_index_exact<kTwoInASlot>();   // 4: a slot holding two bounds
}

TEST(Histogram, BucketIndexIsExactByScan) {
  expect_bucket_index_exact<kZero>();    // 1: no positive bound
  expect_bucket_index_exact<kSigned>();  // 7 (odd)
  expect_bucket_index_exact<kDense>();   // 4 (even)
  expect_bucket_index_exact<kWide>();    // 5: beyond the slot table's range
}

TEST(Histogram, RecordCountsBoundariesBelowAndAbove) {
  Histogram<kOtelDefault> h;
  // bucket 0 is (-inf, 0]: -0.0, 0.0 and negatives; the smallest positive double is above 0.
  for (double v : {-0.0, 0.0, -1e300, std::numeric_limits<double>::denorm_min(), 5.0, 75.0, 75.5,
                   100.0, 10000.0, 10000.5, std::numeric_limits<double>::max()})
    h.record(v);
  EXPECT_EQ(h.bucket_count(0), 3u);
  EXPECT_EQ(h.bucket_count(1), 2u);   // (0, 5]
  EXPECT_EQ(h.bucket_count(5), 1u);   // (50, 75]
  EXPECT_EQ(h.bucket_count(6), 2u);   // (75, 100]
  EXPECT_EQ(h.bucket_count(14), 1u);  // (7500, 10000]
  EXPECT_EQ(h.bucket_count(15), 2u);  // (10000, +inf)
  EXPECT_EQ(h.count(), 11u);
}

// Invalid measurements (instruments.h): ignored in every build type (no assert involved, so a
// Debug build takes the same path as a Release one) and counted per thread and reason.
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

TEST(InvalidMeasurements, CounterDoubleIgnoresNegativeNaNAndInfinity) {
  take_invalid_measurements();  // start from zero on this thread
  Counter<double> c;
  c.add(1.5);
  c.add(-0.25);
  c.add(-1e-300);
  c.add(kNaN);
  c.add(kInf);
  c.add(-kInf);
  c += -3.0;
  c.add(0.0);
  c.add(-0.0);  // zero, not negative: accepted
  EXPECT_EQ(c.value(), 1.5);
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNegative], 3u);
  EXPECT_EQ(counts[InvalidReason::kNan], 1u);
  EXPECT_EQ(counts[InvalidReason::kInfinity], 2u);
  EXPECT_EQ(counts.total(), 6u);
  EXPECT_EQ(take_invalid_measurements().total(), 0u) << "take resets";
}

TEST(InvalidMeasurements, CounterDoubleKeepsMaxFinite) {
  take_invalid_measurements();
  Counter<double> c;
  c.add(std::numeric_limits<double>::max());
  EXPECT_EQ(c.value(), std::numeric_limits<double>::max());
  EXPECT_EQ(peek_invalid_measurements().total(), 0u);
}

TEST(InvalidMeasurements, UpDownCounterDoubleIgnoresNonFinite) {
  take_invalid_measurements();
  UpDownCounter<double> u;
  u.add(2.0);
  u.sub(5.0);
  u.add(kNaN);
  u.sub(kInf);
  u.add(-kInf);
  EXPECT_EQ(u.value(), -3.0);
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNan], 1u);
  EXPECT_EQ(counts[InvalidReason::kInfinity], 2u);
  EXPECT_EQ(counts[InvalidReason::kNegative], 0u);
}

TEST(InvalidMeasurements, MmscCountsWhatItIgnores) {
  take_invalid_measurements();
  Mmsc m;
  m.record(kNaN);
  m.record(kInf);
  m.record(-kInf);
  m.record(-4.0);  // negative values are valid for an Mmsc
  EXPECT_EQ(m.count(), 1u);
  EXPECT_EQ(m.min(), -4.0);
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNan], 1u);
  EXPECT_EQ(counts[InvalidReason::kInfinity], 2u);
  EXPECT_EQ(counts[InvalidReason::kNegative], 0u);
}

TEST(InvalidMeasurements, MmscIgnoresInvalidValuesAfterWarmUp) {
  take_invalid_measurements();
  Mmsc m;
  m.record(-3.0);
  m.record(3.0);
  m.record(kNaN);   // compares false against the range: takes the slow path
  m.record(kInf);   // above the range
  m.record(-kInf);  // below the range
  m.record(-kNaN);
  EXPECT_EQ(m.min(), -3.0);
  EXPECT_EQ(m.max(), 3.0);
  EXPECT_EQ(m.sum(), 0.0);
  EXPECT_EQ(m.count(), 2u);
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNan], 2u);
  EXPECT_EQ(counts[InvalidReason::kInfinity], 2u);
  EXPECT_EQ(counts.total(), 4u);
}

TEST(InvalidMeasurements, HistogramSumSurvivesInfinity) {
  take_invalid_measurements();
  Histogram<kBounds> h;
  h.record(kNaN);
  h.record(kInf);
  h.record(-kInf);
  EXPECT_EQ(h.count(), 0u);
  h.record(5.0);
  h.record(1e300);  // finite: counted in the last bucket
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.bucket_count(1), 1u);
  EXPECT_EQ(h.bucket_count(3), 1u);
  EXPECT_EQ(h.sum(), 5.0 + 1e300);
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNan], 1u);
  EXPECT_EQ(counts[InvalidReason::kInfinity], 2u);
}

TEST(InvalidMeasurements, GaugesAndUnsignedCountersAreNeverInvalid) {
  take_invalid_measurements();
  Gauge<double> g;
  g.set(kNaN);  // a gauge's next value replaces it: nothing to protect
  Counter<uint64_t> c;
  c.add(std::numeric_limits<uint64_t>::max());
  UpDownCounter<int64_t> u;
  u.sub(std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(std::isnan(g.value()));
  EXPECT_EQ(peek_invalid_measurements().total(), 0u);
}

TEST(InvalidMeasurements, CountsArePerThread) {
  take_invalid_measurements();
  Counter<double> c;
  c.add(-1.0);
  std::thread other([] {
    Counter<double> mine;
    mine.add(kNaN);
    mine.add(kNaN);
    EXPECT_EQ(take_invalid_measurements()[InvalidReason::kNan], 2u);
  });
  other.join();
  InvalidMeasurementCounts counts = take_invalid_measurements();
  EXPECT_EQ(counts[InvalidReason::kNegative], 1u);
  EXPECT_EQ(counts[InvalidReason::kNan], 0u);
}

}  // namespace
}  // namespace coretel
