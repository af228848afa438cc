// console_async.h (internal): the console_async provider, a QueuedProvider
// (queued_provider.h) whose thread formats the queued records (console_format.h) and writes them
// to stderr, many lines per write(2).
//
// Thread-safety: QueuedProvider's.
#pragma once

#include <cstddef>
#include <string>

#include "queued_provider.h"

namespace coretel::events {

class ConsoleAsyncProvider final : public QueuedProvider {
 public:
  /// `capacity`: events the queue holds at most (1 to 65534). `start` false: the writer thread
  /// waits for start() (tests fill the queue first).
  explicit ConsoleAsyncProvider(std::size_t capacity, bool start = true);
  ~ConsoleAsyncProvider() override;

 private:
  std::size_t consume(Queue& queue) override;

  std::string out_;  // the writer's
  DecodedEvent decoded_;
};

/// Bytes of console lines formatted before one write(2): many lines per call, bounded memory
/// (console_async's writer, its's collector).
inline constexpr std::size_t kConsoleWriteBatch = 64 * 1024;

/// Writes all of `text` to stderr (EINTR retried); a closed or failing stderr loses the rest.
void write_to_stderr(std::string_view text) noexcept;

}  // namespace coretel::events
