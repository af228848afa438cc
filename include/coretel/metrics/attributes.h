// attributes.h: attribute values and sets for entities (scope) and registrations.
//
// COLD PATH. Entity attributes identify the observed thing (core, transport, pipeline) and are
// exported as OTel scope attributes / Prometheus `otel_scope_*` labels; registration attributes
// are fixed per registration and go on every data point. Both are given once, at registration.
// Per-record attributes are bounded enums instead: see measurement.h.
// Types here are values: thread-compatible (const use from many threads is safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace coretel {

/// An attribute value: string, signed integer, double or boolean (OTel AnyValue scalars).
using AttributeValue = std::variant<std::string, int64_t, double, bool>;

/// An attribute given by a user: an owned key and value.
struct Attribute {
  std::string key;
  AttributeValue value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
  friend auto operator<=>(const Attribute& a, const Attribute& b) { return a.key <=> b.key; }
};

/// A view of an attribute value (the string is not owned: it lives in the Attributes or the
/// AttributeValue it was taken from). Converts implicitly from an AttributeValue.
class AttributeValueRef : public std::variant<std::string_view, int64_t, double, bool> {
 public:
  using variant::variant;
  AttributeValueRef(const AttributeValue& value) noexcept;  // NOLINT: implicit on purpose
  /// An owned copy.
  AttributeValue to_value() const;
  /// Same type and value (an AttributeValue compares through its view).
  friend bool operator==(const AttributeValueRef& a, const AttributeValueRef& b) noexcept {
    return static_cast<const variant&>(a) == static_cast<const variant&>(b);
  }
};

/// A view of one attribute of an Attributes set.
struct AttributeRef {
  std::string_view key;
  AttributeValueRef value;
};

/// Formats a value for people (the console exporter, error messages): strings as they are,
/// integers in decimal, doubles in the shortest round-trip form with non-finite values spelled
/// as in Prometheus label values ("0.5", "1e+20", "Infinity", "-Infinity", "NaN"), booleans as
/// true/false. The Prometheus and JSON exporters format values themselves
/// (prometheus_text.h: "Infinity"/"NaN" in label values; JSON: numbers, null when not finite).
std::string to_string(AttributeValueRef value);

/// An ordered set of attributes with unique keys, kept sorted by key so that two sets with the
/// same content compare equal whatever order they were written in.
///
/// Packed: the keys and values are encoded back to back, inside the object up to kInlineBytes
/// (a key of about a dozen characters and a number) and in one heap block beyond, so a set costs
/// 32 bytes plus about its text, not a std::string and a std::variant per attribute (it is kept
/// once per entity and per registration). Iteration decodes views (AttributeRef) in
/// key order; find() is a linear scan. Keys are at most 65,535 bytes, string values at most
/// 4 GiB, a set at most 4 GiB. Equality compares the encoding: a NaN value equals itself, and
/// -0.0 differs from 0.0.
class Attributes {
 public:
  class iterator {
   public:
    using value_type = AttributeRef;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    AttributeRef operator*() const noexcept;
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

   private:
    friend class Attributes;
    explicit iterator(const std::byte* at) noexcept : at_(at) {}
    const std::byte* at_ = nullptr;
  };

  /// Encodings up to this size live inside the object.
  static constexpr std::size_t kInlineBytes = 24;

  Attributes() noexcept = default;
  /// Throws std::invalid_argument when a key is empty, too long or appears twice.
  Attributes(std::initializer_list<Attribute> list);
  explicit Attributes(std::vector<Attribute> list);
  Attributes(const Attributes& other);
  Attributes& operator=(const Attributes& other);
  Attributes(Attributes&& other) noexcept;
  Attributes& operator=(Attributes&& other) noexcept;
  ~Attributes();

  bool empty() const noexcept { return count_ == 0; }
  std::size_t size() const noexcept { return count_; }
  iterator begin() const noexcept { return iterator(data()); }
  iterator end() const noexcept { return iterator(data() + bytes_); }
  /// The value of `key`, or nullopt when absent.
  std::optional<AttributeValueRef> find(std::string_view key) const noexcept;
  /// Owned copies, in key order.
  std::vector<Attribute> to_vector() const;

  friend bool operator==(const Attributes& a, const Attributes& b) noexcept;
  /// By key, then value, attribute by attribute.
  friend bool operator<(const Attributes& a, const Attributes& b);

 private:
  bool on_heap() const noexcept { return bytes_ > kInlineBytes; }
  const std::byte* data() const noexcept { return on_heap() ? heap_ : inline_; }
  // Room for `bytes` of encoding (inline or a new heap block); sets bytes_.
  std::byte* allocate(std::size_t bytes);

  union {
    std::byte* heap_;  // bytes_ > kInlineBytes: owned, new[]
    std::byte inline_[kInlineBytes];
  };
  uint32_t bytes_ = 0;
  uint32_t count_ = 0;
};

}  // namespace coretel
