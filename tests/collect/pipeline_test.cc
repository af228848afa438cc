// CollectionPipeline: NUMA routing and concurrent engines with running collector threads
// (run under ThreadSanitizer in CI).
#include "coretel/collect/pipeline.h"

#include <atomic>
#include <latch>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "coretel/collect/self_metrics.h"
#include "test_metric_sets.h"

namespace coretel_test {
namespace {

TEST(Topology, SyntheticTwoNodes) {
  auto topology = coretel::Topology::synthetic("package:2 numa:1 core:2 pu:1");
  EXPECT_EQ(topology.node_count(), 2);
  EXPECT_EQ(topology.cpu_count(), 4);
  EXPECT_EQ(topology.node_of_cpu(0), 0);
  EXPECT_EQ(topology.node_of_cpu(3), 1);
  EXPECT_EQ(topology.cpus_of_node(1), (std::vector<int>{2, 3}));
}

TEST(Topology, RejectsBadDescription) {
  EXPECT_THROW(coretel::Topology::synthetic("nonsense:x"), std::invalid_argument);
}

// Registrations may be destroyed on any thread while their owner runs report_all(): each
// value reaches the collector exactly once, either in a report or in the last values handed
// over at unregistration (under TSan in CI, a race between the two is also reported).
TEST(Pipeline, RegistrationsDestroyedOnAnotherThreadDuringReportAllCountOnce) {
  coretel::PipelineOptions options;
  options.delta_consumers = 1;
  coretel::CollectionPipeline pipeline(options, coretel::Topology::synthetic("numa:1 pu:2"));
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  const std::size_t live_before = pipeline.registry().live_count();  // the self-metric sets
  constexpr int kSets = 200;
  std::vector<coretel::Registration<WorkerMetrics>> regs;
  for (int i = 0; i < kSets; ++i) {
    regs.push_back(reporter->register_set<WorkerMetrics>({{"worker.race", int64_t{i}}}));
    regs.back()->items.add(static_cast<uint64_t>(i) + 1);
  }
  std::atomic<bool> done{false};
  std::thread destroyer([&] {
    for (auto& r : regs) {
      r.reset();
      std::this_thread::yield();
    }
    done.store(true);
  });
  uint64_t exported = 0;
  auto export_once = [&] {  // also keeps the consumer within the lag bound (collector.h)
    pipeline.collect_now();
    auto tx = pipeline.begin_export(0);
    for (const auto& c : tx.combinations())
      if (c.info->descriptor->name == "test.worker")
        exported += c.words[c.info->field_offset(kItems)];
    tx.commit();
  };
  while (!done.load()) {
    reporter->report_all();
    export_once();
  }
  destroyer.join();
  for (int cycle = 0; cycle < 8; ++cycle) export_once();
  EXPECT_EQ(exported, uint64_t{kSets} * (kSets + 1) / 2);
  EXPECT_EQ(pipeline.registry().live_count(), live_before);  // every one of them left
}

// Series records are freed and their ids reused while readers on other threads hold views and
// export transactions: every record a reader reaches through a view or a transaction it holds
// is the one it was published with (the pins, registry.h). Under ASan a freed record read here
// is reported; under TSan in CI, a race between the registry's reuse and a reader.
TEST(Pipeline, ReadersHoldingViewsWhileSeriesChurn) {
  coretel::PipelineOptions options;
  options.delta_consumers = 1;
  coretel::CollectionPipeline pipeline(options, coretel::Topology::synthetic("numa:1 pu:2"));
  std::atomic<bool> done{false};
  std::atomic<uint64_t> checked{0};
  // Each series' entity names it: worker=<n>, and its one report carries items = n (a view may
  // show it before that report arrives: 0).
  auto check = [&](const coretel::SeriesInfo& info, uint64_t items) {
    if (info.descriptor->name != "test.worker") return;
    const auto worker = info.entity->attributes.find("worker");
    ASSERT_TRUE(worker);
    if (items != 0) {
      EXPECT_EQ(static_cast<uint64_t>(std::get<int64_t>(*worker)), items);
    }
    checked.fetch_add(1, std::memory_order_relaxed);
  };
  std::thread viewer([&] {
    while (!done.load()) {
      for (const auto& view : pipeline.views()) {
        std::this_thread::yield();  // hold it while the registry retires and reuses
        for (const auto& s : view->series())
          if (s.info->descriptor->name == "test.worker" && view->observed(s, 0))
            check(*s.info, view->field_words(s, 0, kItems)[0]);
      }
    }
  });
  std::thread exporter([&] {
    while (!done.load()) {
      auto tx = pipeline.begin_export(0);
      std::this_thread::yield();
      for (const auto& c : tx.combinations())
        if (c.info->descriptor->name == "test.worker")
          check(*c.info, c.words[c.info->field_offset(kItems)]);
      tx.commit();
    }
  });
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  coretel::SeriesId max_id = 0;
  int reused = 0;  // registrations that took an id an earlier series had
  // At least 3000 registrations, and on until ids were reused and the readers checked records
  // (their scheduling decides when: a reader's pin delays reuse), within 10 seconds.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int64_t n = 1; n <= 3000 || ((reused < 100 || checked.load() == 0) &&
                                    std::chrono::steady_clock::now() < give_up);
       ++n) {
    auto worker = reporter->register_set<WorkerMetrics>({{"worker", n}});
    if (n > 1 && worker.series().id <= max_id) ++reused;
    max_id = std::max(max_id, worker.series().id);
    worker->items.add(static_cast<uint64_t>(n));
    reporter->report(worker);
    if (n % 16 == 0) {
      // This thread collects, reads and commits too, so that the series retire whatever the
      // readers' scheduling: their ids are then reused once the readers' pins are gone.
      pipeline.collect_now();
      (void)pipeline.views();
      pipeline.begin_export(0).commit();
      pipeline.collect_now();
    }
  }  // each destroyed at once: its last values go to the collector, then it retires
  done = true;
  viewer.join();
  exporter.join();
  EXPECT_GT(checked.load(), 0u);
  EXPECT_GE(reused, 100) << "ids were not reused: the test did not churn";
}

