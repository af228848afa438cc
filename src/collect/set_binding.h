// set_binding.h (internal): what a Reporter keeps per registered set.
//
// Owned by its Reporter (Reporter::bindings_), created by Reporter::bind() and destroyed by
// Reporter::unbind(); a Registration holds a pointer to it and the set's storage. Read and
// written by the owning thread under the reporter's bindings mutex (reporter.h's
// thread-safety rules).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "coretel/collect/series.h"

namespace coretel::detail {

struct SetBinding {
  std::shared_ptr<const SeriesInfo> info;
  std::byte* base = nullptr;    // combination 0
  std::size_t stride = 0;       // bytes between combinations
  uint64_t* touched = nullptr;  // touched-combination bitmap of a MeasuredSet, else null
  // Last value sent of each current-value scalar (gauges, up-down counters, observed totals),
  // per combination x field; empty when the set has none (counter-only sets pay nothing for it).
  std::vector<uint64_t> shadow;
  std::size_t index = 0;  // position in Reporter::bindings_ (O(1) unbind)
  void (*destroy)(std::byte*) = nullptr;
  std::byte* storage = nullptr;  // owned set object
};

}  // namespace coretel::detail
