#include "encoded_event.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/byte_reader.h"
#include "coretel/export/utf8.h"

namespace coretel::events {

namespace {

enum : uint8_t { kString = 0, kInt = 1, kDouble = 2, kBool = 3 };

// Writes into the block; the count of bytes used lives here (a register: the memcpy calls
// cannot alias it) until finish() stores it.
class Writer {
 public:
  explicit Writer(EncodedEvent& e) : e_(e), data_(e.bytes.data()) {}
  std::size_t room() const noexcept { return EncodedEvent::kBytes - used_; }
  void put(const void* p, std::size_t n) noexcept {
    if (n == 0) return;  // an empty view may hold a null pointer: not for memcpy
    std::memcpy(data_ + used_, p, n);
    used_ += n;
  }
  void u8(uint8_t v) noexcept { data_[used_++] = static_cast<char>(v); }
  void u16(uint16_t v) noexcept { put(&v, 2); }
  // A text with a `width`-byte length, cut to what fits in `limit` bytes (length included).
  void text(std::string_view s, std::size_t width, std::size_t limit) noexcept {
    const std::size_t max =
        std::min(limit - width, width == 1 ? std::size_t{255} : std::size_t{65535});
    if (s.size() > max) {
      s = utf8_prefix(s, max);
      cut_ = true;
    }
    if (width == 1) {
      u8(static_cast<uint8_t>(s.size()));
    } else {
      u16(static_cast<uint16_t>(s.size()));
    }
    put(s.data(), s.size());
  }
  void finish() noexcept { e_.used = static_cast<uint16_t>(used_); }
  bool cut() const noexcept { return cut_; }

 private:
  EncodedEvent& e_;
  char* data_;
  std::size_t used_ = 0;
  bool cut_ = false;
};

std::atomic<std::size_t> spill_bytes{0};

class Reader {
 public:
  explicit Reader(const EncodedEvent& e) : p_(e.bytes.data()) {}
  template <class T>
  T get() noexcept {
    return detail::read_and_advance<T>(p_);
  }
  std::string_view text(std::size_t width) noexcept {
    const std::size_t n = width == 1 ? get<uint8_t>() : get<uint16_t>();
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }

