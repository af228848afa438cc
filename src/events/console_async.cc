#include "console_async.h"

#include <unistd.h>

#include <cerrno>

#include <string>

#include <fmt/format.h>

#include "coretel/events/console_format.h"
#include "drops.h"

namespace coretel::events {

namespace {

// Bytes formatted before a write(2): many lines per call, bounded memory.
constexpr std::size_t kWriteBatch = 64 * 1024;
// How often the writer looks at the queue when it is empty (the latency of a lone event).
constexpr std::chrono::milliseconds kIdlePoll{5};

void write_all(std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;  // a signal: the rest of the line still goes out
    if (n <= 0) return;                     // a closed or failing stderr loses the lines
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

ConsoleAsyncProvider::ConsoleAsyncProvider(std::size_t capacity, bool start_writer)
    : queue_(capacity), drops_("console_async queue", capacity, DropReason::kQueueFull) {
  if (start_writer) start();
}

void ConsoleAsyncProvider::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

ConsoleAsyncProvider::~ConsoleAsyncProvider() {
  stop();
}

void ConsoleAsyncProvider::emit(const EventRecord& record) noexcept {
  const Aspect aspect = thread_aspect();
  // Entered before stopping_ is read, both seq_cst: once stop() saw entering_ at 0 after setting
  // stopping_, no emit() can still push (each either saw stopping_ or is counted in entering_).
  entering_.fetch_add(1, std::memory_order_seq_cst);
  if (stopping_.load(std::memory_order_seq_cst)) {
    entering_.fetch_sub(1, std::memory_order_release);
    count_drop(aspect, DropReason::kShutdown);
    return;
  }
  // Counted before the push, so that flush() waits for every event emitted before it.
  enqueued_.fetch_add(1, std::memory_order_seq_cst);
  EncodedEvent event;
  encode(record, static_cast<uint8_t>(aspect), event);
  if (!queue_.bounded_push(event)) {
    completed_.fetch_add(1, std::memory_order_release);  // settled: dropped
    count_drop(aspect, DropReason::kQueueFull);
  }
  entering_.fetch_sub(1, std::memory_order_release);
}

void ConsoleAsyncProvider::notify_progress() {
  { std::lock_guard lock(mutex_); }  // a waiter between its check and its wait sees the change
  progress_.notify_all();
}

void ConsoleAsyncProvider::run() {
  set_thread_aspect(Aspect::kInternal);
  std::string out;
  DecodedEvent decoded;
  EncodedEvent event;
  for (;;) {
    out.clear();
    uint64_t taken = 0;
    while (out.size() < kWriteBatch && queue_.pop(event)) {
      try {
        decode(event, decoded);
        format_console(decoded.record, out);
      } catch (...) {  // out of memory: this line is lost
      }
      ++taken;
    }
    write_all(out);
    if (taken != 0) {
      completed_.fetch_add(taken, std::memory_order_release);
      notify_progress();
    }
    drops_.report_if_due(std::chrono::steady_clock::now());
    if (taken == 0) {
      // stop() set stopping_ only after the last push: an empty queue now stays empty.
      if (stopping_.load(std::memory_order_acquire) && entering_.load() == 0 && queue_.empty())
        break;
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kIdlePoll);
    }
  }
  drops_.report_if_due(std::chrono::steady_clock::time_point::max());
  stopped_.store(true, std::memory_order_release);
  notify_progress();
}

bool ConsoleAsyncProvider::flush(std::chrono::milliseconds timeout) {
  const uint64_t target = enqueued_.load(std::memory_order_seq_cst);
  std::unique_lock lock(mutex_);
  wake_.notify_all();
  return progress_.wait_for(lock, timeout, [&] {
    return completed_.load(std::memory_order_acquire) >= target ||
           stopped_.load(std::memory_order_acquire);
  });
}

bool ConsoleAsyncProvider::stop(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) {
    stopping_.store(true, std::memory_order_seq_cst);  // never started: emits drop, counted
    return stop_result_;                               // or stopped before: what it said then
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  stopping_.store(true, std::memory_order_seq_cst);
  // The emits already past their check finish their push (they never block).
  while (entering_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  std::unique_lock lock(mutex_);
  wake_.notify_all();
  const bool drained = progress_.wait_until(
      lock, deadline, [&] { return stopped_.load(std::memory_order_acquire); });
  lock.unlock();
  if (drained) {
    thread_.join();  // it wrote everything queued and ended
  } else {
    // Its stderr does not drain: the caller must not wait on it. It goes on writing what it
    // holds if stderr ever drains.
    thread_.detach();
  }
  stop_result_ = drained;
  return drained;
}

}  // namespace coretel::events