TEST(Pipeline, ReportersGoToTheirNodesCollector) {
  coretel::CollectionPipeline pipeline(
      {}, coretel::Topology::synthetic("package:2 numa:1 core:2 pu:1"));
  ASSERT_EQ(pipeline.collectors().size(), 2u);
  auto on_node0 = pipeline.make_reporter(coretel::CpuId{1});
  auto on_node1 = pipeline.make_reporter(coretel::CpuId{2});
  auto a = on_node0->register_set<WorkerMetrics>({{"worker", "n0"}});
  auto b = on_node1->register_set<WorkerMetrics>({{"worker", "n1"}});
  a->items.add(1);
  b->items.add(2);
  on_node0->report_all();
  on_node1->report_all();
  pipeline.collect_now();
  auto views = pipeline.views();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_NE(find_series(*views[0], "test.worker", "worker", "n0"), nullptr);
  EXPECT_EQ(find_series(*views[0], "test.worker", "worker", "n1"), nullptr);
  const auto* s = find_series(*views[1], "test.worker", "worker", "n1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(u64_field(*views[1], *s, kItems), 2u);
}

TEST(Pipeline, UnpinnedReporterGoesToNodeZeroWithoutCpuAttribute) {
  coretel::CollectionPipeline pipeline(
      {}, coretel::Topology::synthetic("package:2 numa:1 core:2 pu:1"));
  auto unpinned = pipeline.make_reporter(coretel::kUnpinned, {{"worker", "free"}});
  auto pinned = pipeline.make_reporter(coretel::CpuId{3}, {{"worker", "pinned"}});
  EXPECT_EQ(unpinned->collector_index(), 0u);
  EXPECT_EQ(pinned->collector_index(), 1u);
  unpinned->report_all();
  pinned->report_all();
  pipeline.collect_now();
  auto views = pipeline.views();
  const auto* unpinned_series = find_series(*views[0], "coretel.reporter", "worker", "free");
  ASSERT_NE(unpinned_series, nullptr);
  EXPECT_FALSE(unpinned_series->info->entity->attributes.find("cpu.logical_number"));
  const auto* on_cpu = find_series(*views[1], "coretel.reporter", "cpu.logical_number", int64_t{3});
  ASSERT_NE(on_cpu, nullptr);
}

// start() and stop() may be called from any thread (pipeline.h): concurrent calls serialise.
TEST(Pipeline, ConcurrentStartAndStop) {
  coretel::PipelineOptions options;
  options.collector.interval = std::chrono::milliseconds(1);
  coretel::CollectionPipeline pipeline(options, coretel::Topology::synthetic("numa:2 pu:1"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) (i + t) % 2 == 0 ? pipeline.start() : pipeline.stop();
    });
  }
  for (auto& thread : threads) thread.join();
  pipeline.stop();
  pipeline.start();
  pipeline.stop();
}

