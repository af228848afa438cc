// Collector: exact totals through full rings, transactional export, independent views,
// deferred unregistration.
#include "coretel/collect/collector.h"

#include <pthread.h>

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "coretel/collect/pipeline.h"
#include "coretel/collect/report_ring.h"
#include "coretel/collect/self_metrics.h"
#include "test_metric_sets.h"

namespace coretel_test {
namespace {

coretel::PipelineOptions options_with(std::size_t ring_words, uint32_t consumers) {
  coretel::PipelineOptions options;
  options.reporter.ring_words = ring_words;
  options.delta_consumers = consumers;
  return options;
}

coretel::Topology one_node() {
  return coretel::Topology::synthetic("numa:1 pu:2");
}

// The index of the field named `metric` in a descriptor.
std::size_t field_index(const coretel::MetricsDescriptor& d, std::string_view metric) {
  for (std::size_t f = 0; f < d.fields.size(); ++f)
    if (d.fields[f].name == metric) return f;
  ADD_FAILURE() << "no field " << metric << " in " << d.name;
  return 0;
}

// The exported value of a one-word field of series `id` (0 when the transaction lacks it).
uint64_t exported(const coretel::ExportTransaction& tx, coretel::SeriesId id, std::size_t field) {
  for (const auto& b : tx.combinations())
    if (b.info->id == id) return b.words[b.info->field_offset(field)];
  return 0;
}

TEST(Collector, FullRingNeverLosesCounts) {
  // A ring that holds about two WorkerMetrics messages.
  coretel::CollectionPipeline pipeline(options_with(40, 1), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "full"}});

  uint64_t expected_items = 0, expected_count = 0;
  double expected_sum = 0;
  // Record and report 50 times without collecting: the ring fills and reports defer.
  for (int i = 1; i <= 50; ++i) {
    worker->items.add(i);
    worker->latency.record(i);
    expected_items += i;
    expected_count += 1;
    expected_sum += i;
    reporter->report(worker);
  }
  // A report carries items and latency: 2 + (1 + 1) + (1 + 4) = 9 words. Four fill 36 of the
  // 40 words; the 46 reports after them find 4 words free and defer.
  EXPECT_EQ(reporter->self_metrics().deferrals.value(), 46u);
  // Keep recording while the collector drains.
  for (int i = 0; i < 20; ++i) {
    worker->items.add(7);
    expected_items += 7;
    pipeline.collect_now();
    reporter->report(worker);
  }
  pipeline.collect_now();
  reporter->report(worker);
  pipeline.collect_now();
  EXPECT_EQ(worker->items.value(), 0u);

  auto view = pipeline.views()[0];
  const auto* s = find_series(*view, "test.worker", "worker", "full");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(u64_field(*view, *s, kItems), expected_items);
  auto latency = coretel::read_mmsc(view->field_words(*s, 0, kLatency));
  EXPECT_EQ(latency.count, expected_count);
  EXPECT_EQ(latency.sum, expected_sum);
  EXPECT_EQ(latency.min, 1.0);
  EXPECT_EQ(latency.max, 50.0);

  // The export view saw exactly the same deltas.
  auto tx = pipeline.begin_export(0);
  EXPECT_EQ(exported(tx, s->info->id, kItems), expected_items);
  tx.commit();
}

TEST(Collector, FailedExportMergesDeltasBack) {
  coretel::CollectionPipeline pipeline(options_with(4096, 1), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "tx"}});
  auto items_in = [&](const coretel::ExportTransaction& tx) {
    return exported(tx, worker.series().id, kItems);
  };

  worker->items.add(10);
  worker->queue_depth.set(3);
  reporter->report(worker);
  pipeline.collect_now();
  {
    auto tx = pipeline.begin_export(0);
    EXPECT_EQ(items_in(tx), 10u);
    // Destroyed without commit: rolled back.
  }
  worker->items.add(5);
  worker->queue_depth.set(8);
  reporter->report(worker);
  pipeline.collect_now();
  {
    auto tx = pipeline.begin_export(0);
    EXPECT_EQ(items_in(tx), 15u);
    EXPECT_EQ(exported(tx, worker.series().id, kQueueDepth), 8u);  // newest current value
    tx.commit();
  }
  auto tx = pipeline.begin_export(0);
  EXPECT_EQ(items_in(tx), 0u);  // committed deltas are gone
}

