// drops.h (internal): the process's count of events a provider could not take, by aspect and
// reason (provider.h: dropped_events()), and DropReporter, which says on stderr, at most once a
// second, how many were dropped since it last said so.
// Thread-safety: count_drop() from any thread (relaxed atomics); a DropReporter on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "coretel/events/provider.h"

namespace coretel::events {

void count_drop(Aspect aspect, DropReason reason) noexcept;
/// Every drop of `reason` so far, all aspects.
uint64_t drops_of(DropReason reason) noexcept;

class DropReporter {
 public:
  /// `what`: the bound that was reached, and its size ("console_async queue", 2048); reports
  /// the drops of `reason` from now on.
  DropReporter(std::string what, std::size_t size, DropReason reason)
      : what_(std::move(what)), size_(size), reason_(reason), reported_(drops_of(reason)) {}
  /// Writes "coretel: N events dropped ..." when drops happened since the last line and a
  /// second passed since it (`now` = time_point::max(): now, whatever the time).
  void report_if_due(std::chrono::steady_clock::time_point now) noexcept;

 private:
  std::string what_;
  std::size_t size_;
  DropReason reason_;
  uint64_t reported_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace coretel::events
