// drops.h (internal): the process's count of events a provider could not take, by aspect and
// reason (provider.h: dropped_events()), and DropReporter, which says on stderr, at most once a
// second, how many events one bounded queue dropped since it last said so.
// Thread-safety: count_drop() from any thread (relaxed atomics); a DropReporter on one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "coretel/events/provider.h"

namespace coretel::events {

void count_drop(Aspect aspect, DropReason reason) noexcept;

class DropReporter {
 public:
  /// `what`: the bound that was reached, and its size ("console_async queue", 2048); `drops`:
  /// the count of events it dropped, which the reporter reads (and which must outlive it).
  DropReporter(std::string what, std::size_t size, const std::atomic<uint64_t>& drops)
      : what_(std::move(what)), size_(size), drops_(drops) {}
  /// Writes "coretel: N events dropped ..." when drops happened since the last line and a
  /// second passed since it (`now` = time_point::max(): now, whatever the time).
  void report_if_due(std::chrono::steady_clock::time_point now) noexcept;

 private:
  std::string what_;
  std::size_t size_;
  const std::atomic<uint64_t>& drops_;
  uint64_t reported_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace coretel::events