TEST(Collector, ExportDoesNotStealFromScrapes) {
  coretel::CollectionPipeline pipeline(options_with(4096, 2), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "iso"}});
  worker->items.add(4);
  reporter->report(worker);
  pipeline.collect_now();
  pipeline.begin_export(0).commit();
  worker->items.add(6);
  reporter->report(worker);
  pipeline.collect_now();

  auto view = pipeline.views()[0];
  EXPECT_EQ(u64_field(*view, *find_series(*view, "test.worker", "worker", "iso"), kItems), 10u);
  // The second consumer still has everything; the first only what came after its commit.
  auto second = pipeline.begin_export(1);
  auto first = pipeline.begin_export(0);
  auto items = [&](const coretel::ExportTransaction& tx) {
    return exported(tx, worker.series().id, kItems);
  };
  EXPECT_EQ(items(second), 10u);
  EXPECT_EQ(items(first), 6u);
}

TEST(Collector, UnregistrationKeepsLastValues) {
  coretel::CollectionPipeline pipeline(options_with(4096, 1), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "gone"}});
  worker->items.add(2);
  reporter->report(worker);  // in the ring
  worker->items.add(3);      // never reported: only in the set
  coretel::SeriesId id = worker.series().id;
  std::size_t live_before = pipeline.registry().live_count();
  worker.reset();  // unregister: the last values go to the collector

  pipeline.collect_now();
  auto view = pipeline.views()[0];
  const auto* s = find_series(*view, "test.worker", "worker", "gone");
  ASSERT_NE(s, nullptr) << "the view after unregistration still shows the last values";
  EXPECT_EQ(u64_field(*view, *s, kItems), 5u);
  EXPECT_EQ(pipeline.registry().live_count(), live_before);  // not released yet

  // The export consumer still has to take them.
  auto tx = pipeline.begin_export(0);
  EXPECT_EQ(exported(tx, id, kItems), 5u);
  tx.commit();
  pipeline.collect_now();
  EXPECT_EQ(find_series(*pipeline.views()[0], "test.worker", "worker", "gone"), nullptr);
  EXPECT_EQ(pipeline.registry().live_count(), live_before - 1);
}

// A view pins the records of its series: a series retired while a reader still holds a view
// keeps its SeriesInfo and Entity (and its id) until that view is dropped; then the id is reused.
TEST(Collector, HeldViewKeepsRetiredSeriesRecords) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "pinned"}});
  worker->items.add(4);
  const coretel::SeriesId id = worker.series().id;
  const std::size_t live = pipeline.registry().live_count();
  worker.reset();
  pipeline.collect_now();  // publishes the last values
  coretel::MetricsViewPtr held = pipeline.views()[0];
  pipeline.collect_now();  // read: retired now
  ASSERT_EQ(pipeline.registry().live_count(), live - 1);
  ASSERT_EQ(find_series(*pipeline.views()[0], "test.worker", "worker", "pinned"), nullptr);

  // Retired but pinned: a new registration takes another id, the held view still reads it.
  auto next = reporter->register_set<WorkerMetrics>({{"worker", "next"}});
  EXPECT_NE(next.series().id, id);
  const auto* s = find_series(*held, "test.worker", "worker", "pinned");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->info->id, id);
  EXPECT_EQ(u64_field(*held, *s, kItems), 4u);

  // Unpinned: the id is free again.
  held.reset();
  pipeline.collect_now();  // replaces the views that still pinned it
  auto third = reporter->register_set<WorkerMetrics>({{"worker", "third"}});
  EXPECT_EQ(third.series().id, id);
}

