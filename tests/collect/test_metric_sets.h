// test_metric_sets.h: small metric sets and helpers shared by the collection-pipeline tests.
#pragma once

#include <array>
#include <cstdint>

#include "coretel/collect/field_values.h"
#include "coretel/collect/metrics_view.h"
#include "coretel/metrics/measurement.h"
#include "coretel/metrics/metric_set.h"

namespace coretel_test {

inline constexpr std::array<double, 3> kSizeBounds{10.0, 100.0, 1000.0};

struct CORETEL_METRIC_SET_STRUCT(WorkerMetrics) {
  coretel::Counter<uint64_t> items;
  coretel::Counter<double> busy_seconds;
  coretel::Gauge<int64_t> queue_depth;
  coretel::UpDownCounter<int64_t> connections;
  coretel::Mmsc latency;
  coretel::Histogram<kSizeBounds> size;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(WorkerMetrics, "test.worker", "A worker.",
                            CORETEL_FIELD(items, "test.worker.items", "{item}", "Items processed."),
                            CORETEL_FIELD(busy_seconds, "test.worker.busy", "s", "Busy time."),
                            CORETEL_FIELD(queue_depth, "test.worker.queue.depth", "{item}",
                                          "Queue depth."),
                            CORETEL_FIELD(connections, "test.worker.connections", "{connection}",
                                          "Open connections."),
                            CORETEL_FIELD(latency, "test.worker.latency", "s", "Latency."),
                            CORETEL_FIELD(size, "test.worker.size", "By", "Item sizes."));

enum class Outcome : uint8_t { kSuccess, kFailure, kRefused };
CORETEL_MEASUREMENT_ATTRIBUTE(Outcome, "outcome", "success", "failure", "refused");
using WorkerByOutcome = coretel::MeasuredSet<WorkerMetrics, Outcome>;
static_assert(!WorkerByOutcome::kTracksTouched);

// 20 combinations: above kTouchedBitmapAbove, so with() marks a touched bitmap.
enum class Shard : uint8_t {};
CORETEL_MEASUREMENT_ATTRIBUTE(Shard, "shard", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
                              "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18",
                              "s19");
using WorkerByShard = coretel::MeasuredSet<WorkerMetrics, Shard>;
static_assert(WorkerByShard::kCardinality == 20 && WorkerByShard::kTracksTouched);

// Field indexes in WorkerMetrics::descriptor.
enum Field : std::size_t { kItems, kBusy, kQueueDepth, kConnections, kLatency, kSize };

/// The series of `view` whose entity has attribute `key` == `value` (nullptr if none).
inline const coretel::SeriesView* find_series(const coretel::MetricsView& view,
                                              std::string_view set_name, std::string_view key,
                                              const coretel::AttributeValue& value) {
  for (const auto& s : view.series()) {
    if (s.info->descriptor->name != set_name) continue;
    const auto v = s.info->entity->attributes.find(key);
    if (v && *v == value) return &s;
  }
  return nullptr;
}

inline uint64_t u64_field(const coretel::MetricsView& view, const coretel::SeriesView& s,
                          std::size_t field, uint32_t combination = 0) {
  return view.field_words(s, combination, field)[0];
}

}  // namespace coretel_test
