// The per-thread kept attributes of attribute_buffers.h.
#include "attribute_buffers.h"

#include <string>
#include <utility>
#include <variant>

namespace coretel::detail {

namespace {

// std::string's inline capacity: a longer string lives on the heap.
const std::size_t kInline = std::string().capacity();

// The thread's kept attributes; reserved to kKeptAttributes on first use, never grown further.
thread_local std::vector<Attribute> kept;

bool on_heap(const std::string& s) noexcept {
  return s.capacity() > kInline;
}

}  // namespace

void clear_keeping_buffers(std::vector<Attribute>& list) noexcept {
  std::vector<Attribute>& pool = kept;
  // Last first: append_attribute() takes the last kept, so a span set like this one gets each
  // attribute's own buffers back in order (the same key lengths, the same value types).
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    Attribute& a = *it;
    const auto* text = std::get_if<std::string>(&a.value);
    const bool key_heap = on_heap(a.key);
    const bool text_heap = text != nullptr && on_heap(*text);
    if (!key_heap && !text_heap) continue;
    if (a.key.capacity() > kKeptBufferBytes ||
        (text != nullptr && text->capacity() > kKeptBufferBytes))
      continue;
    if (pool.capacity() == 0) {
      try {
        pool.reserve(kKeptAttributes);
      } catch (...) {  // out of memory: nothing is kept
        break;
      }
    }
    if (pool.size() == pool.capacity()) break;
    pool.push_back(std::move(a));  // within capacity: no allocation, no throw
  }
  list.clear();
}

Attribute& append_attribute(std::vector<Attribute>& list, std::size_t key_size,
                            std::size_t text_size) {
  if (key_size > kInline || text_size > kInline) {
    std::vector<Attribute>& pool = kept;
    if (!pool.empty()) {
      list.push_back(std::move(pool.back()));  // may throw: the kept one stays kept
      pool.pop_back();
      return list.back();
    }
  }
  return list.emplace_back();
}

}  // namespace coretel::detail
