// The install test's consumer: records into a metric set generated from its own registry and
// prints the Prometheus exposition (tests/install/consume.sh checks one line of it).
#include <cstdio>
#include <string>

#include "consumer/telemetry/registry.h"
#include "coretel/collect/pipeline.h"
#include "coretel/export/prometheus_text.h"

int main() {
  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto queue = reporter->register_set<consumer::telemetry::ConsumerQueueMetrics>(
      consumer::telemetry::ConsumerQueueAttributes{"ingest"}.attributes());
  for (int i = 0; i < 42; ++i) queue->pushed.inc();
  queue->depth.set(7);
  reporter->report_all();
  pipeline.collect_now();
  std::string text;
  coretel::PrometheusTextRenderer().render(coretel::Resource{}, pipeline.views(), text);
  std::fputs(text.c_str(), stdout);
  return 0;
}
