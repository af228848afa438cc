// collector.h: Collector, which drains the rings of the reporters on one NUMA node into
// per-series accumulators, and ExportTransaction, the transactional delta read.
//
// Two independent accumulations per series:
//  * cumulative: never reset; published after each cycle as an immutable MetricsView, so a
//    scrape never blocks the collector and never steals deltas from an exporter;
//  * one delta accumulator per export consumer (PipelineOptions::delta_consumers):
//    begin_export() takes the deltas accumulated since the last commit; commit() drops them,
//    and a transaction destroyed without commit() rolls back: its deltas are merged back
//    (why: docs/why-deltas-roll-back.md).
//
// Unregistered series (see registry.h) leave only when everyone who should see their last
// values has, within one bound, CollectorOptions::max_lag_cycles:
//  * readers of views: the last values stay in the published views until a view holding them
//    was handed out by view() (a scrape, a JSON read). If no reader ever called view() on this
//    collector, nobody is waiting and the series leaves after one publication; if readers exist
//    but none reads within max_lag_cycles cycles, it leaves then (bounded memory);
//  * delta consumers: each attached consumer must have committed its last deltas. A consumer
//    that has not committed (and was not caught up, see begin_export) for more than
//    max_lag_cycles cycles is detached: its pending deltas are dropped, the detach is counted
//    (coretel.collector.detached_consumers), and its next begin_export() returns an empty
//    transaction whose detached() is true and re-attaches it.
//
// Thread-safety: collect_once() runs on one thread at a time (the collector thread after
// start()). view() and begin_export() may be called from any thread; begin_export and rollback
// take a mutex that collect_once holds only while merging into delta accumulators.
//
// Audience: the pipeline and exporter authors. It brings the registry (registry.h), the views
// and the reporter's API; the ring (report_ring.h, Boost.Lockfree), the per-series state
// (src/collect/series_state.h) and the generated self-metric sets (self_metrics.h) are only
// declared here.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "coretel/collect/metrics_view.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/reporter.h"
#include "coretel/collect/self_metrics_fwd.h"

namespace coretel {

struct CollectorOptions {
  /// How often the collector thread drains its rings and publishes a view.
  std::chrono::milliseconds interval{25};
  /// The lag bound, in collection cycles (collect_once() calls; with the thread running, one
  /// per `interval`): the default 12000 is 5 minutes at the default 25 ms interval. A delta
  /// consumer that neither committed nor was found caught up for more than this many cycles
  /// is detached; an unregistered series whose last values no reader took within this many
  /// cycles of their publication leaves the views anyway. Set it above the longest interval
  /// between two exports of any consumer and between two scrapes.
  uint32_t max_lag_cycles = 12000;
};

/// Deltas of one combination of a series (one copy of a MeasuredSet; the only one of a plain
/// set) since the previous committed export.
struct ExportedCombination {
  const SeriesInfo* info;  ///< valid while the transaction is held (its pin)
  uint32_t combination;
  uint64_t start_time_unix_nano;  ///< delta window start (previous commit, or registration)
  std::vector<uint64_t> words;    ///< words_per_combination: delta fields as deltas, others current
};

class Collector;
class ReportRing;

namespace detail {
class SeriesState;  // src/collect/series_state.h
class BlockPool;    // src/collect/block_pool.h
}  // namespace detail

/// A read of export deltas. Move-only; rolls back on destruction unless committed, so one
/// dropped where begin_export() returns it hands its deltas straight back: [[nodiscard]].
/// Why deltas roll back rather than drop: docs/why-deltas-roll-back.md.
class [[nodiscard]] ExportTransaction {
 public:
  ExportTransaction() = default;
  ExportTransaction(ExportTransaction&&) noexcept;
  ExportTransaction& operator=(ExportTransaction&&) noexcept;
  ~ExportTransaction();

  const std::vector<ExportedCombination>& combinations() const noexcept { return combinations_; }
  uint64_t time_unix_nano() const noexcept { return time_unix_nano_; }
  /// True when the consumer had been detached for lagging (CollectorOptions::max_lag_cycles)
  /// on at least one collector: the deltas pending at the detach were dropped. This transaction
  /// is then empty for that collector and re-attached the consumer there: the next
  /// begin_export() returns what was recorded after this one, with window starts at this
  /// transaction's time. An exporter should report the gap (e.g. log it); it need not commit.
  bool detached() const noexcept { return detached_; }
  /// The export succeeded: the deltas are gone for good.
  void commit() noexcept;
  /// The export failed: merge the deltas back (also what the destructor does).
  void rollback() noexcept;
  /// Moves the combinations of `other` into this one (used to combine collectors).
  void absorb(ExportTransaction&& other);
  /// What keeps the records of combinations() valid (registry.h), for as long as the
  /// transaction is held.
  const std::vector<SeriesPin>& pins() const noexcept { return pins_; }

