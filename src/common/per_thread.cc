#include "per_thread.h"

#include <utility>

namespace coretel::detail {

namespace {

std::atomic<uint64_t> next_id{1};

// Set once the thread's ThreadSlots is gone: a later use (from another thread_local's
// destructor) has nowhere to keep a slot.
thread_local constinit bool thread_ending = false;

// The calling thread's slots, one per owner it used; their deleters mark them orphaned.
struct ThreadSlot {
  uint64_t owner;
  std::shared_ptr<void> slot;
  std::shared_ptr<const std::atomic<bool>> owner_alive;
};
struct ThreadSlots {
  std::vector<ThreadSlot> slots;
  ~ThreadSlots() {
    thread_ending = true;
    for (ThreadSlot& entry : slots) entry.slot.reset();
  }
};

ThreadSlots* thread_slots() noexcept {
  if (thread_ending) return nullptr;
  thread_local ThreadSlots mine;
  return &mine;
}

}  // namespace

uint64_t next_owner_id() noexcept {
  return next_id.fetch_add(1, std::memory_order_relaxed);
}

void* find_thread_slot(uint64_t owner) noexcept {
  ThreadSlots* mine = thread_slots();
  if (mine == nullptr) return nullptr;
  for (const ThreadSlot& entry : mine->slots)
    if (entry.owner == owner) return entry.slot.get();
  return nullptr;
}

bool keep_thread_slot(uint64_t owner, std::shared_ptr<void> slot,
                      std::shared_ptr<const std::atomic<bool>> owner_alive) {
  ThreadSlots* mine = thread_slots();
  if (mine == nullptr) return false;  // `slot`'s deleter marks it orphaned
  std::erase_if(mine->slots, [](const ThreadSlot& entry) {
    return !entry.owner_alive->load(std::memory_order_acquire);
  });
  mine->slots.push_back({owner, std::move(slot), std::move(owner_alive)});
  return true;
}

}  // namespace coretel::detail
