#include "coretel/export/live_schema.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "coretel/collect/field_values.h"

#include "coretel/collect/self_metrics.h"

namespace coretel {

namespace {

// Ordered, so the document reads in resolved/2.0's field order.
using json = nlohmann::ordered_json;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view type_of(AttributeValueRef value) {
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

/// The semconv instrument of a coretel instrument (instrument_catalog.h).
constexpr std::string_view semconv_instrument(InstrumentKind kind) noexcept {
  return to_string(info(kind).semconv_instrument);
}

template <class Values>
json enum_type(const Values& values) {
  json members = json::array();
  for (std::string_view v : values)
    members.push_back(json{{"id", v}, {"value", v}, {"stability", "development"}});
  return json{{"members", std::move(members)}};
}

/// A set of coretel's own registry (registry/coretel, collect/self_metrics.h): every one of
/// them carries that registry's schema_url.
bool is_self_telemetry(const MetricsDescriptor& d) {
  return d.schema_url == ReporterMetrics::descriptor.schema_url;
}

json measurement_annotations() {
  return json{{"coretel", {{"measurement", true}}}};
}
json registration_annotations() {
  return json{{"coretel", {{"registration", true}}}};
}

// What the live series of one set say about one attribute key.
struct KeyUse {
  std::set<std::string_view> scalar_types;  // of entity and registration values
  bool measurement = false;
  std::vector<std::string_view> values;  // measurement values, first-seen order

  void add_values(std::span<const std::string_view> more) {
    measurement = true;
    for (std::string_view v : more)
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }

  json catalog_entry(const std::string& key) const {
    json type;
    if (scalar_types.empty()) {
      type = enum_type(values);
    } else if (scalar_types.size() == 1) {
      type = *scalar_types.begin();
      // Plain values beside the enum, which no longer describes the key: measurement values
      // are strings, so it is a string beside plain strings and mixed ("any") otherwise.
      if (measurement && type != "string") type = "any";
    } else {
      type = "any";
    }
    json entry = {
        {"key", key}, {"type", std::move(type)}, {"brief", ""}, {"stability", "development"}};
    if (scalar_types.empty()) entry["annotations"] = measurement_annotations();
    return entry;
  }
};

struct SetUse {
  const MetricsDescriptor* descriptor = nullptr;
  std::map<std::string, KeyUse, std::less<>> keys;
};

json declared_entry(const AttributeDescriptor& a) {
  json entry = {{"key", a.key}};
  if (a.type == "enum" && !a.members.empty()) {
    json members = json::array();
    for (const EnumMemberDescriptor& m : a.members) {
      members.push_back(
          json{{"id", m.id}, {"value", m.value}, {"stability", to_string(m.stability)}});
    }
    entry["type"] = json{{"members", std::move(members)}};
  } else if (a.type == "enum") {
    entry["type"] = enum_type(a.values);
  } else {
    entry["type"] = a.type;
  }
  entry["brief"] = a.brief;
  entry["stability"] = to_string(a.stability);
  if (a.measurement) entry["annotations"] = measurement_annotations();
  if (a.registration) entry["annotations"] = registration_annotations();
  return entry;
}

// Catalog entries, each distinct one once, in first-use order until finish() sorts them.
class Catalog {
 public:
  std::size_t intern(json entry) {
    auto [it, inserted] = index_.try_emplace(dump(entry), entries_.size());
    if (inserted) entries_.push_back(std::move(entry));
    return it->second;
  }

  /// Sorts the entries by key (stable: variants of a key keep first-use order) and returns the
  /// new index of every old one.
  std::vector<std::size_t> finish() {
    std::vector<std::size_t> order(entries_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return entries_[a].at("key").get_ref<const std::string&>() <
             entries_[b].at("key").get_ref<const std::string&>();
    });
    std::vector<std::size_t> renumber(order.size());
    std::vector<json> sorted;
    sorted.reserve(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      renumber[order[i]] = i;
      sorted.push_back(std::move(entries_[order[i]]));
    }
    entries_ = std::move(sorted);
    return renumber;
  }

  const std::vector<json>& entries() const { return entries_; }

 private:
  std::vector<json> entries_;
  std::map<std::string, std::size_t> index_;
};

// An attribute of a set, as a reference into the catalog.
struct CatalogAttribute {
  std::string key;
  std::size_t base;  // provisional catalog index until renumbered
  std::string_view requirement_level;
};

// The attributes of one set: declared ones first, then the undeclared keys its series use.
std::vector<CatalogAttribute> set_attributes(const SetUse& set, Catalog& catalog) {
  std::vector<CatalogAttribute> refs;
  std::set<std::string_view> declared;
  for (const AttributeDescriptor& a : set.descriptor->attributes) {
    if (!declared.insert(a.key).second) continue;
    refs.push_back(
        {std::string(a.key), catalog.intern(declared_entry(a)), to_string(a.requirement_level)});
  }
  for (const auto& [key, use] : set.keys)
    if (!declared.contains(key))
      refs.push_back(
          {key, catalog.intern(use.catalog_entry(key)), to_string(RequirementLevel::kRecommended)});
  std::sort(refs.begin(), refs.end(),
            [](const CatalogAttribute& a, const CatalogAttribute& b) { return a.key < b.key; });
  return refs;
}

json metric_json(const MetricsDescriptor& d, const MetricsField& f,
                 const std::vector<CatalogAttribute>& refs,
                 const std::vector<std::size_t>& renumber) {
  json attributes = json::array();
  for (const CatalogAttribute& r : refs)
    attributes.push_back(
        json{{"base", renumber[r.base]}, {"requirement_level", r.requirement_level}});
  json coretel = {{"metric_set", d.name}};
  if (to_string(f.kind) != semconv_instrument(f.kind)) coretel["instrument"] = to_string(f.kind);
  coretel["value_type"] = to_string(f.value_type);
  coretel["temporality"] = to_string(f.temporality);
  if (f.kind == InstrumentKind::kHistogram)
    coretel["bounds"] = std::vector<double>(f.bounds.begin(), f.bounds.end());
  if (f.kind == InstrumentKind::kExponentialHistogram)
    coretel["max_size"] = exponential_histogram_size(f);
  return json{{"name", f.name},
              {"instrument", semconv_instrument(f.kind)},
              {"unit", f.unit},
              {"attributes", std::move(attributes)},
              {"brief", f.brief},
              {"stability", to_string(f.stability)},
              {"annotations", {{"coretel", std::move(coretel)}}}};
}

}  // namespace

std::string render_live_schema(const SeriesRegistry& registry) {
  std::map<const MetricsDescriptor*, SetUse> by_descriptor;
  const SeriesRegistry::LiveSeries live = registry.live_series();  // pinned while we read
  for (const SeriesInfo* info : live.series) {
    SetUse& set = by_descriptor[info->descriptor];
    set.descriptor = info->descriptor;
    for (const auto& a : info->entity->attributes)
      set.keys[std::string(a.key)].scalar_types.insert(type_of(a.value));
    for (const auto& a : *info->registration)
      set.keys[std::string(a.key)].scalar_types.insert(type_of(a.value));
    for (const MeasurementAttributeDescriptor& m : info->measurement)
      set.keys[std::string(m.key)].add_values(m.values);
  }

  std::vector<const SetUse*> sets;
  for (const auto& [descriptor, set] : by_descriptor) sets.push_back(&set);
  std::stable_sort(sets.begin(), sets.end(), [](const SetUse* a, const SetUse* b) {
    return a->descriptor->name < b->descriptor->name;
  });

  Catalog catalog;
  std::vector<std::vector<CatalogAttribute>> refs;
  std::set<std::string_view> schema_urls, self_schema_urls;
  for (const SetUse* set : sets) {
    refs.push_back(set_attributes(*set, catalog));
    if (!set->descriptor->schema_url.empty()) {
      // coretel's self-metrics (the sets of registry/coretel) are the SDK's, not the application's:
      // their registry names the document only when no other set declares one.
      (is_self_telemetry(*set->descriptor) ? self_schema_urls : schema_urls)
          .insert(set->descriptor->schema_url);
    }
  }
  std::vector<std::size_t> renumber = catalog.finish();

  std::vector<json> metrics;
  for (std::size_t s = 0; s < sets.size(); ++s)
    for (const MetricsField& f : sets[s]->descriptor->fields)
      metrics.push_back(metric_json(*sets[s]->descriptor, f, refs[s], renumber));
  std::stable_sort(metrics.begin(), metrics.end(), [](const json& a, const json& b) {
    return a.at("name").get_ref<const std::string&>() < b.at("name").get_ref<const std::string&>();
  });

  json registry_metrics = json::array();
  json refinement_metrics = json::array();
  for (json& metric : metrics) {
    json refinement = {{"id", metric.at("name")}};
    refinement.update(metric);
    refinement_metrics.push_back(std::move(refinement));
    registry_metrics.push_back(std::move(metric));
  }

  json attribute_catalog = json::array();
  json registry_attributes = json::array();
  const std::string* previous_key = nullptr;
  for (std::size_t i = 0; i < catalog.entries().size(); ++i) {
    const json& entry = catalog.entries()[i];
    const std::string& key = entry.at("key").get_ref<const std::string&>();
    if (previous_key == nullptr || *previous_key != key) registry_attributes.push_back(i);
    previous_key = &key;
    attribute_catalog.push_back(entry);
  }

  json document = {{"file_format", "resolved/2.0"},
                   {"schema_url", schema_urls.size() == 1 ? *schema_urls.begin()
                                  : schema_urls.empty() && self_schema_urls.size() == 1
                                      ? *self_schema_urls.begin()
                                      : std::string_view()},
                   {"attribute_catalog", std::move(attribute_catalog)},
                   {"registry",
                    {{"attributes", std::move(registry_attributes)},
                     {"attribute_groups", json::array()},
                     {"spans", json::array()},
                     {"metrics", std::move(registry_metrics)},
                     {"events", json::array()},
                     {"entities", json::array()}}},
                   {"refinements",
                    {{"spans", json::array()},
                     {"metrics", std::move(refinement_metrics)},
                     {"events", json::array()},
                     {"entities", json::array()}}}};
  return dump(document);
}

}  // namespace coretel
