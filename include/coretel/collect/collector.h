// collector.h: Collector, which drains the rings of the reporters on one NUMA node into
// per-series accumulators, and ExportTransaction, the transactional delta read.
//
// Two independent accumulations per series:
//  * cumulative: never reset; published after each cycle as an immutable MetricsView, so a
//    scrape never blocks the collector and never steals deltas from an exporter;
//  * one delta accumulator per export consumer (CollectionPipeline::add_delta_consumer):
//    begin_export() takes the deltas accumulated since the last commit; commit() drops them,
//    and a transaction destroyed without commit() rolls back: its deltas are merged back.
//
// Thread-safety: collect_once() runs on one thread at a time (the collector thread after
// start()). view() and begin_export() may be called from any thread; begin_export and rollback
// take a mutex that collect_once holds only while merging into delta accumulators.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "coretel/collect/metrics_view.h"
#include "coretel/collect/registry.h"
#include "coretel/collect/report_ring.h"
#include "coretel/collect/reporter.h"

namespace coretel {

struct CollectorOptions {
  /// How often the collector thread drains its rings and publishes a view.
  std::chrono::milliseconds interval{25};
};

/// Deltas of one series bucket since the previous committed export.
struct ExportedBucket {
  std::shared_ptr<const SeriesInfo> info;
  uint32_t bucket;
  uint64_t start_time_unix_nano;  ///< delta window start (previous commit, or registration)
  std::vector<uint64_t> words;    ///< words_per_bucket: delta fields as deltas, others current
};

class Collector;

/// A read of export deltas. Move-only; rolls back on destruction unless committed.
class ExportTransaction {
 public:
  ExportTransaction() = default;
  ExportTransaction(ExportTransaction&&) noexcept;
  ExportTransaction& operator=(ExportTransaction&&) noexcept;
  ~ExportTransaction();

  const std::vector<ExportedBucket>& buckets() const noexcept { return buckets_; }
  uint64_t time_unix_nano() const noexcept { return time_unix_nano_; }
  /// The export succeeded: the deltas are gone for good.
  void commit() noexcept;
  /// The export failed: merge the deltas back (also what the destructor does).
  void rollback() noexcept;
  /// Moves the buckets of `other` into this one (used to combine collectors).
  void absorb(ExportTransaction&& other);

 private:
  friend class Collector;
  struct Part {
    Collector* collector;
    uint32_t consumer;
    std::size_t first, count;  // range of buckets_
  };
  std::vector<ExportedBucket> buckets_;
  std::vector<Part> parts_;
  uint64_t time_unix_nano_ = 0;
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
  MetricsViewPtr view() const;

  /// Takes the deltas of consumer `consumer` accumulated since its last commit. Any thread.
  ExportTransaction begin_export(uint32_t consumer);

  uint32_t index() const noexcept { return index_; }
  /// A reporter for this collector's own self-metrics; attached to this collector.
  Reporter& self_reporter() noexcept { return *self_reporter_; }

 private:
  friend class ExportTransaction;
  struct DeltaState {
    std::vector<uint64_t> words;         // buckets x words_per_bucket
    std::vector<uint8_t> dirty;          // per bucket
    std::vector<uint8_t> in_flight;      // per bucket
    std::vector<uint64_t> window_start;  // per bucket
  };
  struct SeriesState {
    std::shared_ptr<const SeriesInfo> info;
    std::vector<uint64_t> cumulative;  // buckets x words_per_bucket
    std::vector<uint8_t> observed;     // per bucket
    uint64_t last_update = 0;
    bool terminal_merged = false;
    bool terminal_published = false;  // a published view held its last values
    std::vector<DeltaState> deltas;   // per consumer
  };

  // Adds newly registered series; the _locked form requires delta_mutex_ held. Terminal
  // snapshots picked up with them go to `terminals`.
  void take_registrations(std::vector<TerminalSnapshot>& terminals);
  void take_registrations_locked(std::vector<TerminalSnapshot>& terminals);
  void insert_series_locked(std::shared_ptr<const SeriesInfo> info);
  SeriesState* find(SeriesId id);
  // Merges messages; returns the number of snapshots merged.
  std::size_t merge_messages(const uint64_t* words, std::size_t count, uint64_t now);
  void retire_finished();
  void publish(uint64_t now);
  void rollback(std::vector<ExportedBucket>& buckets, std::size_t first, std::size_t count,
                uint32_t consumer) noexcept;
  void commit(std::vector<ExportedBucket>& buckets, std::size_t first, std::size_t count,
              uint32_t consumer) noexcept;

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

  std::mutex delta_mutex_;  // guards SeriesState::deltas and series_ membership
  std::vector<std::unique_ptr<SeriesState>> series_;  // by SeriesId; null when not ours
  std::size_t series_count_ = 0;

  // The published view. The mutex is held only to copy or swap the pointer, never while a
  // view is built or read.
  mutable std::mutex view_mutex_;
  std::shared_ptr<const MetricsView> view_;
  bool view_dirty_ = true;

  std::unique_ptr<Reporter> self_reporter_;
  Registration<CollectorMetrics> self_;

  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace coretel
