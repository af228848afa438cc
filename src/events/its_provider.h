// its_provider.h (internal): ItsProvider, the `its` provider mode (internal telemetry system).
//
// The emitting thread encodes the record into a fixed-size block (encoded_event.h) of a ring of
// its own (Boost.Lockfree spsc_queues of block indices: one producer, one consumer each way): no
// lock, no allocation after the thread's first event (but for a record that does not fit its
// block: spilled to the heap within the spill budget, encoded_event.h, as by `otlp`; past the
// budget it is cut to the block), and nothing written that another emitting
// thread writes (but a drop's count and the wake-up flag). A full
// ring drops the event and counts it (DropReason::kQueueFull). The collector thread drains every
// ring each `interval`, at flush(), or as soon as a ring is half full (its emitting thread wakes
// it, once until the next drain; in steady traffic, an eighth of a ring a drain or more, the
// collector wakes itself before that, when the fullest ring is due a quarter full at the last
// drain's rate, 1 ms at the soonest: an engine thread logging steadily makes no system call),
// and hands each event, in each ring's order, to what
// ItsOptions turn on: the console (stderr, console_format.h, many lines per write), the OTLP logs
// batch processor, and the recent-events view (the newest recent_capacity events, served as JSON at
// /api/v1/telemetry/events by the admin endpoint).
//
// A thread's ring is made at its first event (the one cold step: a lock and an allocation) and
// lives until the thread ended and the collector drained it (common/per_thread.h). After stop(),
// events are dropped and counted (DropReason::kShutdown); an event emitted while stop() runs is
// either drained or counted, never lost unseen (each ring's `busy` flag against `stopping_`,
// ordered by common/asymmetric_barrier.h).
//
// Thread-safety: emit() from any thread; flush(), stop() from one thread at a time; recent_json()
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "../common/per_thread.h"
#include "coretel/events/provider.h"
#include "drops.h"
#include "encoded_event.h"
#include "queued_provider.h"

namespace coretel::events {

class ItsProvider final : public EventProvider {
 public:
  /// Throws std::invalid_argument when an option is out of range (ItsOptions' ranges).
  /// `otlp`: where events go when options.otlp (then not nullptr); it must outlive this provider.
  /// `start` false: the collector waits for start() (tests).
  ItsProvider(const ItsOptions& options, QueuedProvider* otlp, bool start = true);
  /// Throws std::invalid_argument, naming the option and its range, when one is out of range.
  static void check(const ItsOptions& options);
  /// stop(). The provider must outlive every emit() into it and, when stop() had to detach the
  /// collector, the collector too (configure_events() never destroys the one it makes).
  ~ItsProvider() override;
  void start();

  void emit(const EventRecord& record) noexcept override;
  /// Waits until a drain that began after the call ended, and then until the OTLP processor
  /// (when fed) sent what it got, at most `timeout` in all; false when the time ran out.
  bool flush(std::chrono::milliseconds timeout);
  /// Stops taking events, drains the rings a last time and ends the collector, at most
  /// `timeout` (false, detaching it, when the time ran out: a stderr that does not drain; what
  /// the rings still hold then is lost if the process exits first, uncounted). Idempotent.
  bool stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  /// The recent-events view (provider.h: recent_events_json()), at most `limit` events.
  std::string recent_json(std::size_t limit) const;
  /// Times an emitting thread woke the collector (a half-full ring). Thread-safe.
  uint64_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  // One emitting thread's ring: `capacity` blocks, and two single-producer single-consumer
  // queues of block indices (Boost.Lockfree spsc_queue). The emitting thread takes a free
  // index, encodes the record in place (only the bytes it uses are written: no 512-byte copy)
  // and pushes the index to `ready`; the collector handles the block and gives its index back
  // through `free`. The queues' release/acquire order the block's bytes between the two.
  struct Ring {
    explicit Ring(std::size_t capacity);
    std::unique_ptr<EncodedEvent[]> blocks;
    boost::lockfree::spsc_queue<uint16_t> ready;  // emitting thread -> collector
    boost::lockfree::spsc_queue<uint16_t> free;   // collector -> emitting thread
    std::atomic<bool> busy{false};      // the owner thread is between its stopping_ check and push
    std::atomic<bool> orphaned{false};  // the owner thread ended
  };
  void run();
  // Takes everything the rings hold; drops the rings of ended threads once empty. Returns the
  // most events it took from one ring.
  std::size_t drain();
  // The collector's next wait after a drain that took `taken` events from its fullest ring,
  // `elapsed` after the one before.
  std::chrono::nanoseconds pace(std::size_t taken, std::chrono::nanoseconds elapsed);
  // Hands `event` on; its spilled record, if any, is passed on or released (then `spilled` is
  // null).
  void handle(EncodedEvent& event);

  ItsOptions options_;
  std::size_t wake_at_;  // events in one ring that wake the collector early: half its capacity
  QueuedProvider* otlp_;
  // Each emitting thread's ring, made at its first event (nullptr when it cannot be: the thread
  // is ending, or out of memory).
  coretel::detail::PerThread<Ring> rings_;

  mutable std::mutex recent_mutex_;
  std::vector<EncodedEvent> recent_;  // a circular buffer of recent_capacity; guarded
  std::size_t recent_next_ = 0;       // where the next event goes; guarded
  std::size_t recent_count_ = 0;      // guarded

  std::atomic<bool> stopping_{false};
  std::atomic<bool> wake_requested_{false};  // a ring was half full since the last drain began
  std::atomic<uint64_t> wakes_{0};
  std::atomic<uint64_t> full_drops_{0};
  std::mutex mutex_;  // for the waits and the counts below
  std::condition_variable wake_;
  std::condition_variable progress_;
  uint64_t drains_requested_ = 0;  // by flush(); guarded by mutex_
  uint64_t drains_done_ = 0;       // the requests the last ended drain covered; guarded
  bool stop_requested_ = false;    // guarded
  bool stopped_ = false;           // the collector ended; guarded
  bool stop_result_ = true;

  // The collector's.
  DropReporter drops_;
  std::string out_;
  DecodedEvent decoded_;
  std::thread thread_;
};

}  // namespace coretel::events
