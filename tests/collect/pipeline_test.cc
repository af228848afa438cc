// CollectionPipeline: NUMA routing and concurrent engines with running collector threads
// (run under ThreadSanitizer in CI).
#include "coretel/collect/pipeline.h"

#include <thread>

#include <gtest/gtest.h>

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

TEST(Pipeline, ReportersGoToTheirNodesCollector) {
  coretel::CollectionPipeline pipeline(
      {}, coretel::Topology::synthetic("package:2 numa:1 core:2 pu:1"));
  ASSERT_EQ(pipeline.collectors().size(), 2u);
  auto on_node0 = pipeline.make_reporter(1);
  auto on_node1 = pipeline.make_reporter(2);
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

TEST(Pipeline, ConcurrentEnginesWithRunningCollectors) {
  coretel::PipelineOptions options;
  options.reporter.interval = std::chrono::milliseconds(1);
  options.reporter.ring_words = 256;  // small: forces deferrals under load
  options.collector.interval = std::chrono::milliseconds(2);
  options.delta_consumers = 1;
  coretel::CollectionPipeline pipeline(options, coretel::Topology::synthetic("numa:1 pu:2"));
  pipeline.start();

  constexpr int kThreads = 2;
  constexpr uint64_t kRecords = 200000;
  std::vector<std::thread> engines;
  for (int t = 0; t < kThreads; ++t) {
    engines.emplace_back([&, t] {
      auto reporter = pipeline.make_reporter(t);
      auto worker = reporter->register_set<WorkerMetrics>({{"worker", int64_t{t}}});
      auto by_outcome = reporter->register_set<WorkerByOutcome>({{"worker.measured", int64_t{t}}});
      for (uint64_t i = 0; i < kRecords; ++i) {
        worker->items.inc();
        worker->queue_depth.set(static_cast<int64_t>(i));
        by_outcome->with(static_cast<Outcome>(i % 3)).items.inc();
        if (i % 64 == 0) reporter->tick(std::chrono::steady_clock::now());
      }
      reporter->report_all();
      // Keep the sets registered until everything reached the collector.
      while (worker->items.value() != 0 ||
             reporter->report(worker) == coretel::ReportOutcome::kDeferred ||
             reporter->report(by_outcome) == coretel::ReportOutcome::kDeferred) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      // Readers on another thread meanwhile: views and exports never block the engine.
      (void)pipeline.views();
    });
  }
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
  }
}

}  // namespace
}  // namespace coretel_test
