// Reporter: sparse snapshots, reset-on-flush, no allocation in steady state.
#include "coretel/collect/reporter.h"

#include <cstdint>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "allocation_counter.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/report_ring.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/collect/snapshot_message.h"
#include "test_metric_sets.h"

namespace coretel_test {
namespace {

using coretel::ReportOutcome;

struct Message {
  coretel::SnapshotHeader header;
  uint64_t timestamp;
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> fields;  // index, words
};

// Decodes every message in the ring, knowing they all belong to WorkerMetrics series.
std::vector<Message> drain(coretel::ReportRing& ring) {
  std::vector<uint64_t> words(ring.capacity_words());
  std::size_t n = ring.pop_all(words.data());
  std::vector<Message> messages;
  std::size_t pos = 0;
  while (pos < n) {
    Message m{coretel::decode_snapshot_header(words[pos]), words[pos + 1], {}};
    pos += 2;
    for (uint32_t k = 0; k < m.header.field_count; ++k) {
      uint64_t index = words[pos];
      uint32_t len = WorkerMetrics::descriptor.fields[index].words;
      m.fields.push_back({index, {words.begin() + pos + 1, words.begin() + pos + 1 + len}});
      pos += 1 + len;
    }
    messages.push_back(std::move(m));
  }
  return messages;
}

class ReporterTest : public ::testing::Test {
 protected:
  coretel::SeriesRegistry registry;
  std::shared_ptr<coretel::ReportRing> ring = std::make_shared<coretel::ReportRing>(4096);
  coretel::Reporter reporter{registry, ring, 0, {{"cpu.logical_number", int64_t{0}}}};
};

TEST_F(ReporterTest, SendsOnlyChangedFields) {
  auto worker = reporter.register_set<WorkerMetrics>({{"worker", "a"}});
  drain(*ring);
  worker->items.add(3);
  worker->queue_depth.set(9);
  EXPECT_EQ(reporter.report(worker), ReportOutcome::kSent);
  auto messages = drain(*ring);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.series, worker.series().id);
  ASSERT_EQ(messages[0].fields.size(), 2u);
  EXPECT_EQ(messages[0].fields[0].first, kItems);
  EXPECT_EQ(messages[0].fields[0].second[0], 3u);
  EXPECT_EQ(messages[0].fields[1].first, kQueueDepth);
  EXPECT_EQ(messages[0].fields[1].second[0], 9u);
}

// One clock (collect/clock.h) for registration and reports: a value sent right after
// registration never carries a time before its series' start. With a precise clock at
// registration and the coarse one at report, the message below was stamped up to a kernel tick
// (1 to 4 ms) before the start time.
TEST_F(ReporterTest, SnapshotTimestampsAreNeverBeforeTheSeriesStart) {
  for (int i = 0; i < 200; ++i) {
    auto worker = reporter.register_set<WorkerMetrics>({{"worker", "clock"}});
    worker->items.add(1);
    ASSERT_EQ(reporter.report(worker), ReportOutcome::kSent);
    auto messages = drain(*ring);
    ASSERT_FALSE(messages.empty());
    EXPECT_GE(messages.back().timestamp, worker.series().start_time_unix_nano) << "round " << i;
  }
}

TEST_F(ReporterTest, ResetsDeltasAndKeepsCurrentValues) {
  auto worker = reporter.register_set<WorkerMetrics>({{"worker", "a"}});
  worker->items.add(3);
  worker->latency.record(0.5);
  worker->connections.inc();
  worker->queue_depth.set(4);
  reporter.report(worker);
  EXPECT_EQ(worker->items.value(), 0u);
  EXPECT_EQ(worker->latency.count(), 0u);
  EXPECT_EQ(worker->connections.value(), 1);
  EXPECT_EQ(worker->queue_depth.value(), 4);
  drain(*ring);
  // Nothing changed since: nothing is sent, not even the gauge.
  EXPECT_EQ(reporter.report(worker), ReportOutcome::kUnchanged);
  EXPECT_TRUE(drain(*ring).empty());
  // The up-down counter goes down after the flush without underflow or reset.
  worker->connections.dec();
  worker->connections.dec();
  reporter.report(worker);
  auto messages = drain(*ring);
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(messages[0].fields.size(), 1u);
  EXPECT_EQ(static_cast<int64_t>(messages[0].fields[0].second[0]), -1);
}

// Sets are packed per reporter: the sets of two reporters (two recording threads) never share a
// cache line, and the registrations of one reporter come from its own pool, a block each.
TEST(ReporterPool, SetsOfTwoReportersNeverShareACacheLine) {
  coretel::SeriesRegistry registry;
  auto ring_a = std::make_shared<coretel::ReportRing>(4096);
  auto ring_b = std::make_shared<coretel::ReportRing>(4096);
  coretel::Reporter a{registry, ring_a, 0, {{"reporter", "a"}}};
  coretel::Reporter b{registry, ring_b, 0, {{"reporter", "b"}}};
  std::vector<coretel::Registration<WorkerMetrics>> regs;
  std::vector<coretel::Registration<WorkerByShard>> large;  // over kMaxPooledBytes: operator new
  static_assert(sizeof(WorkerByShard) > 1024);
  std::set<uintptr_t> lines_a, lines_b;
  auto lines_of = [](const auto& set, std::set<uintptr_t>& into) {
    const auto first = reinterpret_cast<uintptr_t>(&set);
    for (uintptr_t p = first; p < first + sizeof(set); p += coretel::kCacheLineSize)
      into.insert(p / coretel::kCacheLineSize);
    into.insert((first + sizeof(set) - 1) / coretel::kCacheLineSize);
  };
  for (int i = 0; i < 200; ++i) {  // interleaved, so that both pools grow side by side
    regs.push_back(a.register_set<WorkerMetrics>({{"worker", int64_t{i}}, {"reporter", "a"}}));
    lines_of(*regs.back(), lines_a);
    regs.push_back(b.register_set<WorkerMetrics>({{"worker", int64_t{i}}, {"reporter", "b"}}));
    lines_of(*regs.back(), lines_b);
    if (i % 20 != 0) continue;
    large.push_back(a.register_set<WorkerByShard>({{"worker", int64_t{i}}, {"reporter", "a"}}));
    lines_of(*large.back(), lines_a);
    large.push_back(b.register_set<WorkerByShard>({{"worker", int64_t{i}}, {"reporter", "b"}}));
    lines_of(*large.back(), lines_b);
  }
  for (uintptr_t line : lines_a) EXPECT_EQ(lines_b.count(line), 0u) << "cache line " << line;
  // A freed block is reused by the next registration of the same size.
  const WorkerMetrics* freed = &*regs[0];
  regs[0].reset();
  auto again = a.register_set<WorkerMetrics>({{"worker", "again"}});
  EXPECT_EQ(&*again, freed);
  regs.clear();
  large.clear();
}

// A small MeasuredSet (no touched bitmap): every combination is checked, the changed ones sent.
TEST_F(ReporterTest, SmallMeasuredSetSendsChangedCombinationsOnly) {
  auto by_outcome = reporter.register_set<WorkerByOutcome>({{"worker", "b"}});
  drain(*ring);
  EXPECT_EQ(by_outcome->touched_words(), nullptr);
  by_outcome->with(Outcome::kRefused).items.add(2);
  by_outcome->with(Outcome::kSuccess).items.add(5);
  by_outcome->with(Outcome::kFailure);  // selected, nothing recorded: nothing to send
  EXPECT_EQ(reporter.report(by_outcome), ReportOutcome::kSent);
  auto messages = drain(*ring);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].header.combination, 0u);
  EXPECT_EQ(messages[0].fields[0].second[0], 5u);
  EXPECT_EQ(messages[1].header.combination, 2u);
  EXPECT_EQ(messages[1].fields[0].second[0], 2u);
  // The deltas were reset: a second report has nothing to send.
  EXPECT_EQ(reporter.report(by_outcome), ReportOutcome::kUnchanged);
  EXPECT_TRUE(drain(*ring).empty());
}

