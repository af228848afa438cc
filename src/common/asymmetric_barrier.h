// asymmetric_barrier.h (internal): the order between many frequent writers (engine threads
// handing a record to their own queue) and one rare stopper (a provider's or processor's stop()),
// without a full fence on the writers' side.
//
// A writer marks its `busy` flag, then reads `stopping` (busy_then_stopping()); the stopper sets
// `stopping` (seq_cst), then runs heavy_barrier(). Afterwards every writer either sees
// `stopping` or its `busy` flag is seen by the stopper, which then waits for it to clear before
// its last drain: a record racing a stop is drained or counted, never lost unseen.
//
// The writer orders its store before its load with a compiler barrier only; heavy_barrier() runs
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which makes every running thread of the process
// execute a full barrier (membarrier(2)). Where the kernel refuses membarrier (before Linux 4.14,
// or a seccomp filter), and under ThreadSanitizer (which does not model membarrier), the
// writer's store and load are seq_cst instead: correct, and slower.
//
// Thread-safety: functions of atomics; use_light_fences() once per owner, from any thread.
#pragma once

#include <atomic>

namespace coretel::detail {

/// Registers the process for membarrier (once) and reports whether the light writer side is in
/// use.
bool use_light_fences() noexcept;

extern std::atomic<bool> light_fences;  // set once membarrier is registered

/// Marks `busy` and then reads `stopping` (the writer's side).
inline bool busy_then_stopping(std::atomic<bool>& busy,
                               const std::atomic<bool>& stopping) noexcept {
  if (light_fences.load(std::memory_order_relaxed)) [[likely]] {
    busy.store(true, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return stopping.load(std::memory_order_relaxed);
  }
  busy.store(true, std::memory_order_seq_cst);
  return stopping.load(std::memory_order_seq_cst);
}

/// After `stopping` was set (seq_cst): every writer now sees it, or its busy flag is seen.
void heavy_barrier() noexcept;

}  // namespace coretel::detail
