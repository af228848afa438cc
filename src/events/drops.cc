#include "drops.h"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

namespace coretel::events {

namespace {

constinit std::atomic<uint64_t> drops[kAspects][kDropReasons] = {};

}  // namespace

void count_drop(Aspect aspect, DropReason reason) noexcept {
  drops[static_cast<std::size_t>(aspect)][static_cast<std::size_t>(reason)].fetch_add(
      1, std::memory_order_relaxed);
}

uint64_t dropped_events(Aspect aspect, DropReason reason) noexcept {
  return drops[static_cast<std::size_t>(aspect)][static_cast<std::size_t>(reason)].load(
      std::memory_order_relaxed);
}

std::string_view to_string(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::kQueueFull:
      return "queue_full";
    case DropReason::kShutdown:
      return "shutdown";
    case DropReason::kExportFailed:
      return "export_failed";
  }
  return "queue_full";
}

void DropReporter::report_if_due(std::chrono::steady_clock::time_point now) noexcept {
  const uint64_t total = drops_.load(std::memory_order_relaxed);
  if (total == reported_) return;
  if (now != std::chrono::steady_clock::time_point::max() && now - last_ < std::chrono::seconds(1))
    return;
  try {
    const std::string line = fmt::format(
        "coretel: {} events dropped since the last report: the {} ({} events) was full "
        "(coretel::events::dropped_events counts them by aspect)\n",
        total - reported_, what_, size_);
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  } catch (...) {  // out of memory: the next report says it
    return;
  }
  reported_ = total;
  last_ =
      now == std::chrono::steady_clock::time_point::max() ? std::chrono::steady_clock::now() : now;
}

}  // namespace coretel::events