// A large MeasuredSet: with() marks its combination, a report visits the marked ones and clears
// the marks.
TEST_F(ReporterTest, LargeMeasuredSetSendsTouchedCombinationsOnly) {
  auto by_shard = reporter.register_set<WorkerByShard>({{"worker", "c"}});
  drain(*ring);
  by_shard->with(Shard{17}).items.add(2);
  by_shard->with(Shard{3}).items.add(5);
  ASSERT_NE(by_shard->touched_words(), nullptr);
  EXPECT_EQ(by_shard->touched_words()[0], (uint64_t{1} << 17) | (uint64_t{1} << 3));
  EXPECT_EQ(reporter.report(by_shard), ReportOutcome::kSent);
  auto messages = drain(*ring);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].header.combination, 3u);
  EXPECT_EQ(messages[0].fields[0].second[0], 5u);
  EXPECT_EQ(messages[1].header.combination, 17u);
  EXPECT_EQ(messages[1].fields[0].second[0], 2u);
  EXPECT_EQ(by_shard->touched_words()[0], 0u);
  // A value written without with() after the report is not seen until with() marks it again.
  by_shard->combination(4).items.add(1);
  EXPECT_EQ(reporter.report(by_shard), ReportOutcome::kUnchanged);
  by_shard->with(Shard{4});
  EXPECT_EQ(reporter.report(by_shard), ReportOutcome::kSent);
  messages = drain(*ring);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.combination, 4u);
}

