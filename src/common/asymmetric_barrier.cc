#include "asymmetric_barrier.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace coretel::detail {

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool kMembarrierAllowed = false;
#else
constexpr bool kMembarrierAllowed = true;
#endif

bool membarrier_registered() noexcept {
  static const bool registered =
      kMembarrierAllowed &&
      ::syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  return registered;
}

}  // namespace

std::atomic<bool> light_fences{false};

bool use_light_fences() noexcept {
  if (membarrier_registered()) light_fences.store(true, std::memory_order_relaxed);
  return light_fences.load(std::memory_order_relaxed);
}

void heavy_barrier() noexcept {
  if (light_fences.load(std::memory_order_relaxed))
    (void)::syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

}  // namespace coretel::detail
