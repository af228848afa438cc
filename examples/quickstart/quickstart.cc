// coretel-quickstart: the README's example, compiled and run by the test suite.
// Declares a metric set, records on an "engine" thread, and prints the Prometheus exposition.
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "coretel/collect/pipeline.h"
#include "coretel/export/prometheus_text.h"

struct CORETEL_METRIC_SET_STRUCT(QueueMetrics) {
  coretel::Counter<uint64_t> pushed;
  coretel::Gauge<uint64_t> depth;
  coretel::ExponentialHistogram<> wait;  // base-2 buckets that adapt to the data
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(QueueMetrics, "app.queue", "A bounded work queue.",
                            CORETEL_FIELD(pushed, "app.queue.pushed", "{item}", "Items pushed."),
                            CORETEL_FIELD(depth, "app.queue.depth", "{item}",
                                          "Items waiting after the last push."),
                            CORETEL_FIELD(wait, "app.queue.wait", "s",
                                          "Time an item waited before it was taken."));

int main() {
  coretel::CollectionPipeline pipeline;  // one collector per NUMA node
  pipeline.start();

  // Made on the engine thread (its sets are first touched there) but kept until after the
  // render: destroying a registration unregisters its series, which then leaves the views.
  std::unique_ptr<coretel::Reporter> reporter;
  coretel::Registration<QueueMetrics> queue;
  std::thread engine([&] {
    // On the engine thread that runs on cpu 0:
    reporter = pipeline.make_reporter(coretel::CpuId{0});
    queue = reporter->register_set<QueueMetrics>({{"queue.name", "ingest"}});
    for (uint64_t i = 1; i <= 1000; ++i) {
      queue->pushed.inc();  // hot path: a plain add
      queue->depth.set(i % 17);
      queue->wait.record(1e-4 * static_cast<double>(i % 17 + 1));
      reporter->tick(std::chrono::steady_clock::now());  // reports every 100 ms by default
    }
    reporter->report_all();
  });
  engine.join();
  pipeline.stop();  // final collection

  std::string text;
  coretel::PrometheusTextRenderer().render(coretel::Resource::detect("quickstart"),
                                           pipeline.views(), text);
  std::fputs(text.c_str(), stdout);
  return 0;
}