// WorkerMetrics' largest message: 2 header words, 6 field indexes, 15 value words.
constexpr std::size_t kWorkerMessageWords = 23;
static_assert(coretel::max_snapshot_words(WorkerMetrics::descriptor) == kWorkerMessageWords);

TEST_F(ReporterTest, FullRingDefersWithoutResetting) {
  // Exactly one largest message fits: the first report fills the ring, the second defers.
  auto small = std::make_shared<coretel::ReportRing>(kWorkerMessageWords);
  coretel::Reporter tiny(registry, small, 0, {{"cpu.logical_number", int64_t{1}}});
  auto worker = tiny.register_set<WorkerMetrics>({{"worker", "c"}});
  worker->items.add(1);
  worker->busy_seconds.add(0.5);
  worker->queue_depth.set(2);
  worker->connections.inc();
  worker->latency.record(1.0);
  worker->size.record(50.0);
  EXPECT_EQ(tiny.report(worker), ReportOutcome::kSent);
  EXPECT_EQ(small->used_words(), kWorkerMessageWords);
  worker->items.add(1);
  worker->latency.record(1.0);
  EXPECT_EQ(tiny.report(worker), ReportOutcome::kDeferred);
  EXPECT_EQ(worker->items.value(), 1u);
  EXPECT_EQ(worker->latency.count(), 1u);
  EXPECT_EQ(tiny.self_metrics().deferrals.value(), 1u);
}

TEST_F(ReporterTest, RejectsASetWhoseMessageCannotFitTheRing) {
  // Room for the reporter's own sets (12 and 4 words) but not for a WorkerMetrics message.
  auto small = std::make_shared<coretel::ReportRing>(kWorkerMessageWords - 1);
  coretel::Reporter tiny(registry, small, 0, {{"cpu.logical_number", int64_t{2}}});
  std::size_t live = registry.live_count();
  const char* expected =
      "metric set 'test.worker': a snapshot message takes up to 23 words but the reporter's ring "
      "holds 22 words; raise ReporterOptions::ring_words to at least 23";
  try {
    (void)tiny.register_set<WorkerMetrics>({{"worker", "big"}});
    FAIL() << "a set that can never be sent was registered";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), expected);
  }
  try {  // one combination per message: a MeasuredSet's largest message is the same
    (void)tiny.register_set<WorkerByOutcome>({{"worker", "big"}});
    FAIL() << "a measured set that can never be sent was registered";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), expected);
  }
  EXPECT_EQ(registry.live_count(), live) << "nothing stays registered";
}

TEST_F(ReporterTest, RejectsARingTooSmallForItsOwnSelfMetrics) {
  auto small = std::make_shared<coretel::ReportRing>(11);
  try {
    coretel::Reporter tiny(registry, small, 0, {{"cpu.logical_number", int64_t{3}}});
    FAIL() << "a reporter whose self-metrics can never be sent was made";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "metric set 'coretel.reporter': a snapshot message takes up to 12 words but the "
                 "reporter's ring holds 11 words; raise ReporterOptions::ring_words to at least "
                 "12");
  }
}

TEST_F(ReporterTest, SteadyStateReportsDoNotAllocate) {
  auto worker = reporter.register_set<WorkerMetrics>({{"worker", "d"}});
  auto by_outcome = reporter.register_set<WorkerByOutcome>({{"worker", "e"}});
  std::vector<uint64_t> sink(ring->capacity_words());
  coretel_test::AllocationCounter allocations;
  for (int i = 0; i < 1000; ++i) {
    worker->items.add(1);
    worker->queue_depth.set(i);
    worker->latency.record(i * 0.001);
    worker->size.record(i);
    by_outcome->with(static_cast<Outcome>(i % 3)).busy_seconds.add(0.5);
    reporter.report_all();
    (void)ring->pop_all(sink.data());  // stands in for the collector (never allocates either)
  }
  EXPECT_EQ(allocations.count(), 0u);
}

TEST_F(ReporterTest, TickReportsAtItsCadence) {
  auto worker = reporter.register_set<WorkerMetrics>({{"worker", "f"}});
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(reporter.tick(t0));
  worker->items.inc();
  EXPECT_FALSE(reporter.tick(t0 + std::chrono::milliseconds(50)));
  EXPECT_EQ(worker->items.value(), 1u);
  EXPECT_TRUE(reporter.tick(t0 + std::chrono::milliseconds(100)));
  EXPECT_EQ(worker->items.value(), 0u);
}

}  // namespace
}  // namespace coretel_test