// A view held while thousands of series retire pins a chain of thousands of generations; dropping
// it frees them in a loop, not by recursion: done here on a thread with a 128 KiB stack, which
// a recursive release (a few stack frames per generation) would overflow.
TEST(Collector, DroppingAnOldViewFreesALongChainWithoutRecursion) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  pipeline.collect_now();
  coretel::MetricsViewPtr held = pipeline.views()[0];
  const std::size_t live = pipeline.registry().live_count();
  coretel::SeriesId max_id = 0;
  for (int64_t i = 0; i < 3000; ++i) {
    auto worker = reporter->register_set<WorkerMetrics>({{"worker", i}});
    max_id = std::max(max_id, worker.series().id);
    worker.reset();
    pipeline.collect_now();  // publishes its last values
    (void)pipeline.views();  // read: it may retire
    pipeline.collect_now();  // retires it: one more generation after the held view's
  }
  ASSERT_EQ(pipeline.registry().live_count(), live);
  struct Drop {
    coretel::MetricsViewPtr view;
    static void* run(void* self) {
      static_cast<Drop*>(self)->view.reset();
      return nullptr;
    }
  } drop{std::move(held)};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, &Drop::run, &drop), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
  // Held, the view kept every retired id; dropped, they are free again and reused.
  ASSERT_GE(max_id, 3000u);
  auto next = reporter->register_set<WorkerMetrics>({{"worker", "after"}});
  EXPECT_LE(next.series().id, max_id);
}

// A view may outlive its pipeline: its pin keeps the registry's records.
TEST(Collector, ViewOutlivesItsPipeline) {
  coretel::MetricsViewPtr held;
  {
    coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
    auto reporter = pipeline.make_reporter(coretel::CpuId{0});
    auto worker = reporter->register_set<WorkerMetrics>({{"worker", "outlives"}});
    worker->items.add(9);
    reporter->report(worker);
    pipeline.collect_now();
    held = pipeline.views()[0];
  }
  const auto* s = find_series(*held, "test.worker", "worker", "outlives");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(u64_field(*held, *s, kItems), 9u);
  EXPECT_EQ(s->info->descriptor->name, "test.worker");
}

TEST(Collector, EntitiesAreDeduplicated) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto a = reporter->register_set<WorkerMetrics>({{"worker", "same"}, {"core", int64_t{1}}});
  auto b = reporter->register_set<WorkerByOutcome>({{"core", int64_t{1}}, {"worker", "same"}});
  EXPECT_EQ(a.series().entity, b.series().entity);
  EXPECT_NE(a.series().id, b.series().id);
}

TEST(Collector, MeasuredCombinationsAppearOnceRecorded) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto by_outcome = reporter->register_set<WorkerByOutcome>({{"worker", "m"}});
  by_outcome->with(Outcome::kFailure).items.add(4);
  reporter->report(by_outcome);
  pipeline.collect_now();
  auto view = pipeline.views()[0];
  const auto* s = find_series(*view, "test.worker", "worker", "m");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(view->observed(*s, 0));
  EXPECT_TRUE(view->observed(*s, 1));
  EXPECT_FALSE(view->observed(*s, 2));
  EXPECT_EQ(u64_field(*view, *s, kItems, 1), 4u);
  EXPECT_EQ(s->info->combination_values(1)[0], "failure");
}

TEST(Collector, RejectsMeasurementKeyCollision) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  EXPECT_THROW((void)reporter->register_set<WorkerByOutcome>({{"outcome", "x"}}),
               std::invalid_argument);
}

TEST(Collector, SelfMetricsAreExported) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "self"}});
  worker->items.inc();
  reporter->report_all();
  pipeline.collect_now();
  reporter->report_all();  // now carries the first report's self counts
  pipeline.collect_now();
  auto view = pipeline.views()[0];
  const auto* r = find_series(*view, "coretel.reporter", "cpu.logical_number", int64_t{0});
  ASSERT_NE(r, nullptr);
  EXPECT_GE(u64_field(*view, *r, 0), 2u);  // snapshots: worker + self
  const auto* c =
      find_series(*view, "coretel.collector", "coretel.numa_node.logical_number", int64_t{0});
  ASSERT_NE(c, nullptr);
}

}  // namespace
}  // namespace coretel_test

