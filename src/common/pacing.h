// pacing.h (internal): when a consumer thread that drains per-thread queues should wake itself
// next, so that in steady traffic the producing (engine) threads never have to wake it: waking a
// sleeping thread is a system call on the waker (in a VM, an interrupt sent through the
// hypervisor). Shared by the batch span processor's export thread and the `its` collector.
// Consumer thread only, once a pass.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace coretel::detail {

/// The wait until `target` items are due at the rate of the last pass (`taken` items arrived in
/// `elapsed`), 1 ms at the soonest; `idle` (the consumer's usual interval) when the pass took
/// less than half of `target` (no steady traffic) or when the rate would not bring `target`
/// within `idle`. A result below `idle` means the consumer is pacing itself.
inline std::chrono::nanoseconds paced_wait(std::size_t taken, std::size_t target,
                                           std::chrono::nanoseconds elapsed,
                                           std::chrono::nanoseconds idle) {
  if (taken == 0 || taken * 2 < target || elapsed.count() <= 0) return idle;
  // In double: elapsed x target overflows int64 nanoseconds past about 1.6 days.
  const double at_rate = static_cast<double>(elapsed.count()) * static_cast<double>(target) /
                         static_cast<double>(taken);
  if (at_rate >= static_cast<double>(idle.count())) return idle;
  return std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds(static_cast<int64_t>(at_rate)),
                                            std::chrono::milliseconds(1));
}

}  // namespace coretel::detail
