// console_async.h (internal): the console_async provider. The emitting thread copies the record
// into a fixed-size block (encoded_event.h) and pushes it into one bounded lock-free queue
// (Boost.Lockfree, fixed-size: no allocation after construction); a full queue drops the event
// and counts it (dropped_events(aspect, DropReason::kQueueFull)). A background thread formats
// the records (console_format.h) and writes them to stderr, many lines per write(2); once a
// second at most it says on stderr how many events were dropped since it last said so.
//
// Thread-safety: emit() from any thread; flush() and stop() from one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include <boost/lockfree/queue.hpp>

#include "coretel/events/provider.h"
#include "drops.h"
#include "encoded_event.h"

namespace coretel::events {

class ConsoleAsyncProvider final : public EventProvider {
 public:
  /// `capacity`: events the queue holds at most (1 to 65534: Boost.Lockfree's fixed-size
  /// limit). `start` false: the writer thread waits for start() (tests fill the queue first).
  explicit ConsoleAsyncProvider(std::size_t capacity, bool start = true);
  /// Starts the writer thread (once).
  void start();
  /// stop(). The provider must outlive every emit() into it and, when stop() had to detach the
  /// writer, the writer too: configure_events() never destroys the one it makes.
  ~ConsoleAsyncProvider() override;

  void emit(const EventRecord& record) noexcept override;
  /// Waits until every event emitted before the call is written (or dropped), at most
  /// `timeout`; false when the time ran out.
  bool flush(std::chrono::milliseconds timeout);
  /// Stops taking events (later ones are dropped and counted, DropReason::kShutdown), waits at
  /// most `timeout` for the writer to write what is queued and end, and joins it; returns
  /// false, detaching the writer, when the time ran out (a stderr that does not drain must not
  /// hang the caller: the writer goes on writing what it holds if it ever drains). Idempotent.
  bool stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  /// True once stop() ran.
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

 private:
  void run();
  void notify_progress();

  boost::lockfree::queue<EncodedEvent, boost::lockfree::fixed_sized<true>> queue_;
  std::atomic<uint64_t> enqueued_{0};   // emits that went for the queue
  std::atomic<uint64_t> completed_{0};  // of those: written by the writer, or dropped when full
  std::atomic<uint32_t> entering_{0};   // emits between their stopping_ check and their push
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};  // the writer ended
  bool stop_result_ = true;           // what stop() returned
  std::mutex mutex_;                  // for the waits below
  std::condition_variable wake_;
  std::condition_variable progress_;
  DropReporter drops_;  // the writer's; counts from the provider's creation
  std::thread thread_;
};

}  // namespace coretel::events
