// id_table.h (internal): an open-addressing hash set of 32-bit ids, for the registry's indexes.
//
// The registry keeps its entities and series in vectors by id; an index over them only needs the
// ids. std::unordered_set spent a node (a 32-byte heap block) and a bucket pointer per entry;
// this table spends 4 bytes per slot, at most three quarters of the slots used (5.3 to 10.7 bytes
// per entry).
// Linear probing; erase shifts the following entries back (no tombstones), so a lookup never
// walks past the first empty slot.
//
// The table does not hash ids: the caller gives each entry's hash on insert and erase, and a
// `hash_of(id)` function when the table grows or shifts entries (the registry hashes the object
// the id names). Lookups take the key's hash and a predicate telling whether an id matches.
//
// Not thread-safe: the registry calls it under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace coretel::detail {

class IdTable {
 public:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  std::size_t size() const noexcept { return size_; }

  /// The id whose entry matches (`matches(id)` true) among those inserted with `hash`, or kEmpty.
  template <class Matches>
  uint32_t find(std::size_t hash, Matches&& matches) const {
    if (slots_.empty()) return kEmpty;
    for (std::size_t i = home(hash); slots_[i] != kEmpty; i = (i + 1) & mask())
      if (matches(slots_[i])) return slots_[i];
    return kEmpty;
  }

  /// Adds `id` (not present) with `hash`. `hash_of(id)` gives the hash of any present id, for
  /// growing. Throws std::bad_alloc (the table is then unchanged).
  template <class HashOf>
  void insert(uint32_t id, std::size_t hash, HashOf&& hash_of) {
    if (full()) grow(hash_of);
    std::size_t i = home(hash);
    while (slots_[i] != kEmpty) i = (i + 1) & mask();
    slots_[i] = id;
    ++size_;
  }

  /// Makes room for one more entry, so that the next insert() cannot throw. Throws
  /// std::bad_alloc (the table is then unchanged).
  template <class HashOf>
  void reserve_one(HashOf&& hash_of) {
    if (full()) grow(hash_of);
  }

  /// Removes `id`, present with `hash`; a no-op when absent.
  template <class HashOf>
  void erase(uint32_t id, std::size_t hash, HashOf&& hash_of) noexcept {
    if (slots_.empty()) return;
    std::size_t i = home(hash);
    while (slots_[i] != id) {
      if (slots_[i] == kEmpty) return;
      i = (i + 1) & mask();
    }
    // Backward shift: move later entries of the run into the hole when their home slot allows.
    for (std::size_t j = (i + 1) & mask(); slots_[j] != kEmpty; j = (j + 1) & mask()) {
      const std::size_t h = home(hash_of(slots_[j]));
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      const bool home_after_hole = i <= j ? (h > i && h <= j) : (h > i || h <= j);
      if (!home_after_hole) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = kEmpty;
    --size_;
  }

 private:
  std::size_t mask() const noexcept { return slots_.size() - 1; }
  // The home slot: the hash's bits mixed (the splitmix64 finalizer), so that hashes differing
  // only in high bits, such as std::hash of small integers combined, still spread.
  std::size_t home(std::size_t hash) const noexcept {
    uint64_t z = hash;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return static_cast<std::size_t>(z ^ (z >> 31)) & mask();
  }

  // Whether one more entry would use over three quarters of the slots (linear probing stays short
  // below that load).
  bool full() const noexcept { return (size_ + 1) * 4 > slots_.size() * 3; }
  template <class HashOf>
  void grow(HashOf&& hash_of) {
    std::vector<uint32_t> old(slots_.empty() ? 16 : slots_.size() * 2, kEmpty);
    old.swap(slots_);
    for (uint32_t id : old) {
      if (id == kEmpty) continue;
      std::size_t i = home(hash_of(id));
      while (slots_[i] != kEmpty) i = (i + 1) & mask();
      slots_[i] = id;
    }
  }

  std::vector<uint32_t> slots_;  // power-of-two size, or empty
  std::size_t size_ = 0;
};

}  // namespace coretel::detail