namespace coretel_test {
namespace {

TEST(Registry, RejectsDuplicateIdentityUntilUnregistered) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::synthetic("numa:1 pu:2"));
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto first = reporter->register_set<WorkerMetrics>({{"worker", "dup"}});
  try {
    (void)reporter->register_set<WorkerMetrics>({{"worker", "dup"}});
    FAIL() << "a second series with the same identity was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "metric set 'test.worker' is already registered for entity{ worker=dup } with "
                 "the same registration attributes");
  }
  // Other registration attributes make another identity.
  auto other = reporter->register_set<WorkerMetrics>({{"worker", "dup"}}, {{"shard", int64_t{2}}});
  first.reset();
  EXPECT_NO_THROW((void)reporter->register_set<WorkerMetrics>({{"worker", "dup"}}));
}

}  // namespace
}  // namespace coretel_test

namespace coretel_test {
namespace {

TEST(Collector, SeriesRegisteredWhileCollectingAreNotLost) {
  // A series registered after a cycle took its registrations, whose snapshot then follows a
  // known series' snapshot in the same ring batch, must still be merged.
  coretel::PipelineOptions options;
  options.collector.interval = std::chrono::milliseconds(0);  // collect continuously
  coretel::CollectionPipeline pipeline(options, one_node());
  pipeline.start();
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto anchor = reporter->register_set<WorkerMetrics>({{"worker", "anchor"}});
  constexpr int kSeries = 3000;
  std::vector<coretel::Registration<WorkerMetrics>> late;
  late.reserve(kSeries);
  for (int i = 0; i < kSeries; ++i) {
    anchor->items.inc();
    reporter->report(anchor);  // a known series first in the batch
    late.push_back(reporter->register_set<WorkerMetrics>({{"worker", int64_t{i}}}));
    late.back()->items.add(static_cast<uint64_t>(i) + 1);
    reporter->report(late.back());
  }
  pipeline.stop();
  pipeline.collect_now();  // publish the collector's own counts
  auto view = pipeline.views()[0];
  uint64_t total = 0;
  for (int i = 0; i < kSeries; ++i) {
    const auto* s = find_series(*view, "test.worker", "worker", int64_t{i});
    ASSERT_NE(s, nullptr);
    total += u64_field(*view, *s, kItems);
  }
  EXPECT_EQ(total, uint64_t{kSeries} * (kSeries + 1) / 2);
  const auto* anchor_series = find_series(*view, "test.worker", "worker", "anchor");
  ASSERT_NE(anchor_series, nullptr);
  EXPECT_EQ(u64_field(*view, *anchor_series, kItems), uint64_t{kSeries});
  const auto* c =
      find_series(*view, "coretel.collector", "coretel.numa_node.logical_number", int64_t{0});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(u64_field(*view, *c, 3), 0u) << "coretel.collector.unknown_series";
}

}  // namespace
}  // namespace coretel_test