 private:
  const char* p_;
};

}  // namespace

// One heap block a spilled record: this header, the record's attributes (AttributeRef, views)
// and then its text, all the views pointing into the block. One allocation and one free (on
// the consumer's thread, where a record of many strings freed string by string contended for
// the emitting thread's malloc arena).
struct SpilledRecord {
  std::size_t bytes = 0;  // counted against the spill budget
  EventRecord record;     // views into this block
};

namespace {

static_assert(std::is_trivially_destructible_v<AttributeRef>);
constexpr std::size_t kRefsOffset = (sizeof(SpilledRecord) + alignof(AttributeRef) - 1) /
                                    alignof(AttributeRef) * alignof(AttributeRef);

std::size_t text_bytes(const EventRecord& r) noexcept {
  std::size_t n = r.name.size() + r.scope.size() + r.severity_text.size() + r.body.size();
  for (const AttributeRef& a : r.attributes) {
    n += a.key.size();
    if (const auto* s = std::get_if<std::string_view>(&a.value)) n += s->size();
  }
  return n;
}

// Copies `s` to `at` and returns the copy's view; advances `at`. An empty view still points
// into the block: the encoders memcpy from a view's data() whatever its size.
std::string_view copy_text(std::string_view s, char*& at) noexcept {
  if (s.empty()) return {at, 0};
  std::memcpy(at, s.data(), s.size());
  const std::string_view copy(at, s.size());
  at += s.size();
  return copy;
}

}  // namespace

bool spill(const EventRecord& record, EncodedEvent& out) noexcept {
  const std::size_t text = text_bytes(record);
  // Counted against kMaxSpilledBytes and the budget: the text, and 8 bytes an attribute.
  const std::size_t bytes = text + 8 * record.attributes.size();
  if (bytes > kMaxSpilledBytes) return false;
  std::size_t held = spill_bytes.load(std::memory_order_relaxed);
  do {
    if (held + bytes > kSpillBudget) return false;
  } while (!spill_bytes.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
  const std::size_t n = record.attributes.size();
  void* block = ::operator new(kRefsOffset + n * sizeof(AttributeRef) + text, std::nothrow);
  if (block == nullptr) {  // out of memory: the record is cut instead
    spill_bytes.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }
  auto* s = new (block) SpilledRecord{.bytes = bytes, .record = record};
  auto* refs = reinterpret_cast<AttributeRef*>(static_cast<char*>(block) + kRefsOffset);
  char* at = reinterpret_cast<char*>(refs + n);
  s->record.name = copy_text(record.name, at);
  s->record.scope = copy_text(record.scope, at);
  s->record.severity_text = copy_text(record.severity_text, at);
  s->record.body = copy_text(record.body, at);
  for (std::size_t i = 0; i < n; ++i) {
    const AttributeRef& a = record.attributes[i];
    const std::string_view key = copy_text(a.key, at);
    if (const auto* v = std::get_if<std::string_view>(&a.value)) {
      new (refs + i) AttributeRef{key, copy_text(*v, at)};
    } else {
      new (refs + i) AttributeRef{key, a.value};
    }
  }
  s->record.attributes = std::span<const AttributeRef>(refs, n);
  release(out);
  out.spilled = s;
  return true;
}

void release(EncodedEvent& event) noexcept {
  if (event.spilled == nullptr) return;
  spill_bytes.fetch_sub(event.spilled->bytes, std::memory_order_relaxed);
  event.spilled->~SpilledRecord();
  ::operator delete(event.spilled);
  event.spilled = nullptr;
}

std::size_t spilled_bytes() noexcept {
  return spill_bytes.load(std::memory_order_relaxed);
}

void forget_spills_after_fork() noexcept {
  spill_bytes.store(0, std::memory_order_relaxed);
}

bool encode(const EventRecord& record, uint8_t aspect, EncodedEvent& out) noexcept {
  out.spilled = nullptr;
  out.time_unix_nano = record.time_unix_nano;
  out.observed_time_unix_nano = record.observed_time_unix_nano;
  out.trace = record.trace;
  out.severity = record.severity;
  out.aspect = aspect;
  uint16_t attributes = 0, dropped = 0;
  Writer w(out);
  w.text(record.name, 1, 1 + EncodedEvent::kMaxNameBytes);
  w.text(record.scope, 1, 1 + EncodedEvent::kMaxNameBytes);
  w.text(record.severity_text, 1, 1 + EncodedEvent::kMaxSeverityTextBytes);
  // The body takes at most half of what is left, the attributes the rest.
  w.text(record.body, 2, 2 + (w.room() - 2) / 2);
  for (const AttributeRef& a : record.attributes) {
    const std::size_t key = std::min<std::size_t>(a.key.size(), 255);
    std::size_t need = 1 + key + 1;
    const auto* s = std::get_if<std::string_view>(&a.value);
    if (s != nullptr) {
      need += 2 + s->size();
    } else {
      need += std::holds_alternative<bool>(a.value) ? 1 : 8;
    }
    if (need > w.room() || a.key.size() > 255) {
      ++dropped;
      continue;
    }
    w.text(a.key, 1, 1 + 255);
    if (s != nullptr) {
      w.u8(kString);
      w.text(*s, 2, 2 + s->size());
    } else if (const auto* i = std::get_if<int64_t>(&a.value)) {
      w.u8(kInt);
      w.put(i, 8);
    } else if (const auto* d = std::get_if<double>(&a.value)) {
      w.u8(kDouble);
      w.put(d, 8);
    } else {
      w.u8(kBool);
      w.u8(std::get<bool>(a.value) ? 1 : 0);
    }
    ++attributes;
  }
  w.finish();
  out.attribute_count = attributes;
  out.dropped_attributes = dropped;
  return dropped == 0 && !w.cut();
}

void decode(const EncodedEvent& event, DecodedEvent& out) {
  if (event.spilled != nullptr) {
    out.record = event.spilled->record;
    out.attributes.clear();
    return;
  }
  Reader r(event);
  out.record = EventRecord{};
  out.record.time_unix_nano = event.time_unix_nano;
  out.record.observed_time_unix_nano = event.observed_time_unix_nano;
  out.record.trace = event.trace;
  out.record.severity = event.severity;
  out.record.name = r.text(1);
  out.record.scope = r.text(1);
  out.record.severity_text = r.text(1);
  out.record.body = r.text(2);
  out.attributes.clear();
  for (uint16_t i = 0; i < event.attribute_count; ++i) {
    const std::string_view key = r.text(1);
    switch (r.get<uint8_t>()) {
      case kString:
        out.attributes.push_back({key, r.text(2)});
        break;
      case kInt:
        out.attributes.push_back({key, r.get<int64_t>()});
        break;
      case kDouble:
        out.attributes.push_back({key, r.get<double>()});
        break;
      default:
        out.attributes.push_back({key, r.get<uint8_t>() != 0});
    }
  }
  out.record.attributes = out.attributes;
  out.record.dropped_attributes_count = event.dropped_attributes;
}

}  // namespace coretel::events
