#include "console_async.h"

#include <unistd.h>

#include <cerrno>

#include "coretel/events/console_format.h"

namespace coretel::events {

namespace {

// How often the writer looks at the queue when it is empty (the latency of a lone event).
constexpr std::chrono::milliseconds kIdlePoll{5};

}  // namespace

void write_to_stderr(std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;  // a signal: the rest of the line still goes out
    if (n <= 0) return;                     // a closed or failing stderr loses the lines
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

ConsoleAsyncProvider::ConsoleAsyncProvider(std::size_t capacity, bool start_writer)
    : QueuedProvider(capacity, "console_async queue", kIdlePoll) {
  if (start_writer) start();
}

ConsoleAsyncProvider::~ConsoleAsyncProvider() {
  stop();
}

std::size_t ConsoleAsyncProvider::consume(Queue& queue) {
  out_.clear();
  std::size_t taken = 0;
  EncodedEvent event;
  while (out_.size() < kConsoleWriteBatch && queue.pop(event)) {
    try {
      decode(event, decoded_);
      format_console(decoded_.record, out_);
    } catch (...) {  // out of memory: this line is lost
    }
    release(event);
    ++taken;
  }
  write_to_stderr(out_);
  return taken;
}

}  // namespace coretel::events
