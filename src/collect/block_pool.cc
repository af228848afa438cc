#include "block_pool.h"

#include <algorithm>
#include <new>

namespace coretel::detail {

namespace {
constexpr std::size_t kLine = 64;
constexpr std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}
}  // namespace

char* BlockPool::CacheLineAllocator::malloc(size_type bytes) {
  return static_cast<char*>(
      ::operator new (round_up(bytes, kLine), std::align_val_t{kLine}, std::nothrow));
}

void BlockPool::CacheLineAllocator::free(char* block) {
  ::operator delete (block, std::align_val_t{kLine});
}

std::byte* BlockPool::allocate(std::size_t bytes, std::size_t align) {
  if (!pooled(bytes, align))
    return static_cast<std::byte*>(
        // Whole lines: the block's last line holds no other allocation (another thread's data).
        ::operator new (round_up(bytes, kLine), std::align_val_t{align < kLine ? kLine : align}));
  const std::size_t size_class = class_of(bytes);
  std::unique_ptr<Pool>& pool = pools_[size_class];
  if (pool == nullptr) {
    const std::size_t chunk = (size_class + 1) * kGranule;
    // Grows from about 1 KiB, doubling up to about kChunkBytes per system allocation: a
    // reporter with a few sets holds a few KiB, one with thousands a slack under 64 KiB.
    pool =
        std::make_unique<Pool>(chunk, std::max<std::size_t>(1, 1024 / chunk), kChunkBytes / chunk);
  }
  void* block = pool->malloc();
  if (block == nullptr) throw std::bad_alloc();
  return static_cast<std::byte*>(block);
}

void BlockPool::deallocate(std::byte* block, std::size_t bytes, std::size_t align) noexcept {
  if (!pooled(bytes, align)) {
    ::operator delete (block, std::align_val_t{align < kLine ? kLine : align});
    return;
  }
  pools_[class_of(bytes)]->free(block);
}

}  // namespace coretel::detail
