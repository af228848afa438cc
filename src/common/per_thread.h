// per_thread.h (internal): PerThread<Slot>, one Slot per thread that uses an owner (a provider,
// a processor), made at the thread's first use and kept until the thread ended and the owner
// let go of it. The engine-side pattern of the `its` events provider and the batch span
// processor: each emitting thread writes only into its own slot (a single-producer queue), and
// one collecting thread reads every slot.
//
//   PerThread<Ring> rings_;
//   Ring* ring = rings_.mine(capacity);   // hot path: one thread_local compare when cached
//   for (auto& ring : rings_.snapshot()) { ... if (ring->orphaned) rings_.forget(ring); }
//
// The thread's first call (the one cold step) takes a lock and allocates; later calls read a
// thread_local cache of the last owner the thread used (one cache per Slot type). When the
// thread ends, each of its slots gets `orphaned` set (release): the collector drains it and
// then forgets it. Slot must be constructible from std::size_t and have
// `std::atomic<bool> orphaned`.
//
// Thread-safety: mine() from any thread; snapshot() and forget() from any thread (a lock).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace coretel::detail {

/// A process-unique id for an owner (never 0): tells one owner's slots from another's in a
/// thread's cache, even when an owner is made at a dead one's address.
uint64_t next_owner_id() noexcept;
/// The slot this thread keeps for `owner`, or nullptr.
void* find_thread_slot(uint64_t owner) noexcept;
/// Keeps `slot` for this thread under `owner` until the thread ends (the deleter then runs) or,
/// once `owner_alive` is false, until the thread keeps its next slot (the entries of owners that
/// are gone are dropped then: a thread does not hoard the slots of dead owners). False when the
/// thread is already ending (its thread_local storage is being destroyed).
bool keep_thread_slot(uint64_t owner, std::shared_ptr<void> slot,
                      std::shared_ptr<const std::atomic<bool>> owner_alive);

template <class Slot>
class PerThread {
 public:
  PerThread() : id_(next_owner_id()), alive_(std::make_shared<std::atomic<bool>>(true)) {}
  ~PerThread() { alive_->store(false, std::memory_order_release); }
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  /// The calling thread's slot, made with `capacity` at the first call; nullptr when it cannot
  /// be (the thread is ending, or out of memory).
  Slot* mine(std::size_t capacity) noexcept {
    if (cache.owner == id_) [[likely]]
      return static_cast<Slot*>(cache.slot);
    return make(capacity);
  }

  /// Every slot not forgotten yet, the orphaned ones included.
  std::vector<std::shared_ptr<Slot>> snapshot() const {
    std::lock_guard lock(mutex_);
    return slots_;
  }
  /// Lets go of a slot (the collector, once an orphaned slot is drained).
  void forget(const std::shared_ptr<Slot>& slot) {
    std::lock_guard lock(mutex_);
    std::erase(slots_, slot);
  }

 private:
  struct Cache {
    uint64_t owner = 0;
    void* slot = nullptr;
  };
  // Plain data: no thread_local guard on the hot path. Cleared when the thread's slots go.
  static inline thread_local constinit Cache cache{};

  Slot* make(std::size_t capacity) noexcept {
    try {
      if (void* kept = find_thread_slot(id_)) {
        cache = {id_, kept};
        return static_cast<Slot*>(kept);
      }
      // The thread's entry holds the slot through a deleter that marks it orphaned; slots_
      // keeps it until the collector forgets it.
      auto slot = std::make_shared<Slot>(capacity);
      std::shared_ptr<void> entry(slot.get(), [keep = slot](void*) {
        cache = {};
        keep->orphaned.store(true, std::memory_order_release);
      });
      {
        std::lock_guard lock(mutex_);
        slots_.push_back(slot);
      }
      if (!keep_thread_slot(id_, std::move(entry), alive_)) return nullptr;  // orphaned already
      cache = {id_, slot.get()};
      return slot.get();
    } catch (...) {  // out of memory
      return nullptr;
    }
  }

  uint64_t id_;
  std::shared_ptr<std::atomic<bool>> alive_;  // false once this owner is destroyed
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Slot>> slots_;  // guarded by mutex_
};

}  // namespace coretel::detail
