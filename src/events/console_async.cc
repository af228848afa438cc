#include "console_async.h"

#include <unistd.h>

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
    if (n <= 0) return;  // a closed or failing stderr loses the lines
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

ConsoleAsyncProvider::ConsoleAsyncProvider(std::size_t capacity, bool start_writer)
    : capacity_(capacity),
      queue_(capacity),
      drops_("console_async queue", capacity, DropReason::kQueueFull) {
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
  if (stopping_.load(std::memory_order_relaxed)) {
    count_drop(aspect, DropReason::kShutdown);
    return;
  }
  EncodedEvent event;
  encode(record, static_cast<uint8_t>(aspect), event);
  if (!queue_.bounded_push(event)) {
    count_drop(aspect, DropReason::kQueueFull);
    return;
  }
  pushed_.fetch_add(1, std::memory_order_release);
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
      decode(event, decoded);
      try {
        format_console(decoded.record, out);
      } catch (...) {  // out of memory: this line is lost
      }
      ++taken;
    }
    write_all(out);
    if (taken != 0) {
      written_.fetch_add(taken, std::memory_order_release);
      progress_.notify_all();
    }
    drops_.report_if_due(std::chrono::steady_clock::now());
    if (taken == 0) {
      if (stopping_.load(std::memory_order_acquire) && queue_.empty()) break;
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kIdlePoll);
    }
  }
  drops_.report_if_due(std::chrono::steady_clock::time_point::max());
  stopped_.store(true, std::memory_order_release);
  progress_.notify_all();
}

bool ConsoleAsyncProvider::flush(std::chrono::milliseconds timeout) {
  const uint64_t target = pushed_.load(std::memory_order_acquire);
  std::unique_lock lock(mutex_);
  wake_.notify_all();
  return progress_.wait_for(lock, timeout, [&] {
    return written_.load(std::memory_order_acquire) >= target ||
           stopped_.load(std::memory_order_acquire);
  });
}

void ConsoleAsyncProvider::stop(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) return;
  const bool flushed = flush(timeout);
  stopping_.store(true, std::memory_order_release);
  wake_.notify_all();
  if (flushed) {
    thread_.join();
    // Pushed by a thread that saw the writer running just before it stopped: counted, not lost
    // without a trace.
    EncodedEvent event;
    while (queue_.pop(event)) count_drop(static_cast<Aspect>(event.aspect), DropReason::kShutdown);
  } else {
    thread_.detach();  // its stderr does not drain: the process must not wait on it
  }
}

}  // namespace coretel::events
