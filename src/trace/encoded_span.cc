#include "encoded_span.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "../common/byte_reader.h"

namespace coretel::detail {

using namespace coretel::trace;

namespace {

enum : uint8_t { kString = 0, kInt = 1, kDouble = 2, kBool = 3 };

struct Header {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  uint64_t start_time_unix_nano;
  uint64_t end_time_unix_nano;
  uint32_t dropped_attributes_count;
  uint32_t dropped_events_count;
  uint32_t dropped_links_count;
  uint32_t attribute_count;
  uint32_t event_count;
  uint8_t flags;
  bool remote;
  bool parent_remote;
  SpanKind kind;
  StatusCode status;
  uint8_t trace_state_members;
};
static_assert(std::is_trivially_copyable_v<Header>);

// Stores into `out` until the first write that does not fit; then it writes nothing more and
// failed() is true. The count of bytes used lives here (a register) until the end.
class Writer {
 public:
  explicit Writer(std::span<char> out) : data_(out.data()), size_(out.size()) {}
  void put(const void* p, std::size_t n) noexcept {
    if (n > size_ - used_) {
      failed_ = true;
      used_ = size_;
      return;
    }
    if (n != 0) std::memcpy(data_ + used_, p, n);  // an empty view may hold a null pointer
    used_ += n;
  }
  template <class T>
  void value(const T& v) noexcept {
    put(&v, sizeof(T));
  }
  void text(std::string_view s) noexcept {
    value(static_cast<uint32_t>(s.size()));
    put(s.data(), s.size());
  }
  void attributes(const std::vector<Attribute>& list) noexcept {
    for (const Attribute& a : list) {
      text(a.key);
      std::visit(
          [this](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              value(kString);
              text(v);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              value(kInt);
              value(v);
            } else if constexpr (std::is_same_v<T, double>) {
              value(kDouble);
              value(v);
            } else {
              value(kBool);
              value(static_cast<uint8_t>(v));
            }
          },
          a.value);
    }
  }
  bool failed() const noexcept { return failed_; }
  std::size_t used() const noexcept { return used_; }

 private:
  char* data_;
  std::size_t size_;
  std::size_t used_ = 0;
  bool failed_ = false;
};

class Reader {
 public:
  explicit Reader(std::span<const char> in) : p_(in.data()) {}
  template <class T>
  T value() noexcept {
    return read_and_advance<T>(p_);
  }
  std::string_view text() noexcept {
    const auto n = value<uint32_t>();
    const std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  // Into `out`, its strings reused where the types match.
  void attributes(std::vector<Attribute>& out, std::size_t count) {
    out.resize(count);
    for (Attribute& a : out) {
      a.key.assign(text());
      switch (value<uint8_t>()) {
        case kString:
          if (auto* s = std::get_if<std::string>(&a.value)) {
            s->assign(text());
          } else {
            a.value.emplace<std::string>(text());
          }
          break;
        case kInt:
          a.value = value<int64_t>();
          break;
        case kDouble:
          a.value = value<double>();
          break;
        default:
          a.value = value<uint8_t>() != 0;
          break;
      }
    }
  }

 private:
  const char* p_;
};

}  // namespace

std::size_t encode(const SpanData& span, std::span<char> out) noexcept {
  if (!span.links.empty()) return 0;
  const TraceState::Members& members = span.context.trace_state.members();
  if (members.size() > 255 || span.attributes.size() > UINT32_MAX ||
      span.events.size() > UINT32_MAX)
    return 0;
  Writer w(out);
  w.value(Header{.trace_id = span.context.trace_id,
                 .span_id = span.context.span_id,
                 .parent_span_id = span.parent_span_id,
                 .start_time_unix_nano = span.start_time_unix_nano,
                 .end_time_unix_nano = span.end_time_unix_nano,
                 .dropped_attributes_count = span.dropped_attributes_count,
                 .dropped_events_count = span.dropped_events_count,
                 .dropped_links_count = span.dropped_links_count,
                 .attribute_count = static_cast<uint32_t>(span.attributes.size()),
                 .event_count = static_cast<uint32_t>(span.events.size()),
                 .flags = span.context.flags,
                 .remote = span.context.remote,
                 .parent_remote = span.parent_remote,
                 .kind = span.kind,
                 .status = span.status,
                 .trace_state_members = static_cast<uint8_t>(members.size())});
  w.text(span.name);
  w.text(span.scope);
  w.text(span.status_description);
  for (const auto& [key, value] : members) {
    w.text(key);
    w.text(value);
  }
  w.attributes(span.attributes);
  for (const SpanEvent& e : span.events) {
    if (e.attributes.size() > UINT32_MAX) return 0;
    w.text(e.name);
    w.value(e.time_unix_nano);
    w.value(e.dropped_attributes_count);
    w.value(static_cast<uint32_t>(e.attributes.size()));
    w.attributes(e.attributes);
  }
  return w.failed() ? 0 : w.used();
}

void decode(std::span<const char> in, SpanData& out) {
  Reader r(in);
  const auto h = r.value<Header>();
  out.name.assign(r.text());
  out.scope.assign(r.text());
  out.status_description.assign(r.text());
  TraceState state;
  if (h.trace_state_members != 0) {
    // Members newest first: rebuilt oldest first, each with() putting its member in front.
    std::vector<std::pair<std::string_view, std::string_view>> members(h.trace_state_members);
    for (auto& [key, value] : members) {
      key = r.text();
      value = r.text();
    }
    for (auto it = members.rbegin(); it != members.rend(); ++it)
      if (std::optional<TraceState> next = state.with(it->first, it->second))
        state = std::move(*next);
  }
  out.context = SpanContext{.trace_id = h.trace_id,
                            .span_id = h.span_id,
                            .flags = h.flags,
                            .trace_state = std::move(state),
                            .remote = h.remote};
  out.parent_span_id = h.parent_span_id;
  out.parent_remote = h.parent_remote;
  out.kind = h.kind;
  out.status = h.status;
  out.start_time_unix_nano = h.start_time_unix_nano;
  out.end_time_unix_nano = h.end_time_unix_nano;
  out.dropped_attributes_count = h.dropped_attributes_count;
  out.dropped_events_count = h.dropped_events_count;
  out.dropped_links_count = h.dropped_links_count;
  r.attributes(out.attributes, h.attribute_count);
  out.events.resize(h.event_count);
  for (SpanEvent& e : out.events) {
    e.name.assign(r.text());
    e.time_unix_nano = r.value<uint64_t>();
    e.dropped_attributes_count = r.value<uint32_t>();
    const auto count = r.value<uint32_t>();
    r.attributes(e.attributes, count);
  }
  out.links.clear();
}

}  // namespace coretel::detail
