// slot_table.h (internal): SlotTable, records in place by 32-bit slot, for the registry.
//
// Records live in chunks of kChunk, allocated as the slots grow and kept until the table goes:
// a record never moves (holders keep plain pointers to it) and is not a heap block of its own
// (no malloc header, no per-record allocation). Freed slots are reused last-freed first; a freed
// record is reset to T{}, releasing what it owned.
//
// Not thread-safe: the registry calls it under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace coretel::detail {

template <class T, std::size_t kChunk = 256>
class SlotTable {
 public:
  T& operator[](uint32_t slot) noexcept { return chunks_[slot / kChunk][slot % kChunk]; }
  const T& operator[](uint32_t slot) const noexcept {
    return chunks_[slot / kChunk][slot % kChunk];
  }
  /// Slots made so far (free or not): every slot is below this.
  uint32_t size() const noexcept { return size_; }

  /// A free slot, its record T{}. Throws std::bad_alloc (nothing is then taken).
  uint32_t take() {
    if (!free_.empty()) {
      const uint32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    if (size_ == chunks_.size() * kChunk) {
      if (chunks_.size() == chunks_.capacity()) chunks_.reserve(chunks_.size() * 2 + 4);
      chunks_.push_back(std::make_unique<T[]>(kChunk));
    }
    return size_++;
  }
  /// Resets the record of `slot` and frees the slot. Out of memory, the slot is lost rather than
  /// reused.
  void give_back(uint32_t slot) noexcept {
    (*this)[slot] = T{};
    try {
      free_.push_back(slot);
    } catch (const std::bad_alloc&) {
    }
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::vector<uint32_t> free_;
  uint32_t size_ = 0;
};

}  // namespace coretel::detail
