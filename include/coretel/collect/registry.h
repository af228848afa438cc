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
#include <unordered_set>
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
  // An entity with the number of live series that use it. The series own it (SeriesInfo::entity);
  // the index below only points at it while refs > 0.
  struct RegisteredEntity : Entity, std::enable_shared_from_this<RegisteredEntity> {
    uint32_t refs = 0;  // guarded by mutex_
  };
  // Hash indexes (one node of three words per entry, where ordered trees took 48 to 64 bytes):
  // entities by their attributes, and live series by what makes two of them export the same
  // label sets (metric set, entity, registration attributes and measurement keys).
  struct EntityHash {
    using is_transparent = void;
    std::size_t operator()(const Attributes* a) const noexcept;
    std::size_t operator()(const RegisteredEntity* e) const noexcept {
      return (*this)(&e->attributes);
    }
  };
  struct EntityEq {
    using is_transparent = void;
    static const Attributes& of(const Attributes* a) noexcept { return *a; }
    static const Attributes& of(const RegisteredEntity* e) noexcept { return e->attributes; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return of(a) == of(b);
    }
  };
  struct IdentityHash {
    std::size_t operator()(const SeriesInfo* s) const noexcept;
  };
  struct IdentityEq {
    bool operator()(const SeriesInfo* a, const SeriesInfo* b) const noexcept;
  };

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const SeriesInfo>> series_;  // by id; null when free
  std::vector<SeriesId> free_ids_;
  std::unordered_set<RegisteredEntity*, EntityHash, EntityEq> entities_;
  uint64_t next_entity_id_ = 1;
  std::map<uint32_t, Inbox> inboxes_;
  std::unordered_set<const SeriesInfo*, IdentityHash, IdentityEq> identities_;
};

}  // namespace coretel
