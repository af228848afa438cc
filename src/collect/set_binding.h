// set_binding.h (internal): what a Reporter keeps per registered set.
//
// Lives in the registration's block, right after the set (Reporter::bind allocates the block,
// Reporter::unbind frees it); a Registration holds a pointer to it and to the set. Read and
// written by the owning thread (reports), and by unbind() under the reporter's bindings mutex
// (reporter.h's thread-safety rules).
#pragma once

#include <cstddef>
#include <cstdint>

#include "coretel/collect/reporter.h"
#include "coretel/collect/series.h"

namespace coretel::detail {

struct SetBinding {
  // Owned by the registry, which frees it only after unregistration (registry.h): valid for the
  // binding's whole life.
  const SeriesInfo* info = nullptr;
  std::byte* base = nullptr;  // combination 0
  // Touched-combination bitmap of a MeasuredSet above kTouchedBitmapAbove combinations, else
  // null (every combination is checked on a report).
  uint64_t* touched = nullptr;
  // Last value sent of each current-value scalar (gauges, up-down counters, observed totals),
  // per combination x field, in the same block after this binding; null when the set has none
  // (counter-only sets pay nothing for it).
  uint64_t* shadow = nullptr;
  const SetType* type = nullptr;
  uint32_t stride = 0;  // bytes between combinations
  uint32_t index = 0;   // position in Reporter::bindings_ (O(1) unbind)

  /// The block: the set object starts it.
  std::byte* storage() noexcept { return reinterpret_cast<std::byte*>(this) - set_bytes(*type); }
  /// Bytes from the block's start to the binding.
  static constexpr std::size_t set_bytes(const SetType& type) noexcept {
    return (type.size + alignof(SetBinding) - 1) / alignof(SetBinding) * alignof(SetBinding);
  }
  static constexpr std::size_t block_align(const SetType& type) noexcept {
    return type.align > alignof(SetBinding) ? type.align : alignof(SetBinding);
  }
};

}  // namespace coretel::detail
