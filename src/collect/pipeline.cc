#include "coretel/collect/pipeline.h"

#include "coretel/collect/report_ring.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/telemetry/cpu.h"

namespace coretel {

CollectionPipeline::CollectionPipeline(PipelineOptions options, Topology topology)
    : options_(options), topology_(std::move(topology)) {
  int nodes = std::max(topology_.node_count(), 1);
  for (int n = 0; n < nodes; ++n)
    collectors_.push_back(std::make_unique<Collector>(
        registry_, static_cast<uint32_t>(n), options_.delta_consumers, options_.collector));
}

CollectionPipeline::~CollectionPipeline() {
  stop();
}

std::unique_ptr<Reporter> CollectionPipeline::make_reporter(CpuId cpu, Attributes extra_entity) {
  return make_reporter_on(cpu, std::move(extra_entity));
}

std::unique_ptr<Reporter> CollectionPipeline::make_reporter(Unpinned, Attributes extra_entity) {
  return make_reporter_on(std::nullopt, std::move(extra_entity));
}

std::unique_ptr<Reporter> CollectionPipeline::make_reporter_on(std::optional<CpuId> cpu,
                                                               Attributes extra_entity) {
  int node = cpu ? topology_.node_of_cpu(static_cast<int>(cpu->value)) : 0;
  auto ring = std::make_shared<ReportRing>(options_.reporter.ring_words);
  collectors_[static_cast<std::size_t>(node)]->attach(ring);
  std::vector<Attribute> entity = extra_entity.to_vector();
  if (cpu)
    entity.push_back(
        {std::string(telemetry::attributes::kCpuLogicalNumber), static_cast<int64_t>(cpu->value)});
  // Several reporters may share a CPU: the id keeps their self-metrics apart.
  entity.push_back({std::string(telemetry::attributes::kCoretelReporterId),
                    static_cast<int64_t>(next_reporter_id_++)});
  return std::make_unique<Reporter>(registry_, std::move(ring), static_cast<uint32_t>(node),
                                    Attributes(std::move(entity)), options_.reporter);
}

void CollectionPipeline::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (started_) return;
  started_ = true;
  for (std::size_t n = 0; n < collectors_.size(); ++n) {
    std::vector<int> cpus;
    if (static_cast<int>(n) < topology_.node_count())
      cpus = topology_.cpus_of_node(static_cast<int>(n));
    collectors_[n]->start(std::move(cpus));
  }
}

void CollectionPipeline::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  for (auto& c : collectors_) c->stop();
  started_ = false;
}

void CollectionPipeline::collect_now() {
  for (auto& c : collectors_) c->collect_once();
}

std::vector<MetricsViewPtr> CollectionPipeline::views() const {
  std::vector<MetricsViewPtr> views;
  views.reserve(collectors_.size());
  for (const auto& c : collectors_) views.push_back(c->view());
  return views;
}

ExportTransaction CollectionPipeline::begin_export(uint32_t consumer) {
  ExportTransaction tx;
  for (auto& c : collectors_) tx.absorb(c->begin_export(consumer));
  return tx;
}

}  // namespace coretel
