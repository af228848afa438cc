#include "queued_provider.h"

namespace coretel::events {

QueuedProvider::QueuedProvider(std::size_t capacity, std::string what,
                               std::chrono::milliseconds idle_wait, std::size_t wake_at)
    : queue_(capacity),
      idle_wait_(idle_wait),
      wake_at_(wake_at),
      drops_(std::move(what), capacity, failed_) {}

void QueuedProvider::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

QueuedProvider::~QueuedProvider() {
  stop();
}

void QueuedProvider::emit(const EventRecord& record) noexcept {
  EncodedEvent event;
  if (!encode(record, static_cast<uint8_t>(thread_aspect()), event)) spill(record, event);
  offer(event);
}

void QueuedProvider::offer(const EncodedEvent& event) noexcept {
  const auto aspect = static_cast<Aspect>(event.aspect);
  // Entered before stopping_ is read, both seq_cst: once stop() saw entering_ at 0 after setting
  // stopping_, no offer() can still push (each either saw stopping_ or is counted in entering_).
  entering_.fetch_add(1, std::memory_order_seq_cst);
  if (stopping_.load(std::memory_order_seq_cst)) {
    entering_.fetch_sub(1, std::memory_order_release);
    count_drop(aspect, DropReason::kShutdown);
    release_refused(event);
    return;
  }
  // Counted before the push, so that flush() waits for every event offered before it.
  enqueued_.fetch_add(1, std::memory_order_seq_cst);
  if (!queue_.bounded_push(event)) {
    failed_.fetch_add(1, std::memory_order_release);
    count_drop(aspect, DropReason::kQueueFull);
    release_refused(event);
  } else if (wake_at_ != 0 && pending() >= wake_at_ &&
             !wake_pending_.load(std::memory_order_relaxed) &&
             !wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    wake_.notify_one();  // a full batch, once: no need to wait for the idle wait's end
  }
  entering_.fetch_sub(1, std::memory_order_release);
}

void QueuedProvider::release_refused(const EncodedEvent& event) noexcept {
  EncodedEvent copy = event;  // the caller's copy still points at it: this one frees it
  release(copy);
}

void QueuedProvider::notify_progress() {
  { std::lock_guard lock(mutex_); }  // a waiter between its check and its wait sees the change
  progress_.notify_all();
}

void QueuedProvider::run() {
  set_thread_aspect(Aspect::kInternal);
  // `due`: the idle wait ended or flush()/stop() asked, so a partial batch may go; without
  // wake_at_ everything queued goes as it comes.
  bool due = false;
  for (;;) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    wake_pending_.store(false, std::memory_order_relaxed);  // before taking: a later batch wakes
    const std::size_t taken = due || stopping || pending() >= wake_at_ ? consume(queue_) : 0;
    if (taken != 0) {
      consumed_.fetch_add(taken, std::memory_order_release);
      notify_progress();
    }
    drops_.report_if_due(std::chrono::steady_clock::now());
    if (taken != 0 && taken >= wake_at_) continue;  // perhaps more: take it before waiting
    if (stopping) {
      // stop() set stopping_ only after the last push: an empty queue now stays empty.
      if (taken == 0 && entering_.load() == 0 && queue_.empty()) break;
      continue;  // what is left goes out now
    }
    std::unique_lock lock(mutex_);
    const bool woken = wake_.wait_for(lock, idle_wait_, [this] {
      return wake_requested_ || (wake_at_ != 0 && pending() >= wake_at_);
    });
    due = !woken || wake_requested_;
    wake_requested_ = false;
  }
  finished();
  drops_.report_if_due(std::chrono::steady_clock::time_point::max());
  stopped_.store(true, std::memory_order_release);
  notify_progress();
}

bool QueuedProvider::flush(std::chrono::milliseconds timeout) {
  // What went into the queue before the call; drops after it do not count towards it.
  const uint64_t target =
      enqueued_.load(std::memory_order_seq_cst) - failed_.load(std::memory_order_seq_cst);
  std::unique_lock lock(mutex_);
  wake_requested_ = true;  // seen even when the thread is busy now, not waiting
  wake_.notify_all();
  return progress_.wait_for(lock, timeout, [&] {
    return consumed_.load(std::memory_order_acquire) >= target ||
           stopped_.load(std::memory_order_acquire);
  });
}

bool QueuedProvider::stop(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) {
    stopping_.store(true, std::memory_order_seq_cst);  // never started: offers drop, counted
    // Never started: what was queued goes, counted (stopped before: the queue is empty).
    while (entering_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    EncodedEvent event;
    while (queue_.pop(event)) {
      count_drop(static_cast<Aspect>(event.aspect), DropReason::kShutdown);
      release(event);
    }
    return stop_result_;  // or stopped before: what it said then
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  stopping_.store(true, std::memory_order_seq_cst);
  // The offers already past their check finish their push (they never block).
  while (entering_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  std::unique_lock lock(mutex_);
  wake_requested_ = true;
  wake_.notify_all();
  const bool drained = progress_.wait_until(
      lock, deadline, [&] { return stopped_.load(std::memory_order_acquire); });
  lock.unlock();
  if (drained) {
    thread_.join();  // it consumed everything queued and ended
  } else {
    // What it writes to does not drain: the caller must not wait on it. It goes on with what
    // it holds if that ever drains; what is still queued is taken out here (the queue has
    // several consumers) and counted.
    thread_.detach();
    EncodedEvent event;
    uint64_t taken = 0;
    while (queue_.pop(event)) {
      count_drop(static_cast<Aspect>(event.aspect), DropReason::kShutdown);
      release(event);
      ++taken;
    }
    consumed_.fetch_add(taken, std::memory_order_release);
  }
  stop_result_ = drained;
  return drained;
}

}  // namespace coretel::events
