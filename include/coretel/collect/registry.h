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
#include <set>
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
  struct EntityEntry {
    std::shared_ptr<const Entity> entity;
    uint32_t refs = 0;
  };
  // Keys point into the Entity they map to, so entity attributes are stored once.
  struct AttributesLess {
    bool operator()(const Attributes* a, const Attributes* b) const { return *a < *b; }
  };
  // What makes two series export the same label sets: metric set, entity, registration
  // attributes and measurement keys. Points into the live SeriesInfo.
  struct Identity {
    const SeriesInfo* info;
    uint64_t entity;
  };
  struct IdentityLess {
    bool operator()(const Identity& a, const Identity& b) const;
  };

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const SeriesInfo>> series_;  // by id; null when free
  std::vector<SeriesId> free_ids_;
  std::map<const Attributes*, EntityEntry, AttributesLess> entities_;
  uint64_t next_entity_id_ = 1;
  std::map<uint32_t, Inbox> inboxes_;
  std::set<Identity, IdentityLess> identities_;
};

}  // namespace coretel
