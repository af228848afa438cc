// attributes.h: attribute values and sets for entities (scope) and registrations.
//
// COLD PATH. Entity attributes identify the observed thing (core, transport, pipeline) and are
// exported as OTel scope attributes / Prometheus `otel_scope_*` labels; registration attributes
// are fixed per registration and go on every data point. Both are given once, at registration.
// Per-record attributes are bounded enums instead: see measurement.h.
// Types here are values: thread-compatible (const use from many threads is safe).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace coretel {

/// An attribute value: string, signed integer, double or boolean (OTel AnyValue scalars).
using AttributeValue = std::variant<std::string, int64_t, double, bool>;

struct Attribute {
  std::string key;
  AttributeValue value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
  friend auto operator<=>(const Attribute& a, const Attribute& b) { return a.key <=> b.key; }
};

/// Formats a value for people (the console exporter, error messages): strings as they are,
/// integers in decimal, doubles in the shortest round-trip form with non-finite values spelled
/// as in Prometheus label values ("0.5", "1e+20", "Infinity", "-Infinity", "NaN"), booleans as
/// true/false. The Prometheus and JSON exporters format values themselves
/// (prometheus_text.h: "Infinity"/"NaN" in label values; JSON: numbers, null when not finite).
std::string to_string(const AttributeValue& value);

/// An ordered set of attributes with unique keys, kept sorted by key so that two sets with the
/// same content compare equal whatever order they were written in.
class Attributes {
 public:
  Attributes() = default;
  /// Throws std::invalid_argument when a key is empty or appears twice.
  Attributes(std::initializer_list<Attribute> list);
  explicit Attributes(std::vector<Attribute> list);

  const std::vector<Attribute>& items() const noexcept { return items_; }
  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  auto begin() const noexcept { return items_.begin(); }
  auto end() const noexcept { return items_.end(); }
  /// nullptr when absent.
  const AttributeValue* find(std::string_view key) const noexcept;

  friend bool operator==(const Attributes&, const Attributes&) = default;
  friend bool operator<(const Attributes& a, const Attributes& b);

 private:
  void normalize();
  std::vector<Attribute> items_;
};

}  // namespace coretel
