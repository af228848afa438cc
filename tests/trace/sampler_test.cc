// The built-in samplers (coretel/trace/sampler.h) and the id generator
// (coretel/trace/id_generator.h): each decision by parent state, the ratio rule on exact ids,
// its determinism and monotonicity, and the descriptions the specification gives.
#include "coretel/trace/sampler.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "coretel/trace/id_generator.h"

namespace {

namespace tr = coretel::trace;
using tr::SamplingDecision;

// A trace id whose bytes 8..15 are `low`, big-endian.
tr::TraceId id_with_low(uint64_t low) {
  tr::TraceId id;
  id.bytes[0] = 1;
  for (int i = 15; i >= 8; --i, low >>= 8) id.bytes[static_cast<std::size_t>(i)] = low & 0xff;
  return id;
}

SamplingDecision decide(const tr::Sampler& s, const tr::TraceId& id,
                        const tr::SpanContext* parent = nullptr) {
  return s.should_sample({parent, id, "op"}).decision;
}

TEST(Sampler, AlwaysOnAndAlwaysOff) {
  EXPECT_EQ(decide(*tr::always_on(), id_with_low(1)), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*tr::always_off(), id_with_low(1)), SamplingDecision::kDrop);
  EXPECT_EQ(tr::always_on()->description(), "AlwaysOnSampler");
  EXPECT_EQ(tr::always_off()->description(), "AlwaysOffSampler");
}

TEST(Sampler, TraceIdRatioComparesTheLowEightBytesWithRatioTimes2To64) {
  const auto quarter = tr::trace_id_ratio_based(0.25);
  EXPECT_EQ(quarter->description(), "TraceIdRatioBased{0.250000}");
  EXPECT_EQ(decide(*quarter, id_with_low(0)), SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*quarter, id_with_low((uint64_t{1} << 62) - 1)),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*quarter, id_with_low(uint64_t{1} << 62)), SamplingDecision::kDrop);
  EXPECT_EQ(decide(*quarter, id_with_low(~uint64_t{0})), SamplingDecision::kDrop);
  // The high bytes do not matter.
  tr::TraceId high = id_with_low(5);
  high.bytes[0] = 0xff;
  EXPECT_EQ(decide(*quarter, high), SamplingDecision::kRecordAndSample);
  // 0 never, 1 always, out of range clamped.
  EXPECT_EQ(decide(*tr::trace_id_ratio_based(0), id_with_low(0)), SamplingDecision::kDrop);
  EXPECT_EQ(decide(*tr::trace_id_ratio_based(1), id_with_low(~uint64_t{0})),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*tr::trace_id_ratio_based(7), id_with_low(~uint64_t{0})),
            SamplingDecision::kRecordAndSample);
  EXPECT_EQ(decide(*tr::trace_id_ratio_based(-1), id_with_low(0)), SamplingDecision::kDrop);
  // The parent's sampled flag is ignored.
  tr::SpanContext unsampled{id_with_low(0), tr::new_span_id(), 0, {}, true};
  EXPECT_EQ(decide(*quarter, id_with_low(0), &unsampled), SamplingDecision::kRecordAndSample);
}

TEST(Sampler, TraceIdRatioIsDeterministicAndMonotonic) {
  const auto low = tr::trace_id_ratio_based(0.1), high = tr::trace_id_ratio_based(0.3);
  int sampled_low = 0, sampled_high = 0;
  for (int i = 0; i < 20000; ++i) {
    const tr::TraceId id = tr::new_trace_id();
    const bool a = decide(*low, id) == SamplingDecision::kRecordAndSample;
    const bool b = decide(*high, id) == SamplingDecision::kRecordAndSample;
    EXPECT_EQ(a, decide(*low, id) == SamplingDecision::kRecordAndSample);  // same id, same answer
    EXPECT_TRUE(!a || b);  // a superset at the higher ratio
    sampled_low += a;
    sampled_high += b;
  }
  // Random ids: about the ratio (binomial, 20000 draws: well within 5 standard deviations).
  EXPECT_NEAR(sampled_low, 2000, 5 * 43);
  EXPECT_NEAR(sampled_high, 6000, 5 * 65);
}

TEST(Sampler, ParentBasedAsksBySortOfParent) {
  const auto s = tr::parent_based(tr::trace_id_ratio_based(0));
  EXPECT_EQ(s->description(),
            "ParentBased{root:TraceIdRatioBased{0.000000},remoteParentSampled:AlwaysOnSampler,"
            "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,"
            "localParentNotSampled:AlwaysOffSampler}");
  const tr::TraceId id = id_with_low(0);
  EXPECT_EQ(decide(*s, id), SamplingDecision::kDrop);  // root: the ratio 0
  for (bool remote : {true, false}) {
    tr::SpanContext sampled{id, tr::new_span_id(), tr::kSampledFlag, {}, remote};
    tr::SpanContext not_sampled{id, tr::new_span_id(), 0, {}, remote};
    EXPECT_EQ(decide(*s, id, &sampled), SamplingDecision::kRecordAndSample) << remote;
    EXPECT_EQ(decide(*s, id, &not_sampled), SamplingDecision::kDrop) << remote;
  }
  // An invalid parent is no parent.
  tr::SpanContext invalid{};
  invalid.flags = tr::kSampledFlag;
  EXPECT_EQ(decide(*s, id, &invalid), SamplingDecision::kDrop);
  // Each delegate replaceable.
  const auto custom = tr::parent_based(
      tr::always_on(),
      {.remote_parent_sampled = tr::always_off(), .local_parent_not_sampled = tr::always_on()});
  tr::SpanContext remote_sampled{id, tr::new_span_id(), tr::kSampledFlag, {}, true};
  tr::SpanContext local_not_sampled{id, tr::new_span_id(), 0, {}, false};
  EXPECT_EQ(decide(*custom, id, &remote_sampled), SamplingDecision::kDrop);
  EXPECT_EQ(decide(*custom, id, &local_not_sampled), SamplingDecision::kRecordAndSample);
}

TEST(Sampler, NamesOfTheEnvironmentVariable) {
  EXPECT_EQ(tr::sampler_named("parentbased_traceidratio", 0.5)->description(),
            "ParentBased{root:TraceIdRatioBased{0.500000},remoteParentSampled:AlwaysOnSampler,"
            "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,"
            "localParentNotSampled:AlwaysOffSampler}");
  EXPECT_EQ(tr::sampler_named("always_off")->description(), "AlwaysOffSampler");
  EXPECT_EQ(tr::sampler_named("jaeger_remote"), nullptr);
}

TEST(IdGenerator, IdsAreValidDistinctAndDifferPerThread) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const tr::TraceId t = tr::new_trace_id();
    const tr::SpanId s = tr::new_span_id();
    ASSERT_TRUE(t.valid());
    ASSERT_TRUE(s.valid());
    EXPECT_TRUE(seen.insert(t.hex()).second);
  }
  std::string other;
  std::thread([&other] { other = tr::new_trace_id().hex(); }).join();
  EXPECT_EQ(seen.count(other), 0u);
}

}  // namespace
