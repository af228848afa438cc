// queued_provider.h (internal): QueuedProvider, the part the asynchronous providers share
// (console_async, and the OTLP logs batch processor of `otlp` and `its`): the emitting thread
// copies the record into a fixed-size block (encoded_event.h) and pushes it into one bounded
// lock-free queue (Boost.Lockfree, fixed-size: no allocation after construction); a full queue
// drops the event and counts it (DropReason::kQueueFull). A record that does not fit a block is
// spilled (encoded_event.h) when the spill budget allows: the consumer gets it whole, and
// release()s each event it took. One background thread takes what is
// queued (consume(), the part that differs), sleeps `idle_wait` when nothing is, and once a
// second at most says on stderr how many events the queue dropped since it last said so.
// flush() and stop() wait for that thread, bounded by a timeout.
//
// Thread-safety: emit() and offer() from any thread; flush() and stop() from one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include <boost/lockfree/queue.hpp>

#include "coretel/events/provider.h"
#include "drops.h"
#include "encoded_event.h"

namespace coretel::events {

class QueuedProvider : public EventProvider {
 public:
  using Queue = boost::lockfree::queue<EncodedEvent, boost::lockfree::fixed_sized<true>>;

  /// `capacity`: events the queue holds at most (1 to 65534: Boost.Lockfree's fixed-size
  /// limit); `what` names the queue in the drop line; `idle_wait`: the thread's sleep when the
  /// queue is empty; `wake_at` (0: never): the queued count that wakes the thread early.
  QueuedProvider(std::size_t capacity, std::string what, std::chrono::milliseconds idle_wait,
                 std::size_t wake_at = 0);
  /// Starts the background thread (once). Derived classes call it last in their constructor
  /// (tests may hold it to fill the queue first).
  void start();
  /// A derived class calls stop() in its destructor, before its members go. The provider must
  /// outlive every emit() into it and, when stop() had to detach the thread, the thread too:
  /// configure_events() never destroys the ones it makes.
  ~QueuedProvider() override;

  /// Copies `record` (with the calling thread's aspect) into the queue.
  void emit(const EventRecord& record) noexcept override;
  /// Queues a block already made (its `aspect` is the one a drop is counted under).
  void offer(const EncodedEvent& event) noexcept;
  /// Waits until every event queued before the call is consumed (or dropped), at most
  /// `timeout`; false when the time ran out.
  bool flush(std::chrono::milliseconds timeout);
  /// Stops taking events (later ones are dropped and counted, DropReason::kShutdown), waits at
  /// most `timeout` for the thread to consume what is queued and end, and joins it; returns
  /// false, detaching the thread, when the time ran out (a stderr or a peer that does not drain
  /// must not hang the caller): what is still queued is then taken out and counted
  /// (kShutdown); what the thread holds at that moment (one write, or one export request) is
  /// lost if the process exits before it completes. Idempotent.
  bool stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  /// True once stop() ran.
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

 protected:
  /// On the background thread: takes some of what `queue` holds and handles it; returns the
  /// number taken (0: the queue was empty). An event it cannot handle it drops and counts.
  virtual std::size_t consume(Queue& queue) = 0;
  /// On the background thread, after the last consume().
  virtual void finished() noexcept {}

 private:
  void run();
  void notify_progress();
  // Frees the spilled record of an event the queue did not take.
  static void release_refused(const EncodedEvent& event) noexcept;
  // Events queued and not yet consumed, about: the counts move concurrently.
  uint64_t pending() const noexcept {
    return enqueued_.load(std::memory_order_relaxed) - failed_.load(std::memory_order_relaxed) -
           consumed_.load(std::memory_order_relaxed);
  }

  Queue queue_;
  std::chrono::milliseconds idle_wait_;
  std::size_t wake_at_;
  std::atomic<uint64_t> enqueued_{0};      // offers that went for the queue
  std::atomic<uint64_t> failed_{0};        // of those: dropped, the queue full (drops_ reads it)
  std::atomic<uint64_t> consumed_{0};      // of those: taken by consume() (or by stop(), counted)
  std::atomic<bool> wake_pending_{false};  // a full batch was signalled and not yet taken
  std::atomic<uint32_t> entering_{0};      // offers between their stopping_ check and their push
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};  // the thread ended
  bool stop_result_ = true;           // what stop() returned
  std::mutex mutex_;                  // for the waits below
  bool wake_requested_ = false;       // by flush() or stop(); guarded by mutex_
  std::condition_variable wake_;
  std::condition_variable progress_;
  DropReporter drops_;  // the thread's
  std::thread thread_;
};

}  // namespace coretel::events
