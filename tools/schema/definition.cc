#include "definition.h"

#include "resolved_registry.h"

namespace coretel::schema {

bool AttributeType::is_array() const noexcept {
  return value_type().ends_with("[]");
}

std::string AttributeType::value_type() const {
  if (is_template()) return name.substr(9, name.size() - 10);
  return name;
}

std::string_view to_string(GroupType type) noexcept {
  switch (type) {
    case GroupType::kAttributeGroup:
      return "attribute_group";
    case GroupType::kSpan:
      return "span";
    case GroupType::kEvent:
      return "event";
    case GroupType::kMetric:
      return "metric";
    case GroupType::kMetricGroup:
      return "metric_group";
    case GroupType::kEntity:
      return "entity";
    case GroupType::kScope:
      return "scope";
    case GroupType::kMissing:
      break;
  }
  return "";
}

std::string_view to_string(SignalKind kind) noexcept {
  switch (kind) {
    case SignalKind::kAttributeGroup:
      return "attribute_group";
    case SignalKind::kMetric:
      return "metric";
    case SignalKind::kSpan:
      return "span";
    case SignalKind::kEvent:
      return "event";
    case SignalKind::kEntity:
      return "entity";
  }
  return "";
}

const CatalogAttribute* ResolvedRegistry::find_attribute(std::string_view key) const {
  for (std::size_t index : attributes) {
    if (catalog[index].key == key) return &catalog[index];
  }
  return nullptr;
}

const Signal* ResolvedRegistry::find_metric(std::string_view name) const {
  for (const Signal& m : metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace coretel::schema