namespace coretel_test {
namespace {

// Invalid measurements (instruments.h) are ignored and reach the view as
// coretel.reporter.invalid_measurements of the reporter running on the recording thread.
TEST(Collector, InvalidMeasurementsAreIgnoredAndExportedByReason) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "invalid"}});
  coretel::take_invalid_measurements();  // this thread starts from zero
  constexpr double kInf = std::numeric_limits<double>::infinity();
  worker->busy_seconds.add(2.0);
  worker->busy_seconds.add(-1.0);          // negative
  worker->busy_seconds.add(std::nan(""));  // nan
  worker->latency.record(kInf);            // infinity
  worker->latency.record(0.5);
  worker->size.record(std::nan(""));  // nan
  worker->size.record(-kInf);         // infinity
  worker->size.record(20.0);
  // The collector's own reporter runs on this thread here: it must leave the counts alone.
  pipeline.collect_now();
  reporter->report_all();
  pipeline.collect_now();

  auto view = pipeline.views()[0];
  const auto* s = find_series(*view, "test.worker", "worker", "invalid");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(coretel::word_to_double(u64_field(*view, *s, kBusy)), 2.0);
  auto latency = coretel::read_mmsc(view->field_words(*s, 0, kLatency));
  EXPECT_EQ(latency.count, 1u);
  EXPECT_EQ(latency.sum, 0.5);
  auto size = coretel::read_histogram(WorkerMetrics::descriptor.fields[kSize],
                                      view->field_words(*s, 0, kSize));
  EXPECT_EQ(size.count(), 1u);
  EXPECT_EQ(size.sum, 20.0);

  const auto* invalid =
      find_series(*view, "coretel.reporter.invalid", "cpu.logical_number", int64_t{0});
  ASSERT_NE(invalid, nullptr);
  ASSERT_EQ(invalid->info->combination_values(0)[0], "nan");
  ASSERT_EQ(invalid->info->combination_values(1)[0], "infinity");
  ASSERT_EQ(invalid->info->combination_values(2)[0], "negative");
  EXPECT_EQ(u64_field(*view, *invalid, 0, 0), 2u);
  EXPECT_EQ(u64_field(*view, *invalid, 0, 1), 2u);
  EXPECT_EQ(u64_field(*view, *invalid, 0, 2), 1u);
  const auto* collector_invalid = find_series(*view, "coretel.reporter.invalid",
                                              "coretel.numa_node.logical_number", int64_t{0});
  ASSERT_NE(collector_invalid, nullptr);
  for (uint32_t b = 0; b < 3; ++b) EXPECT_FALSE(view->observed(*collector_invalid, b));
}

// A reader of the views sees an unregistered series' last values, however many cycles pass
// before it reads.
TEST(Collector, LastValuesStayUntilAReaderSawThem) {
  coretel::CollectionPipeline pipeline(options_with(4096, 0), one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "last"}});
  (void)pipeline.views();  // a scraper exists: it has read once
  worker->items.add(3);
  reporter->report(worker);
  pipeline.collect_now();
  worker->items.add(4);  // the last values, never reported
  worker.reset();
  for (int i = 0; i < 10; ++i) pipeline.collect_now();  // no read meanwhile

  auto view = pipeline.views()[0];  // the next scrape
  const auto* s = find_series(*view, "test.worker", "worker", "last");
  ASSERT_NE(s, nullptr) << "the series left before any reader saw its last values";
  EXPECT_EQ(u64_field(*view, *s, kItems), 7u);
  pipeline.collect_now();  // seen: it may go now
  EXPECT_EQ(find_series(*pipeline.views()[0], "test.worker", "worker", "last"), nullptr);
}

// Readers that never read do not keep unregistered series for ever: they leave
// max_lag_cycles cycles after the view that first held their last values.
TEST(Collector, UnreadLastValuesLeaveAfterTheLagBound) {
  auto options = options_with(4096, 0);
  options.collector.max_lag_cycles = 3;
  coretel::CollectionPipeline pipeline(options, one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "unread"}});
  (void)pipeline.views();  // a reader exists
  std::size_t live = pipeline.registry().live_count();
  worker.reset();
  pipeline.collect_now();  // cycle 1 publishes the last values
  for (int cycle = 2; cycle <= 4; ++cycle) {
    pipeline.collect_now();
    EXPECT_EQ(pipeline.registry().live_count(), live) << "released early, cycle " << cycle;
  }
  pipeline.collect_now();  // cycle 5: 4 cycles since the publication, more than 3
  EXPECT_EQ(pipeline.registry().live_count(), live - 1);
  EXPECT_EQ(find_series(*pipeline.views()[0], "test.worker", "worker", "unread"), nullptr);
}

uint64_t detached_consumers(coretel::CollectionPipeline& pipeline) {
  // The collector's own reporter reports at its cadence: flush it now (this thread collects).
  pipeline.collectors()[0]->self_reporter().report_all();
  pipeline.collect_now();
  auto view = pipeline.views()[0];
  const auto* c =
      find_series(*view, "coretel.collector", "coretel.numa_node.logical_number", int64_t{0});
  if (c == nullptr) {
    ADD_FAILURE() << "no coretel.collector series";
    return 0;
  }
  return u64_field(
      *view, *c,
      field_index(coretel::CollectorMetrics::descriptor, "coretel.collector.detached_consumers"));
}

