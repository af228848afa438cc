// observed_totals.h (internal): what an exporter reading deltas remembers between exports so that
// an ObserveCounter (a monotonic total kept elsewhere and observed) goes out as a DELTA Sum under
// the `delta` and `lowmemory` temporality preferences, as the OTLP metric exporter's table asks
// for asynchronous counters (metrics/sdk_exporters/otlp.md,
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).
//
// The delta of an observed total is the total minus the total last exported (committed) for the
// same series, combination and field; a total below that one means the source was reset, and the
// new total is the delta (metrics data model, "Sums: delta-to-cumulative" resets). The first
// export of a combination sends its whole total. Baselines move only on commit(): a rolled-back
// export leaves them, so the retried totals give the same deltas again.
// Memory: one entry per exported ObserveCounter field per combination (about 60 bytes),
// dropped by prune() once its series is retired.
// COLD PATH (the exporter's thread). Thread-compatible.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "coretel/collect/registry.h"
#include "metric_rows.h"

namespace coretel::otlp {

class ObservedTotals {
 public:
  /// Gives every row with an ObserveCounter field a copy of its words (in `storage`, which it
  /// resizes) in which each such field holds its delta, and stages the totals it read.
  void to_deltas(std::vector<Row>& rows, std::vector<uint64_t>& storage);
  /// The staged totals become the baselines (the export was delivered, or dropped for good).
  void commit();
  /// Forgets the staged totals (the export is rolled back and will be retried).
  void rollback() noexcept { staged_.clear(); }
  /// Drops the baselines of series that `registry` no longer has. O(live series).
  void prune(const SeriesRegistry& registry);
  /// Baselines kept.
  std::size_t size() const noexcept { return committed_.size(); }

 private:
  struct Key {
    uint64_t serial;  // SeriesInfo::serial: never reused, unlike the id
    uint32_t combination;
    uint32_t field;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<uint64_t>{}(k.serial * 0x9E3779B97F4A7C15u ^
                                   (uint64_t{k.combination} << 16 | k.field));
    }
  };
  std::unordered_map<Key, uint64_t, KeyHash> committed_;  // total bits last exported
  std::vector<std::pair<Key, uint64_t>> staged_;
};

}  // namespace coretel::otlp
