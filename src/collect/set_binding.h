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
  const SetType* type = nullptr;
  uint32_t index = 0;  // position in Reporter::bindings_ (O(1) unbind)
  // Whether a current-value shadow follows this binding in the block: the last value sent of
  // each current-value scalar (gauges, up-down counters, observed totals), per combination x
  // field. Counter-only sets pay nothing for it.
  bool has_shadow = false;

  // Everything else is where the block's layout puts it (24 bytes of binding per registration):
  /// The block: the set object starts it.
  std::byte* storage() noexcept { return reinterpret_cast<std::byte*>(this) - set_bytes(*type); }
  const std::byte* storage() const noexcept {
    return reinterpret_cast<const std::byte*>(this) - set_bytes(*type);
  }
  /// Combination 0 (the object starts with it: SetType).
  std::byte* base() noexcept { return storage(); }
  const std::byte* base() const noexcept { return storage(); }
  /// Bytes between combinations.
  std::size_t stride() const noexcept { return type->stride; }
  /// Touched-combination bitmap of a MeasuredSet above kTouchedBitmapAbove combinations, else
  /// null (every combination is checked on a report).
  uint64_t* touched() noexcept {
    return type->touched_offset == 0
               ? nullptr
               : reinterpret_cast<uint64_t*>(storage() + type->touched_offset);
  }
  /// The shadow (see has_shadow), or null.
  uint64_t* shadow() noexcept {
    return has_shadow ? reinterpret_cast<uint64_t*>(this + 1) : nullptr;
  }
  const uint64_t* shadow() const noexcept {
    return has_shadow ? reinterpret_cast<const uint64_t*>(this + 1) : nullptr;
  }

  /// Bytes from the block's start to the binding.
  static constexpr std::size_t set_bytes(const SetType& type) noexcept {
    return (type.size + alignof(SetBinding) - 1) / alignof(SetBinding) * alignof(SetBinding);
  }
  static constexpr std::size_t block_align(const SetType& type) noexcept {
    return type.align > alignof(SetBinding) ? type.align : alignof(SetBinding);
  }
};
static_assert(sizeof(SetBinding) <= 24, "kept once per registration");

}  // namespace coretel::detail
