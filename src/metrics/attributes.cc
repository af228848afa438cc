#include "coretel/metrics/attributes.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "number_format.h"

namespace coretel {

std::string to_string(const AttributeValue& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const {
      std::string s;
      append_double(s, d, NonFiniteStyle::kAttribute);
      return s;
    }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

Attributes::Attributes(std::initializer_list<Attribute> list) : items_(list) {
  normalize();
}

Attributes::Attributes(std::vector<Attribute> list) : items_(std::move(list)) {
  normalize();
}

void Attributes::normalize() {
  std::sort(items_.begin(), items_.end(),
            [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].key.empty()) throw std::invalid_argument("attribute key is empty");
    if (i > 0 && items_[i].key == items_[i - 1].key)
      throw std::invalid_argument(fmt::format("attribute key '{}' appears twice", items_[i].key));
  }
}

const AttributeValue* Attributes::find(std::string_view key) const noexcept {
  auto it = std::lower_bound(items_.begin(), items_.end(), key,
                             [](const Attribute& a, std::string_view k) { return a.key < k; });
  return it != items_.end() && it->key == key ? &it->value : nullptr;
}

bool operator<(const Attributes& a, const Attributes& b) {
  return std::lexicographical_compare(a.items_.begin(), a.items_.end(), b.items_.begin(),
                                      b.items_.end(), [](const Attribute& x, const Attribute& y) {
                                        if (x.key != y.key) return x.key < y.key;
                                        return x.value < y.value;
                                      });
}

}  // namespace coretel
