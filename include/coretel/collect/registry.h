// registry.h: SeriesRegistry, the process-wide table of registered series and entities.
//
// COLD PATH. Every member is thread-safe (one internal mutex, never taken on a record or a
// report). Registration returns the series' immutable SeriesInfo; entities are deduplicated by
// attribute set. Unregistration is deferred: the owner hands over a terminal snapshot (the last
// values), the collector merges it after everything the series already sent, publishes it, and
// then retires the series (see Collector).
//
// Lifetime of the records. The registry owns every SeriesInfo and Entity, in place (a series
// record is not a heap block of its own, and holders keep plain pointers, not reference
// counts). A retired record is freed, and its id reused, once every SeriesPin taken before the
// retirement is gone. Published views and export transactions hold a pin, so the records they
// point at outlive them; a pin held for long keeps every series retired meanwhile, so hold views
// and transactions for a read, not for good.
#pragma once

#include <cstdint>
#include <memory>
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

/// Keeps the series records (SeriesInfo, Entity) that were not yet retired when it was taken
/// from being freed, for as long as it is held. Any thread; copy it freely. May outlive the
/// registry (the records then go with the last pin).
using SeriesPin = std::shared_ptr<const void>;

class SeriesRegistry {
 public:
  SeriesRegistry();
  ~SeriesRegistry();
  SeriesRegistry(const SeriesRegistry&) = delete;
  SeriesRegistry& operator=(const SeriesRegistry&) = delete;

  /// Registers a series. `collector_index` says which collector accumulates it. The record is
  /// valid until its collector retired it and the pins of that time are gone.
  /// Throws std::invalid_argument when a measurement attribute key also names an entity or
  /// registration attribute (the keys would collide on every data point), or when a live series
  /// already has the same identity (metric set, entity and registration attributes): two such
  /// series would export identical label sets. An identity is free again once unregister() ran.
  [[nodiscard]] const SeriesInfo* register_series(
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
    std::vector<const SeriesInfo*> added;
    std::vector<TerminalSnapshot> terminals;
  };
  [[nodiscard]] Inbox take_inbox(uint32_t collector_index);

  /// Called by the collector once the terminal snapshots of `ids` were merged and exported: the
  /// series leave live_series() and live_count() now, and their records (and entities no other
  /// series uses) are freed, their ids free for reuse, once every pin taken before is gone.
  void retire(std::span<const SeriesId> ids);

  /// A pin on every record not yet retired (see SeriesPin).
  [[nodiscard]] SeriesPin pin() const;

  /// Every series not yet retired (for the live schema), unordered, with the pin that keeps
  /// them valid.
  struct LiveSeries {
    SeriesPin pin;
    std::vector<const SeriesInfo*> series;
  };
  [[nodiscard]] LiveSeries live_series() const;
  /// How many series are registered and not yet retired.
  std::size_t live_count() const;

 private:
  struct State;       // the records, indexes and inboxes (registry.cc)
  struct Generation;  // what a pin holds (registry.cc)
  std::shared_ptr<State> state_;
};

}  // namespace coretel
