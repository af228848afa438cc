// registry.h: SeriesRegistry, the process-wide table of registered series and entities.
//
// COLD PATH. Every member is thread-safe (one internal mutex, never taken on a record or a
// report). Registration returns the series' immutable SeriesInfo; entities are deduplicated by
// attribute set and reference-counted. Unregistration is deferred: the owner hands over a
// terminal snapshot (the last values), the collector merges it after everything the series
// already sent, and only then releases the id (see Collector).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "coretel/collect/series.h"

namespace coretel {

/// The last values of an unregistered series, encoded as snapshot messages (snapshot_message.h).
struct TerminalSnapshot {
  SeriesId series;
  std::vector<uint64_t> messages;
};

class SeriesRegistry {
 public:
  SeriesRegistry();
  ~SeriesRegistry();
  SeriesRegistry(const SeriesRegistry&) = delete;
  SeriesRegistry& operator=(const SeriesRegistry&) = delete;

  /// Registers a series. `collector_index` says which collector accumulates it.
  /// Throws std::invalid_argument when a measurement attribute key also names an entity or
  /// registration attribute (the keys would collide on every data point), or when a live series
  /// already has the same identity (metric set, entity and registration attributes): two such
  /// series would export identical label sets. An identity is free again once unregister() ran.
  [[nodiscard]] std::shared_ptr<const SeriesInfo> register_series(
      const MetricsDescriptor& descriptor, Attributes entity, Attributes registration,
      std::span<const MeasurementAttributeDescriptor> measurement, uint32_t collector_index);
  // `measurement` must have static storage duration (MeasuredSet::kAttributes does): the series
  // keeps a view of it.

  /// Starts deferred unregistration: `last` is merged by the collector after the series' earlier
  /// messages, then the series leaves the views.
  void unregister(TerminalSnapshot last);

  /// What a collector picks up on each cycle: series registered for it since the last call, and
  /// terminal snapshots of its series. Call from the collector's thread.
  struct Inbox {
    std::vector<std::shared_ptr<const SeriesInfo>> added;
    std::vector<TerminalSnapshot> terminals;
  };
  [[nodiscard]] Inbox take_inbox(uint32_t collector_index);

  /// Called by the collector once a terminal snapshot is merged and exported: frees the id for
  /// reuse and drops the entity reference.
  void release(SeriesId id);

  /// Every live series (for the live schema). Unordered.
  std::vector<std::shared_ptr<const SeriesInfo>> live_series() const;
  std::size_t live_count() const;

 private:
  // An entity with the number of live series that use it. The series own it (SeriesInfo::entity);
  // the registry only points at it (entities_) while refs > 0.
  struct RegisteredEntity : Entity, std::enable_shared_from_this<RegisteredEntity> {
    uint32_t refs = 0;  // guarded by mutex_
    uint32_t slot = 0;  // in entities_
  };
  std::size_t entity_hash(uint32_t slot) const noexcept;
  std::size_t identity_hash(SeriesId id) const noexcept;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const SeriesInfo>> series_;  // by id; null when free
  std::vector<SeriesId> free_ids_;
  std::vector<RegisteredEntity*> entities_;  // by slot; null when free
  std::vector<uint32_t> free_entity_slots_;
  uint64_t next_entity_id_ = 1;
  std::map<uint32_t, Inbox> inboxes_;
  // Hash indexes over the two vectors (src/collect/id_table.h: 4-byte slots, where
  // std::unordered_set took a 32-byte node and a bucket per entry): entities by their
  // attributes, and live series by what makes two of them export the same label sets (metric
  // set, entity, registration attributes and measurement keys).
  struct Indexes;
  std::unique_ptr<Indexes> indexes_;
};

}  // namespace coretel
