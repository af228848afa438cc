// otlp_test_engine.h: the small engine the OTLP exporter tests push from (HTTP and gRPC alike):
// a pipeline with one delta consumer and one AppMetrics set, recorded, reported and collected on
// demand.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "coretel/collect/pipeline.h"
#include "coretel/resource.h"
#include "export_test_sets.h"

namespace coretel_otlp_test {

inline coretel::PipelineOptions one_consumer() {
  coretel::PipelineOptions options;
  options.delta_consumers = 1;
  return options;
}

struct Engine {
  coretel::CollectionPipeline pipeline{one_consumer(), coretel::Topology::detect()};
  std::unique_ptr<coretel::Reporter> reporter = pipeline.make_reporter(coretel::kUnpinned);
  coretel::Registration<coretel_export_test::AppMetrics> app =
      reporter->register_set<coretel_export_test::AppMetrics>({{"pipeline.name", "p1"}});
  /// Adds `n` to app.requests, reports and collects.
  void add(uint64_t n) {
    app->requests.add(n);
    reporter->report(app);
    pipeline.collect_now();
  }
};

inline coretel::Resource resource() {
  return coretel::Resource{coretel::Attributes{{"service.name", std::string("edge-1")}}};
}

/// A deadline `d` from now.
inline std::chrono::steady_clock::time_point in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

}  // namespace coretel_otlp_test
