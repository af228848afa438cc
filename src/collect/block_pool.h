// block_pool.h (internal): BlockPool, the per-owner pools that hold one small block per
// series: a Reporter's registration blocks (the set, its SetBinding, its current-value shadow:
// set_binding.h) and a Collector's per-series state (series_state.h).
//
// One boost::pool per size class of 16 bytes, up to kMaxPooledBytes, growing by chunks (from
// about 1 KiB, doubling up to about kChunkBytes) taken 64-byte aligned and whole cache lines
// long. So an owner's blocks are packed next to each other (no malloc header and no alignment
// padding per block), and a cache line never holds blocks of two owners: the sets of two
// reporters (two recording threads) never share one. Larger or over-aligned blocks go to the
// global operator new, aligned to a cache line.
//
// Freed blocks return to their class and are reused by the next block of that size; the memory
// goes back to the system when the pool is destroyed (the owner's blocks must be gone by then).
//
// Not thread-safe: the Reporter calls it under its bindings mutex, the Collector under its
// delta mutex.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include <boost/pool/pool.hpp>

namespace coretel::detail {

class BlockPool {
 public:
  static constexpr std::size_t kGranule = 16;
  static constexpr std::size_t kMaxPooledBytes = 1024;
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  /// A block of `bytes` aligned to `align`. Throws std::bad_alloc.
  std::byte* allocate(std::size_t bytes, std::size_t align);
  /// Returns a block from allocate() with the same `bytes` and `align`.
  void deallocate(std::byte* block, std::size_t bytes, std::size_t align) noexcept;

 private:
  // boost::pool's UserAllocator: whole cache lines, aligned to one.
  struct CacheLineAllocator {
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    static char* malloc(size_type bytes);
    static void free(char* block);
  };
  using Pool = boost::pool<CacheLineAllocator>;

  static bool pooled(std::size_t bytes, std::size_t align) noexcept {
    return bytes != 0 && bytes <= kMaxPooledBytes && align <= kGranule;
  }
  // Class k holds blocks of (k + 1) * kGranule bytes.
  static std::size_t class_of(std::size_t bytes) noexcept { return (bytes - 1) / kGranule; }
  std::array<std::unique_ptr<Pool>, kMaxPooledBytes / kGranule> pools_;  // by size class
};

}  // namespace coretel::detail
