#include "coretel/export/live_schema.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace coretel {

namespace {

using nlohmann::json;

std::string_view type_of(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return "string";
    case 1:
      return "int";
    case 2:
      return "double";
    default:
      return "boolean";
  }
}

// The attribute keys of one kind on one metric set, with their value type.
using KeyTypes = std::map<std::string, std::string, std::less<>>;

void note(KeyTypes& keys, const std::string& key, std::string_view type) {
  auto [it, inserted] = keys.try_emplace(key, type);
  if (!inserted && it->second != type) it->second = "mixed";
}

json key_list(const KeyTypes& keys) {
  json list = json::array();
  for (const auto& [key, type] : keys) list.push_back(json{{"key", key}, {"type", type}});
  return list;
}

struct SetSchema {
  const MetricsDescriptor* descriptor;
  KeyTypes entity, registration;
  std::map<std::string, std::vector<std::string_view>, std::less<>> measurement;
};

struct AttributeSchema {
  std::string type;
  std::set<std::string> kinds;
  std::vector<std::string_view> values;  // measurement attributes only
};

}  // namespace

std::string render_live_schema(const SeriesRegistry& registry) {
  std::map<const MetricsDescriptor*, SetSchema> sets;
  std::map<std::string, AttributeSchema, std::less<>> attributes;
  auto note_attribute = [&](const std::string& key, std::string_view type, const char* kind) {
    auto [it, inserted] = attributes.try_emplace(key);
    if (inserted) {
      it->second.type = type;
    } else if (it->second.type != type) {
      it->second.type = "mixed";
    }
    it->second.kinds.insert(kind);
    return &it->second;
  };

  for (const auto& info : registry.live_series()) {
    SetSchema& set = sets[info->descriptor];
    set.descriptor = info->descriptor;
    if (info->entity != nullptr)
      for (const Attribute& a : info->entity->attributes) {
        note(set.entity, a.key, type_of(a.value));
        note_attribute(a.key, type_of(a.value), "entity");
      }
    for (const Attribute& a : info->registration) {
      note(set.registration, a.key, type_of(a.value));
      note_attribute(a.key, type_of(a.value), "registration");
    }
    for (const auto& m : info->measurement) {
      std::string key(m.key);
      set.measurement[key].assign(m.values.begin(), m.values.end());
      AttributeSchema* schema = note_attribute(key, "string", "measurement");
      for (std::string_view v : m.values)
        if (std::find(schema->values.begin(), schema->values.end(), v) == schema->values.end())
          schema->values.push_back(v);
    }
  }

  std::vector<const SetSchema*> ordered;
  for (const auto& [descriptor, set] : sets) ordered.push_back(&set);
  std::sort(ordered.begin(), ordered.end(), [](const SetSchema* a, const SetSchema* b) {
    return a->descriptor->name < b->descriptor->name;
  });

  json metric_sets = json::array();
  for (const SetSchema* set : ordered) {
    const MetricsDescriptor& d = *set->descriptor;
    json fields = json::array();
    for (const MetricsField& f : d.fields) {
      json field = {{"name", f.name},
                    {"unit", f.unit},
                    {"brief", f.brief},
                    {"instrument", to_string(f.kind)},
                    {"temporality", to_string(f.temporality)},
                    {"value_type", to_string(f.value_type)},
                    {"stability", to_string(f.stability)}};
      if (f.kind == InstrumentKind::kHistogram)
        field["bounds"] = std::vector<double>(f.bounds.begin(), f.bounds.end());
      fields.push_back(std::move(field));
    }
    json measurement = json::array();
    for (const auto& [key, values] : set->measurement) {
      json list = json::array();
      for (std::string_view v : values) list.push_back(v);
      measurement.push_back(json{{"key", key}, {"type", "string"}, {"values", std::move(list)}});
    }
    metric_sets.push_back(json{{"name", d.name},
                               {"brief", d.brief},
                               {"stability", to_string(d.stability)},
                               {"fields", std::move(fields)},
                               {"entity_attributes", key_list(set->entity)},
                               {"registration_attributes", key_list(set->registration)},
                               {"measurement_attributes", std::move(measurement)}});
  }

  json attribute_list = json::array();
  for (const auto& [key, schema] : attributes) {
    json entry = {{"key", key}, {"type", schema.type}, {"kinds", schema.kinds}};
    if (schema.kinds.contains("measurement")) {
      json values = json::array();
      for (std::string_view v : schema.values) values.push_back(v);
      entry["values"] = std::move(values);
    }
    attribute_list.push_back(std::move(entry));
  }

  json document = {{"file_format", "coretel-live-schema/1"},
                   {"metric_sets", std::move(metric_sets)},
                   {"attributes", std::move(attribute_list)}};
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace coretel
