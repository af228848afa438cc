#include "coretel/metrics/metric_set.h"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

#include "coretel/metrics/measurement.h"

namespace coretel_test {

inline constexpr std::array<double, 2> kLatencyBounds{0.001, 0.01};

struct CORETEL_METRIC_SET_STRUCT(SampleMetrics) {
  coretel::Counter<uint64_t> requests;
  coretel::Gauge<double> temperature;
  coretel::UpDownCounter<int64_t> open;
  coretel::Mmsc latency;
  coretel::Histogram<kLatencyBounds> latency_histogram;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(
    SampleMetrics, "sample.server", "A sample server.",
    CORETEL_FIELD(requests, "sample.requests", "{request}", "Requests served."),
    CORETEL_FIELD(temperature, "sample.temperature", "Cel", "Last temperature read."),
    CORETEL_FIELD(open, "sample.connections.open", "{connection}", "Open connections.",
                  coretel::Stability::kStable),
    CORETEL_FIELD(latency, "sample.latency", "s", "Request latency."),
    CORETEL_FIELD(latency_histogram, "sample.latency.distribution", "s", "Latency buckets."));

enum class Method : uint8_t { kGet, kPost, kPut };
CORETEL_MEASUREMENT_ATTRIBUTE(Method, "http.request.method", "GET", "POST", "PUT");
enum class Outcome : uint8_t { kSuccess, kFailure };
CORETEL_MEASUREMENT_ATTRIBUTE(Outcome, "outcome", "success", "failure");

using coretel::InstrumentKind;
using coretel::Temporality;
using coretel::ValueType;

static_assert(coretel::MetricSet<SampleMetrics>);
// Not padded to a cache line: a reporter packs its sets (block_pool.h).
static_assert(sizeof(SampleMetrics) == (1 + 1 + 1 + 4 + 6) * sizeof(uint64_t));
static_assert(SampleMetrics::descriptor.fields.size() == 5);
static_assert(SampleMetrics::descriptor.total_words() == 1 + 1 + 1 + 4 + 6);

TEST(MetricSet, DescriptorDescribesEveryField) {
  const auto& d = SampleMetrics::descriptor;
  EXPECT_EQ(d.name, "sample.server");
  EXPECT_EQ(d.brief, "A sample server.");
  EXPECT_EQ(d.set_size, sizeof(SampleMetrics));

  EXPECT_EQ(d.fields[0].name, "sample.requests");
  EXPECT_EQ(d.fields[0].unit, "{request}");
  EXPECT_EQ(d.fields[0].kind, InstrumentKind::kCounter);
  EXPECT_EQ(d.fields[0].temporality, Temporality::kDelta);
  EXPECT_EQ(d.fields[0].value_type, ValueType::kU64);
  EXPECT_EQ(d.fields[0].offset, offsetof(SampleMetrics, requests));

  EXPECT_EQ(d.fields[1].kind, InstrumentKind::kGauge);
  EXPECT_EQ(d.fields[1].temporality, Temporality::kNone);
  EXPECT_EQ(d.fields[1].value_type, ValueType::kF64);

  EXPECT_EQ(d.fields[2].kind, InstrumentKind::kUpDownCounter);
  EXPECT_EQ(d.fields[2].temporality, Temporality::kCumulative);
  EXPECT_EQ(d.fields[2].value_type, ValueType::kI64);
  EXPECT_EQ(d.fields[2].stability, coretel::Stability::kStable);

  EXPECT_EQ(d.fields[3].kind, InstrumentKind::kMmsc);
  EXPECT_EQ(d.fields[3].words, 4u);

  EXPECT_EQ(d.fields[4].kind, InstrumentKind::kHistogram);
  ASSERT_EQ(d.fields[4].bounds.size(), 2u);
  EXPECT_EQ(d.fields[4].bounds[1], 0.01);
  EXPECT_EQ(d.fields[4].words, 6u);  // 3 bucket counts, sum, min, max
}

TEST(MetricSet, AccumulatesIsTrueForDeltaKindsOnly) {
  EXPECT_TRUE(coretel::accumulates(InstrumentKind::kCounter));
  EXPECT_TRUE(coretel::accumulates(InstrumentKind::kMmsc));
  EXPECT_TRUE(coretel::accumulates(InstrumentKind::kHistogram));
  EXPECT_FALSE(coretel::accumulates(InstrumentKind::kGauge));
  EXPECT_FALSE(coretel::accumulates(InstrumentKind::kUpDownCounter));
  EXPECT_FALSE(coretel::accumulates(InstrumentKind::kObserveCounter));
  EXPECT_FALSE(coretel::accumulates(InstrumentKind::kObserveUpDownCounter));
}

TEST(MetricSet, NameAndUnitRules) {
  using coretel::detail::valid_metric_name;
  using coretel::detail::valid_unit;
  static_assert(valid_metric_name("syslog.messages.received"));
  static_assert(valid_metric_name("a_b.c2"));
  static_assert(!valid_metric_name("Syslog.messages"));
  static_assert(!valid_metric_name("syslog..messages"));
  static_assert(!valid_metric_name("syslog.messages."));
  static_assert(!valid_metric_name("2xx"));
  static_assert(!valid_metric_name("a b"));
  static_assert(valid_unit("{message}"));
  static_assert(valid_unit("By/s"));
  static_assert(!valid_unit(""));
  static_assert(!valid_unit("{message"));
  static_assert(!valid_unit("mega bytes"));
  SUCCEED();
}

using RequestsByMethodOutcome = coretel::MeasuredSet<SampleMetrics, Method, Outcome>;
static_assert(RequestsByMethodOutcome::kCardinality == 6);

TEST(MeasuredSet, MixedRadixWithFirstAttributeLowest) {
  EXPECT_EQ(RequestsByMethodOutcome::index_of(Method::kGet, Outcome::kSuccess), 0u);
  EXPECT_EQ(RequestsByMethodOutcome::index_of(Method::kPut, Outcome::kSuccess), 2u);
  EXPECT_EQ(RequestsByMethodOutcome::index_of(Method::kGet, Outcome::kFailure), 3u);
  EXPECT_EQ(RequestsByMethodOutcome::index_of(Method::kPost, Outcome::kFailure), 4u);
}

TEST(MeasuredSet, WithTouchesOnlyItsCombination) {
  RequestsByMethodOutcome set;
  set.with(Method::kPost, Outcome::kFailure).requests.inc();
  set.with(Method::kPost, Outcome::kFailure).requests.inc();
  EXPECT_EQ(set.combination(4).requests.value(), 2u);
  EXPECT_EQ(set.combination(0).requests.value(), 0u);
  EXPECT_EQ(set.touched_words(), nullptr);  // 6 combinations: no touched bitmap
}

enum class Partition : uint8_t {};
CORETEL_MEASUREMENT_ATTRIBUTE(Partition, "partition", "p0", "p1", "p2", "p3", "p4", "p5");
using RequestsByMethodPartition = coretel::MeasuredSet<SampleMetrics, Method, Partition>;
static_assert(RequestsByMethodPartition::kCardinality == 18);

TEST(MeasuredSet, WithMarksItsCombinationAboveTheBitmapThreshold) {
  static_assert(!RequestsByMethodOutcome::kTracksTouched);
  static_assert(RequestsByMethodPartition::kTracksTouched);
  RequestsByMethodPartition set;
  set.with(Method::kPut, Partition{5}).requests.inc();  // 2 + 3 * 5 = 17
  EXPECT_EQ(set.combination(17).requests.value(), 1u);
  ASSERT_NE(set.touched_words(), nullptr);
  EXPECT_EQ(set.touched_words()[0], uint64_t{1} << 17);
}

TEST(MeasuredSet, AttributeDescriptors) {
  ASSERT_EQ(RequestsByMethodOutcome::kAttributes.size(), 2u);
  EXPECT_EQ(RequestsByMethodOutcome::kAttributes[0].key, "http.request.method");
  EXPECT_EQ(RequestsByMethodOutcome::kAttributes[0].values[2], "PUT");
  EXPECT_EQ(RequestsByMethodOutcome::kAttributes[1].values[1], "failure");
}

}  // namespace coretel_test
