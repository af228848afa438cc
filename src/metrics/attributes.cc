#include "coretel/metrics/attributes.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "number_format.h"

namespace coretel {

// The encoding of one attribute: key length (uint16), key, type tag (the AttributeValue index:
// string, int64, double, bool), then the value: uint32 length and bytes for a string, 8 bytes
// for an integer or a double, 1 for a boolean. Unaligned: read and written with memcpy.
namespace {

enum Tag : uint8_t { kString = 0, kInt = 1, kDouble = 2, kBool = 3 };
constexpr std::size_t kMaxKey = UINT16_MAX;

template <class T>
T load(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
std::byte* store(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
  return p + sizeof v;
}
std::byte* store_bytes(std::byte* p, std::string_view s) noexcept {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

std::size_t value_bytes(const AttributeValue& v) noexcept {
  switch (v.index()) {
    case kString:
      return sizeof(uint32_t) + std::get<std::string>(v).size();
    case kBool:
      return 1;
    default:
      return 8;
  }
}

// Decodes the attribute at `p`; `next` is set past it.
AttributeRef decode(const std::byte* p, const std::byte** next) noexcept {
  const auto key_len = load<uint16_t>(p);
  p += sizeof(uint16_t);
  std::string_view key(reinterpret_cast<const char*>(p), key_len);
  p += key_len;
  const auto tag = static_cast<Tag>(*p++);
  AttributeRef a{key, int64_t{0}};
  switch (tag) {
    case kString: {
      const auto len = load<uint32_t>(p);
      p += sizeof(uint32_t);
      a.value = std::string_view(reinterpret_cast<const char*>(p), len);
      p += len;
      break;
    }
    case kInt:
      a.value = load<int64_t>(p);
      p += 8;
      break;
    case kDouble:
      a.value = load<double>(p);
      p += 8;
      break;
    case kBool:
      a.value = *p != std::byte{0};
      p += 1;
      break;
  }
  *next = p;
  return a;
}

}  // namespace

AttributeValueRef::AttributeValueRef(const AttributeValue& value) noexcept
    : variant(std::visit(
          [](const auto& v) -> variant {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
              return std::string_view(v);
            else
              return v;
          },
          value)) {}

AttributeValue AttributeValueRef::to_value() const {
  return std::visit(
      [](const auto& v) -> AttributeValue {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>)
          return std::string(v);
        else
          return v;
      },
      static_cast<const variant&>(*this));
}

std::string to_string(AttributeValueRef value) {
  struct Visitor {
    std::string operator()(std::string_view s) const { return std::string(s); }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const {
      std::string s;
      append_double(s, d, NonFiniteStyle::kAttribute);
      return s;
    }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, static_cast<const AttributeValueRef::variant&>(value));
}

AttributeRef Attributes::iterator::operator*() const noexcept {
  const std::byte* next;
  return decode(at_, &next);
}

Attributes::iterator& Attributes::iterator::operator++() noexcept {
  decode(at_, &at_);
  return *this;
}

Attributes::Attributes(std::initializer_list<Attribute> list)
    : Attributes(std::vector<Attribute>(list)) {}

Attributes::Attributes(std::vector<Attribute> list) {
  std::sort(list.begin(), list.end(),
            [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& key = list[i].key;
    if (key.empty()) throw std::invalid_argument("attribute key is empty");
    if (key.size() > kMaxKey)
      throw std::invalid_argument(
          fmt::format("attribute key '{}...' is longer than {} bytes", key.substr(0, 32), kMaxKey));
    if (i > 0 && key == list[i - 1].key)
      throw std::invalid_argument(fmt::format("attribute key '{}' appears twice", key));
    bytes += sizeof(uint16_t) + key.size() + 1 + value_bytes(list[i].value);
  }
  if (bytes > UINT32_MAX) throw std::length_error("coretel: attribute set larger than 4 GiB");
  std::byte* p = allocate(bytes);
  for (const Attribute& a : list) {
    p = store(p, static_cast<uint16_t>(a.key.size()));
    p = store_bytes(p, a.key);
    *p++ = static_cast<std::byte>(a.value.index());
    switch (a.value.index()) {
      case kString: {
        const std::string& s = std::get<std::string>(a.value);
        p = store(p, static_cast<uint32_t>(s.size()));
        p = store_bytes(p, s);
        break;
      }
      case kInt:
        p = store(p, std::get<int64_t>(a.value));
        break;
      case kDouble:
        p = store(p, std::get<double>(a.value));
        break;
      default:
        *p++ = std::byte{std::get<bool>(a.value) ? uint8_t{1} : uint8_t{0}};
        break;
    }
  }
  count_ = static_cast<uint32_t>(list.size());
}

std::byte* Attributes::allocate(std::size_t bytes) {
  std::byte* p = bytes > kInlineBytes ? (heap_ = new std::byte[bytes]) : inline_;
  bytes_ = static_cast<uint32_t>(bytes);
  return p;
}

Attributes::Attributes(const Attributes& other) : count_(other.count_) {
  if (other.bytes_ != 0) std::memcpy(allocate(other.bytes_), other.data(), other.bytes_);
}

Attributes::Attributes(Attributes&& other) noexcept : bytes_(other.bytes_), count_(other.count_) {
  if (on_heap())
    heap_ = other.heap_;
  else if (bytes_ != 0)
    std::memcpy(inline_, other.inline_, bytes_);
  other.bytes_ = 0;
  other.count_ = 0;
}

Attributes& Attributes::operator=(const Attributes& other) {
  if (this != &other) *this = Attributes(other);
  return *this;
}

Attributes& Attributes::operator=(Attributes&& other) noexcept {
  if (this != &other) {
    this->~Attributes();
    new (this) Attributes(std::move(other));
  }
  return *this;
}

Attributes::~Attributes() {
  if (on_heap()) delete[] heap_;
}

std::optional<AttributeValueRef> Attributes::find(std::string_view key) const noexcept {
  for (AttributeRef a : *this)
    if (a.key == key) return a.value;
  return std::nullopt;
}

std::vector<Attribute> Attributes::to_vector() const {
  std::vector<Attribute> out;
  out.reserve(count_);
  for (AttributeRef a : *this) out.push_back({std::string(a.key), a.value.to_value()});
  return out;
}

bool operator==(const Attributes& a, const Attributes& b) noexcept {
  return a.bytes_ == b.bytes_ && a.count_ == b.count_ &&
         (a.bytes_ == 0 || std::memcmp(a.data(), b.data(), a.bytes_) == 0);
}

bool operator<(const Attributes& a, const Attributes& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(), [](const AttributeRef& x, const AttributeRef& y) {
        if (x.key != y.key) return x.key < y.key;
        return static_cast<const AttributeValueRef::variant&>(x.value) <
               static_cast<const AttributeValueRef::variant&>(y.value);
      });
}

}  // namespace coretel
