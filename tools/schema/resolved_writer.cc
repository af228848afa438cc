#include "resolved_writer.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "yaml_values.h"

namespace coretel::schema {
namespace {

Json deprecated_json(const Deprecated& d) {
  Json out = {{"reason", d.reason}};
  if (!d.renamed_to.empty()) out["renamed_to"] = d.renamed_to;
  if (!d.note.empty()) out["note"] = d.note;
  return out;
}

Json type_json(const AttributeType& type) {
  if (!type.is_enum()) return type.name;
  Json members = Json::array();
  for (const EnumMember& m : type.members) {
    Json member = {{"id", m.id}, {"value", m.value}};
    if (!m.brief.empty()) member["brief"] = m.brief;
    if (!m.note.empty()) member["note"] = m.note;
    member["stability"] = stability_or_development(m.stability);
    if (m.deprecated) member["deprecated"] = deprecated_json(*m.deprecated);
    if (!m.annotations.empty()) member["annotations"] = m.annotations;
    members.push_back(std::move(member));
  }
  return {{"members", members}};
}

Json requirement_json(const Requirement& requirement) {
  const std::string level(to_string(requirement.level));
  if (requirement.text.empty()) return level;
  return {{level, requirement.text}};
}

Json attribute_json(const CatalogAttribute& a) {
  Json out = {{"key", a.key}, {"type", type_json(a.type)}};
  if (!a.examples.is_null()) out["examples"] = a.examples;
  out["brief"] = a.brief;
  out["stability"] = stability_or_development(a.stability);
  if (!a.note.empty()) out["note"] = a.note;
  if (a.deprecated) out["deprecated"] = deprecated_json(*a.deprecated);
  if (!a.annotations.empty()) out["annotations"] = a.annotations;
  return out;
}

Json refs_json(const std::vector<AttributeRef>& refs, const char* role) {
  Json out = Json::array();
  for (const AttributeRef& r : refs) {
    if (role && r.role != role) continue;
    Json ref = {{"base", r.base}, {"requirement_level", requirement_json(r.requirement_level)}};
    if (r.sampling_relevant) ref["sampling_relevant"] = *r.sampling_relevant;
    out.push_back(std::move(ref));
  }
  return out;
}

/// `entity_associations` as Weaver's v2 schemas have them: the `one_of` / `all_of` tree as
/// written, each leaf `{type}`, with `provenance: {source: <schema url>}` when a dependency
/// declares the entity (Weaver's materialized form; its resolved/2.0 writes an index into its
/// `dependencies` list instead).
Json associations_json(const std::vector<EntityAssociation>& associations) {
  Json out = Json::array();
  for (const EntityAssociation& a : associations) {
    if (a.kind == EntityAssociation::Kind::kEntity) {
      Json leaf = {{"type", a.entity}};
      if (!a.provenance.empty()) leaf["provenance"] = {{"source", a.provenance}};
      out.push_back(std::move(leaf));
    } else {
      out.push_back({{a.kind == EntityAssociation::Kind::kOneOf ? "one_of" : "all_of",
                      associations_json(a.members)}});
    }
  }
  return out;
}

Json signal_json(const Signal& s, bool refinement) {
  Json out = Json::object();
  if (refinement) out["id"] = s.refines.empty() ? s.name : s.group_id;
  switch (s.kind) {
    case SignalKind::kMetric:
      out["name"] = s.name;
      out["instrument"] = instrument_text(s.instrument);
      out["unit"] = s.unit;
      break;
    case SignalKind::kSpan:
      out["type"] = s.name;
      out["kind"] = s.span_kind;
      out["name"] = {{"note", s.span_name_note}};
      break;
    case SignalKind::kEvent:
      out["name"] = s.name;
      break;
    case SignalKind::kEntity:
      out["type"] = s.name;
      break;
    case SignalKind::kAttributeGroup:
      out["id"] = s.name;
      break;
  }
  if (s.kind == SignalKind::kEntity) {
    out["identity"] = refs_json(s.attributes, "identifying");
    out["description"] = refs_json(s.attributes, "descriptive");
  } else {
    out["attributes"] = refs_json(s.attributes, nullptr);
  }
  if (!s.entity_associations.empty())
    out["entity_associations"] = associations_json(s.entity_associations);
  out["brief"] = s.brief;
  out["stability"] = stability_or_development(s.stability);
  if (!s.note.empty()) out["note"] = s.note;
  if (s.deprecated) out["deprecated"] = deprecated_json(*s.deprecated);
  if (!s.annotations.empty()) out["annotations"] = s.annotations;
  return out;
}

Json list_json(const std::vector<Signal>& signals, bool refinement) {
  Json out = Json::array();
  for (const Signal& s : signals) out.push_back(signal_json(s, refinement));
  return out;
}

Json refinements_json(const std::vector<Signal>& bases, const std::vector<Signal>& refinements) {
  Json out = list_json(bases, true);
  for (const Signal& s : refinements) out.push_back(signal_json(s, true));
  return out;
}

void emit(YAML::Emitter& e, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      e << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        e << YAML::Key << k << YAML::Value;
        emit(e, v);
      }
      e << YAML::EndMap;
      break;
    case Json::value_t::array:
      e << YAML::BeginSeq;
      for (const Json& v : j) emit(e, v);
      e << YAML::EndSeq;
      break;
    case Json::value_t::string: {
      // Quote strings that a reader would take as another type ("true", "1.0", "null", "",
      // ".inf").
      const std::string& s = j.get_ref<const std::string&>();
      if (!plain_scalar_reads_as_string(s)) e << YAML::DoubleQuoted;
      e << s;
      break;
    }
    case Json::value_t::boolean:
      e << j.get<bool>();
      break;
    case Json::value_t::number_integer:
      e << j.get<int64_t>();
      break;
    case Json::value_t::number_unsigned:
      e << j.get<uint64_t>();
      break;
    case Json::value_t::number_float: {
      // The shortest text that reads back as this double, with a `.0` when it would
      // otherwise read back as an integer (1.0 is a double in the registry, 1 an int).
      std::string text = fmt::format("{}", j.get<double>());
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      e << text;
      break;
    }
    default:
      e << YAML::Null;
  }
}

}  // namespace

Json to_resolved_json(const ResolvedRegistry& r) {
  Json catalog = Json::array();
  for (const CatalogAttribute& a : r.catalog) catalog.push_back(attribute_json(a));
  Json registry = {{"attributes", r.attributes},
                   {"attribute_groups", list_json(r.attribute_groups, false)},
                   {"spans", list_json(r.spans, false)},
                   {"metrics", list_json(r.metrics, false)},
                   {"events", list_json(r.events, false)},
                   {"entities", list_json(r.entities, false)}};
  Json refinements = {{"spans", refinements_json(r.spans, r.span_refinements)},
                      {"metrics", refinements_json(r.metrics, r.metric_refinements)},
                      {"events", refinements_json(r.events, r.event_refinements)},
                      {"entities", refinements_json(r.entities, r.entity_refinements)}};
  return {{"file_format", "resolved/2.0"},
          {"schema_url", r.schema_url},
          {"attribute_catalog", catalog},
          {"registry", registry},
          {"refinements", refinements}};
}

std::string to_yaml(const Json& document) {
  YAML::Emitter e;
  e.SetIndent(2);
  emit(e, document);
  return std::string(e.c_str()) + "\n";
}

}  // namespace coretel::schema