TEST(Pipeline, ConcurrentEnginesWithRunningCollectors) {
  coretel::PipelineOptions options;
  options.reporter.ring_words = 256;  // small: deferrals under load
  options.collector.interval = std::chrono::milliseconds(2);
  options.delta_consumers = 1;
  // Consumer 0 only ever rolls back, so it never lets the engines' series (unregistered when
  // their threads end) leave the views; no lag bound cuts that short during the test.
  options.collector.max_lag_cycles = std::numeric_limits<uint32_t>::max();
  coretel::CollectionPipeline pipeline(options, coretel::Topology::synthetic("numa:1 pu:2"));

  constexpr int kThreads = 2;
  constexpr uint64_t kRecords = 200000;
  // Each engine first fills its ring before the collectors start, so every engine defers at
  // least once whatever the scheduling; then it records and reports while they drain.
  std::latch rings_full(kThreads);
  std::vector<uint64_t> deferred(kThreads, 0);  // reports that returned kDeferred, per engine
  std::vector<std::thread> engines;
  for (int t = 0; t < kThreads; ++t) {
    engines.emplace_back([&, t] {
      auto reporter = pipeline.make_reporter(coretel::CpuId{static_cast<unsigned>(t)});
      auto worker = reporter->register_set<WorkerMetrics>({{"worker", int64_t{t}}});
      auto by_outcome = reporter->register_set<WorkerByOutcome>({{"worker.measured", int64_t{t}}});
      uint64_t& deferrals = deferred[static_cast<std::size_t>(t)];
      // Only report() is used (never report_all): each kDeferred outcome is exactly one
      // deferral counted by the reporter, and its own set is sent once, at unregistration.
      auto report = [&](auto& registration) {
        coretel::ReportOutcome outcome = reporter->report(registration);
        if (outcome == coretel::ReportOutcome::kDeferred) ++deferrals;
        return outcome;
      };
      uint64_t i = 0;
      for (; deferrals == 0; ++i) {  // nothing drains yet: the ring fills
        worker->items.inc();
        worker->queue_depth.set(static_cast<int64_t>(i));
        by_outcome->with(static_cast<Outcome>(i % 3)).items.inc();
        report(worker);
        report(by_outcome);
      }
      rings_full.count_down();
      rings_full.wait();  // the collectors start after every ring is full
      for (; i < kRecords; ++i) {
        worker->items.inc();
        worker->queue_depth.set(static_cast<int64_t>(i));
        by_outcome->with(static_cast<Outcome>(i % 3)).items.inc();
        if (i % 64 == 0) {
          report(worker);
          report(by_outcome);
        }
      }
      // Keep the sets registered until everything reached the collector.
      while (report(worker) == coretel::ReportOutcome::kDeferred ||
             report(by_outcome) == coretel::ReportOutcome::kDeferred) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      // Readers on another thread meanwhile: views and exports never block the engine.
      (void)pipeline.views();
      // The reporter goes with the thread: its self-metrics reach the collector as its last
      // values (terminal snapshot), deferrals included.
    });
  }
  rings_full.wait();
  pipeline.start();
  std::thread reader([&] {
    for (int i = 0; i < 50; ++i) {
      auto views = pipeline.views();
      pipeline.begin_export(0).rollback();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  for (auto& e : engines) e.join();
  reader.join();
  pipeline.stop();

  auto view = pipeline.views()[0];
  const std::size_t deferrals_field = [] {
    const auto& fields = coretel::ReporterMetrics::descriptor.fields;
    for (std::size_t f = 0; f < fields.size(); ++f)
      if (fields[f].name == "coretel.reporter.deferrals") return f;
    return fields.size();
  }();
  ASSERT_LT(deferrals_field, coretel::ReporterMetrics::descriptor.fields.size());
  for (int t = 0; t < kThreads; ++t) {
    const auto* s = find_series(*view, "test.worker", "worker", int64_t{t});
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(u64_field(*view, *s, kItems), kRecords);
    EXPECT_EQ(static_cast<int64_t>(u64_field(*view, *s, kQueueDepth)), int64_t{kRecords - 1});
    const auto* m = find_series(*view, "test.worker", "worker.measured", int64_t{t});
    ASSERT_NE(m, nullptr);
    uint64_t total = 0;
    for (uint32_t b = 0; b < 3; ++b) total += u64_field(*view, *m, kItems, b);
    EXPECT_EQ(total, kRecords);
    // The deferrals the engine saw are the ones its reporter exported, and there were some.
    const auto* r = find_series(*view, "coretel.reporter", "cpu.logical_number", int64_t{t});
    ASSERT_NE(r, nullptr);
    EXPECT_GE(deferred[static_cast<std::size_t>(t)], 1u);
    EXPECT_EQ(u64_field(*view, *r, deferrals_field), deferred[static_cast<std::size_t>(t)]);
  }
}

}  // namespace
}  // namespace coretel_test