// A delta consumer that never exports is detached after max_lag_cycles cycles, which frees the
// unregistered series it held; its next begin_export says so and re-attaches it.
TEST(Collector, ConsumerThatNeverCommitsIsDetached) {
  auto options = options_with(4096, 2);
  options.collector.max_lag_cycles = 3;
  coretel::CollectionPipeline pipeline(options, one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "held"}});
  worker->items.add(7);
  reporter->report(worker);
  std::size_t live = pipeline.registry().live_count();
  worker.reset();

  // Consumer 1 exports every cycle; consumer 0 never calls begin_export.
  auto cycle = [&] {
    pipeline.collect_now();
    pipeline.begin_export(1).commit();
    (void)pipeline.views();  // a reader that sees everything
  };
  for (int c = 1; c <= 3; ++c) {
    cycle();
    EXPECT_EQ(pipeline.registry().live_count(), live) << "released early, cycle " << c;
    EXPECT_NE(find_series(*pipeline.views()[0], "test.worker", "worker", "held"), nullptr);
  }
  cycle();  // cycle 4: 4 cycles without a commit, more than 3
  EXPECT_EQ(pipeline.registry().live_count(), live - 1);
  EXPECT_EQ(find_series(*pipeline.views()[0], "test.worker", "worker", "held"), nullptr);
  EXPECT_EQ(detached_consumers(pipeline), 1u);

  auto signal = pipeline.begin_export(0);
  EXPECT_TRUE(signal.detached());
  EXPECT_TRUE(signal.combinations().empty());
  uint64_t reattached_at = signal.time_unix_nano();
  EXPECT_FALSE(pipeline.begin_export(1).detached());

  // Re-attached: it gets what was recorded afterwards, and only that.
  auto after = reporter->register_set<WorkerMetrics>({{"worker", "after"}});
  after->items.add(5);
  reporter->report(after);
  pipeline.collect_now();
  auto tx = pipeline.begin_export(0);
  EXPECT_FALSE(tx.detached());
  bool found = false;
  for (const auto& b : tx.combinations()) {
    if (b.info->id != after.series().id) continue;
    found = true;
    EXPECT_EQ(b.words[b.info->field_offset(kItems)], 5u);
    EXPECT_GE(b.start_time_unix_nano, reattached_at);
  }
  EXPECT_TRUE(found);
  tx.commit();
  EXPECT_EQ(detached_consumers(pipeline), 1u) << "counted once";
}

// Holding a transaction open without committing is lagging too; its late rollback is ignored.
TEST(Collector, ConsumerHoldingATransactionIsDetached) {
  auto options = options_with(4096, 1);
  options.collector.max_lag_cycles = 2;
  coretel::CollectionPipeline pipeline(options, one_node());
  auto reporter = pipeline.make_reporter(coretel::CpuId{0});
  auto worker = reporter->register_set<WorkerMetrics>({{"worker", "open"}});
  worker->items.add(9);
  reporter->report(worker);
  std::size_t live = pipeline.registry().live_count();
  pipeline.collect_now();  // cycle 1
  auto held = pipeline.begin_export(0);
  EXPECT_EQ(exported(held, worker.series().id, kItems), 9u);
  worker.reset();
  pipeline.collect_now();  // cycle 2: lag 2
  EXPECT_EQ(pipeline.registry().live_count(), live);
  pipeline.collect_now();  // cycle 3: lag 3 > 2, detached
  EXPECT_EQ(pipeline.registry().live_count(), live - 1);
  held.rollback();  // stale: nothing merges back
  auto signal = pipeline.begin_export(0);
  EXPECT_TRUE(signal.detached());
  EXPECT_TRUE(signal.combinations().empty());
  EXPECT_EQ(detached_consumers(pipeline), 1u);
}

}  // namespace
}  // namespace coretel_test
