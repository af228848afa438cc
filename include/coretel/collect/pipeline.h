// pipeline.h: CollectionPipeline, the entry point that wires reporters to NUMA-local collectors.
//
//   coretel::CollectionPipeline pipeline;                      // one collector per NUMA node
//   auto reporter = pipeline.make_reporter(coretel::CpuId{3});  // on the engine thread of cpu 3
//   auto metrics = reporter->register_set<MyMetrics>({{"cpu.logical_number", int64_t{3}}});
//   pipeline.start();                                           // collector threads
//   ... metrics->requests.inc();  reporter->tick(now); ...      // engine loop
//
// COLD PATH. Thread-safety: every member may be called from any thread, except collect_now(),
// which must not run while start()ed collector threads run; start() and stop() serialise on a
// mutex. Exporters read views() (cumulative, immutable) or begin_export(consumer) (deltas,
// transactional).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "coretel/collect/collector.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/reporter.h"
#include "coretel/collect/topology.h"

namespace coretel {

struct PipelineOptions {
  ReporterOptions reporter;
  CollectorOptions collector;
  /// Export consumers with their own delta accumulators (console, OTLP push, ...).
  uint32_t delta_consumers = 0;
};

class CollectionPipeline {
 public:
  explicit CollectionPipeline(PipelineOptions options = {}, Topology topology = Topology::detect());
  ~CollectionPipeline();  // stops the collectors

  SeriesRegistry& registry() noexcept { return registry_; }
  const Topology& topology() const noexcept { return topology_; }

  /// A reporter for the thread that runs on `cpu` (its ring goes to that CPU's NUMA-node
  /// collector; a CPU the topology does not know goes to node 0). Its self-metrics carry
  /// `cpu.logical_number`, a unique `coretel.reporter.id` and `extra_entity`. Any thread.
  /// Destroy every Registration made through it before the reporter itself.
  [[nodiscard]] std::unique_ptr<Reporter> make_reporter(CpuId cpu, Attributes extra_entity = {});
  /// A reporter for a thread that is not pinned to one CPU: its ring goes to node 0's collector
  /// and its self-metrics carry no `cpu.logical_number`. Otherwise as above.
  [[nodiscard]] std::unique_ptr<Reporter> make_reporter(Unpinned, Attributes extra_entity = {});

  /// Starts one collector thread per NUMA node, pinned to that node's CPUs. Idempotent; any
  /// thread.
  void start();
  /// Stops the collector threads after a final collection. Idempotent; any thread.
  void stop();
  /// Runs one collection cycle on every collector from the calling thread (tests, shutdown);
  /// must not race with start()ed threads.
  void collect_now();

  /// The last published view of every collector (one per NUMA node). Any thread.
  std::vector<MetricsViewPtr> views() const;
  /// Deltas of one export consumer across every collector. Any thread.
  ExportTransaction begin_export(uint32_t consumer);

  const std::vector<std::unique_ptr<Collector>>& collectors() const noexcept { return collectors_; }

 private:
  std::unique_ptr<Reporter> make_reporter_on(std::optional<CpuId> cpu, Attributes extra_entity);

  PipelineOptions options_;
  Topology topology_;
  SeriesRegistry registry_;  // before the collectors: they point at its records until they go
  std::vector<std::unique_ptr<Collector>> collectors_;
  std::mutex lifecycle_mutex_;  // serialises start() and stop()
  bool started_ = false;        // guarded by lifecycle_mutex_
  std::atomic<uint64_t> next_reporter_id_{0};
};

}  // namespace coretel