 private:
  friend class Collector;
  struct Part {
    Collector* collector;
    uint32_t consumer;
    uint64_t epoch;            // the consumer's attachment; a detach makes the part stale
    std::size_t first, count;  // range of combinations_
  };
  std::vector<ExportedCombination> combinations_;
  std::vector<Part> parts_;
  std::vector<SeriesPin> pins_;
  uint64_t time_unix_nano_ = 0;
  bool detached_ = false;
};

class Collector {
 public:
  Collector(SeriesRegistry& registry, uint32_t index, uint32_t delta_consumers,
            CollectorOptions options = {});
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  /// Adds a reporter's ring. Any thread.
  void attach(std::shared_ptr<ReportRing> ring);

  /// One cycle: pick up registrations, drain every ring, merge terminal snapshots, retire
  /// unregistered series, publish a view. One thread at a time.
  void collect_once();

  /// Runs collect_once() every interval on a thread pinned to `cpus` (none: not pinned).
  void start(std::vector<int> cpus = {});
  /// Stops the thread after one last collect_once(). Idempotent.
  void stop();

  /// The last published view. Any thread; waits at most for a pointer copy, never for a cycle.
  /// Handing a view out is what lets unregistered series whose last values it holds leave.
  MetricsViewPtr view() const;

  /// Takes the deltas of consumer `consumer` accumulated since its last commit. Any thread.
  /// Finding nothing pending (no delta and no transaction in flight) counts as caught up for
  /// the lag bound, like a commit. For a detached consumer: see ExportTransaction::detached().
  ExportTransaction begin_export(uint32_t consumer);

  uint32_t index() const noexcept { return index_; }
  /// A reporter for this collector's own self-metrics; attached to this collector.
  Reporter& self_reporter() noexcept { return *self_reporter_; }

 private:
  friend class ExportTransaction;
  struct ConsumerState {
    uint64_t caught_up_cycle = 0;  // last commit, or begin_export that found nothing pending
    uint64_t epoch = 0;            // bumped by each detach: older transactions are stale
    bool detached = false;
  };

  // Adds newly registered series; the _locked form requires delta_mutex_ held. Terminal
  // snapshots picked up with them go to `terminals`.
  void take_registrations(std::vector<TerminalSnapshot>& terminals);
  void take_registrations_locked(std::vector<TerminalSnapshot>& terminals);
  void insert_series_locked(const SeriesInfo& info);
  detail::SeriesState* find(SeriesId id);
  // Merges messages; returns the number of snapshots merged.
  std::size_t merge_messages(const uint64_t* words, std::size_t count, uint64_t now);
  // Detaches consumers lagging past options_.max_lag_cycles; requires delta_mutex_ held.
  void detach_lagging_locked();
  // Gives a detached consumer fresh accumulators; requires delta_mutex_ held.
  void reattach_locked(uint32_t consumer, uint64_t now);
  void retire_finished();
  void publish(uint64_t now);
  void rollback(std::vector<ExportedCombination>& combinations,
                const ExportTransaction::Part& part) noexcept;
  void commit(std::vector<ExportedCombination>& combinations,
              const ExportTransaction::Part& part) noexcept;

  SeriesRegistry& registry_;
  uint32_t index_;
  uint32_t delta_consumers_;
  CollectorOptions options_;

  std::mutex rings_mutex_;
  std::vector<std::shared_ptr<ReportRing>> rings_;
  std::vector<uint64_t> drain_buffer_;
  // Terminal snapshots picked up while draining: merged next cycle, after every ring message
  // their series sent before unregistering (which this cycle's drain may not have reached).
  std::vector<TerminalSnapshot> deferred_terminals_;

  std::mutex delta_mutex_;  // guards SeriesState::deltas, consumers_, cycle_, series_ membership
  // Where the per-series blocks come from (src/collect/block_pool.h).
  std::unique_ptr<detail::BlockPool> blocks_;
  // By SeriesId; null when not ours. One packed block per series (series_state.h), owned.
  std::vector<detail::SeriesState*> series_;
  std::size_t series_count_ = 0;
  // Series whose terminal snapshot was merged, until they retire (collecting thread only).
  struct Retiring {
    SeriesId id;
    bool published = false;  // a published view holds the last values
    uint64_t view = 0;       // sequence number of the first such view
    uint64_t cycle = 0;      // the cycle that published it
  };
  std::vector<Retiring> retiring_;
  std::vector<ConsumerState> consumers_;
  uint64_t cycle_ = 0;  // collect_once() calls so far; written by the collecting thread

  // The published view. The mutex is held only to copy or swap the pointer, never while a
  // view is built or read.
  mutable std::mutex view_mutex_;
  std::shared_ptr<const MetricsView> view_;
  uint64_t view_seq_ = 1;          // sequence number of view_ (guarded by view_mutex_)
  mutable uint64_t read_seq_ = 0;  // highest view_seq_ handed out by view(); 0: never read
  uint64_t next_seq_ = 1;          // last sequence number used (collecting thread only)
  bool view_dirty_ = true;

  std::unique_ptr<Reporter> self_reporter_;
  Registration<CollectorMetrics> self_;
  // Collector 0 only: the process's event drops (coretel.events), observed every cycle.
  struct EventDrops;
  std::unique_ptr<EventDrops> event_drops_;

  std::atomic<bool> running_{false};
  // Wakes the thread early on stop(). Each collector's own: a condition variable shared with the
  // collectors of a parent process (a forked child's, whose threads do not exist) would keep
  // phantom waiters that a broadcast waits for.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace coretel
