#include "published_reader.h"

#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "file_reader.h"
#include "yaml_values.h"

namespace coretel::schema {
namespace {

/// An `entity_associations` list as written in a resolved registry: leaves `{type, provenance?}`
/// (or a bare name), combinators `{one_of: [...]}` / `{all_of: [...]}`; what has another shape,
/// or nests past FileReader::kMaxAssociationDepth, is left out.
std::vector<EntityAssociation> associations_of(const Json& list, int depth) {
  std::vector<EntityAssociation> out;
  if (!list.is_array() || depth > FileReader::kMaxAssociationDepth) return out;
  for (const Json& e : list) {
    EntityAssociation a;
    if (e.is_string()) {
      a.entity = e.get<std::string>();
    } else if (e.is_object() && e.contains("type") && e["type"].is_string()) {
      a.entity = e["type"].get<std::string>();
      const Json& source = e.value("provenance", Json::object()).value("source", Json());
      if (source.is_string()) a.provenance = source.get<std::string>();
    } else if (e.is_object() && e.size() == 1 && (e.contains("one_of") || e.contains("all_of"))) {
      a.kind =
          e.contains("one_of") ? EntityAssociation::Kind::kOneOf : EntityAssociation::Kind::kAllOf;
      a.members = associations_of(e.begin().value(), depth + 1);
    } else {
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string text_of(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

/// The first word of the document that is none of its field's values (an error), or "".
struct UnknownWord {
  std::string message;

  template <typename Enum>
  std::optional<Enum> check(std::optional<Enum> value, const std::string& word, const char* field) {
    if (!value && message.empty()) message = fmt::format("unknown {} `{}`", field, word);
    return value;
  }
};

/// `stability` of `object`: nullopt when absent or "" (or unknown: recorded in `unknown`).
std::optional<RegistryStability> stability_of(const Json& object, UnknownWord& unknown) {
  std::string text = text_of(object, "stability");
  if (text.empty()) return std::nullopt;
  return unknown.check(registry_stability_named(text), text, "stability");
}

/// A catalog index: a non-negative integer below `size`.
bool is_index(const Json& value, std::size_t size) {
  return value.is_number_integer() && value.get<int64_t>() >= 0 &&
         static_cast<std::size_t>(value.get<int64_t>()) < size;
}

std::optional<Deprecated> deprecated_of(const Json& object) {
  if (!object.is_object() || !object.contains("deprecated")) return std::nullopt;
  const Json& d = object["deprecated"];
  if (d.is_string()) return Deprecated{"unspecified", "", d.get<std::string>()};
  return Deprecated{text_of(d, "reason"), text_of(d, "renamed_to"), text_of(d, "note")};
}

AttributeType type_of(const Json& type, UnknownWord& unknown) {
  if (type.is_string()) return {type.get<std::string>(), {}};
  AttributeType t{"enum", {}};
  if (type.is_object() && type.contains("members") && type["members"].is_array()) {
    for (const Json& m : type["members"]) {
      EnumMember member;
      member.id = text_of(m, "id");
      member.value = m.is_object() && m.contains("value") ? m["value"] : Json(member.id);
      member.brief = text_of(m, "brief");
      member.note = text_of(m, "note");
      member.stability = stability_of(m, unknown);
      member.deprecated = deprecated_of(m);
      if (m.is_object() && m.contains("annotations") && m["annotations"].is_object()) {
        member.annotations = m["annotations"];
      }
      t.members.push_back(std::move(member));
    }
  }
  return t;
}

Requirement requirement_of(const Json& ref, UnknownWord& unknown) {
  if (!ref.is_object() || !ref.contains("requirement_level")) return {};
  const Json& level = ref["requirement_level"];
  std::string word, text;
  if (level.is_string()) {
    word = level.get<std::string>();
  } else if (level.is_object() && !level.empty() && level.begin().value().is_string()) {
    word = level.begin().key();
    text = level.begin().value().get<std::string>();
  } else {
    return {};
  }
  auto parsed = unknown.check(requirement_level_named(word), word, "requirement_level");
  return {parsed.value_or(RequirementLevel::kRecommended), text};
}

}  // namespace

bool read_published_registry(std::string_view text, const std::string& file,
                             RegistryDefinition& registry, Diagnostics& diagnostics) {
  auto yaml = load_yaml_document(text, file, diagnostics);
  if (!yaml) return false;
  Json doc;
  try {
    std::string problem;
    auto converted = yaml_to_json(*yaml, &problem);
    if (!converted) throw std::runtime_error("the document " + problem);
    doc = std::move(*converted);
  } catch (const std::exception& e) {
    diagnostics.error("DeserializationError", {file, 0, 0}, "",
                      fmt::format("invalid published registry: {}", e.what()));
    return false;
  }
  const SourceLocation at{file, 1, 1};
  if (!doc.is_object() || text_of(doc, "file_format") != "resolved/2.0" ||
      !doc.contains("attribute_catalog") || !doc["attribute_catalog"].is_array() ||
      !doc.contains("registry") || !doc["registry"].is_object()) {
    diagnostics.error("InvalidFileFormat", at, "",
                      "a published registry needs `file_format: resolved/2.0`, an "
                      "`attribute_catalog` list and a `registry` map");
    return false;
  }
  const Json& catalog = doc["attribute_catalog"];
  UnknownWord unknown;
  const Json& reg = doc["registry"];
  // Entries are maps; anything else is a malformed document, not an empty entry (and would
  // make nlohmann::json throw on the lookups below).
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (!catalog[i].is_object()) {
      diagnostics.error("InvalidFileFormat", at, "",
                        fmt::format("attribute_catalog[{}] is not a map", i));
      return false;
    }
  }
  auto key_at = [&](const Json& ref, std::string& key) {
    if (!ref.is_object() || !ref.contains("base") || !is_index(ref["base"], catalog.size())) {
      diagnostics.error(
          "UnresolvedAttributeRef", at, "",
          fmt::format("attribute reference {} is not an index into the catalog", ref.dump()));
      return false;
    }
    key = text_of(catalog[ref["base"].get<int64_t>()], "key");
    return true;
  };

  Group definitions;
  definitions.syntax = 2;
  definitions.type = GroupType::kAttributeGroup;
  definitions.id = "registry.published";
  definitions.visibility = "internal";
  definitions.file = file;
  definitions.location = at;
  definitions.has_attributes_key = true;
  if (reg.contains("attributes") && reg["attributes"].is_array()) {
    for (const Json& index : reg["attributes"]) {
      if (!is_index(index, catalog.size())) {
        diagnostics.error(
            "UnresolvedAttributeRef", at, "",
            fmt::format("registry.attributes entry {} is not a catalog index", index.dump()));
        return false;
      }
      const Json& a = catalog[index.get<int64_t>()];
      AttributeSpec spec;
      spec.key = text_of(a, "key");
      spec.type = type_of(a.value("type", Json("string")), unknown);
      spec.brief = text_of(a, "brief");
      if (!text_of(a, "note").empty()) spec.note = text_of(a, "note");
      if (a.contains("examples")) spec.examples = a["examples"];
      spec.stability = stability_of(a, unknown);
      spec.deprecated = deprecated_of(a);
      if (a.contains("annotations")) spec.annotations = a["annotations"];
      spec.location = at;
      definitions.attributes.push_back(std::move(spec));
    }
  }
  registry.groups.push_back(std::move(definitions));

  // The catalog index of each key's definition (its registry.attributes entry). A signal whose
  // reference points at another variant of the key overrode the definition (resolved/2.0 keeps
  // one catalog entry per distinct variant): the fields that differ become the reference's
  // overrides, as the author wrote them, so that nothing (a `coretel.measurement` annotation, a
  // brief) is lost on the way back.
  std::unordered_map<std::string, std::size_t> definition_of;
  if (reg.contains("attributes") && reg["attributes"].is_array()) {
    for (const Json& index : reg["attributes"]) {
      auto i = static_cast<std::size_t>(index.get<int64_t>());
      definition_of.emplace(text_of(catalog[i], "key"), i);
    }
  }
  auto add_overrides = [&](std::size_t base, AttributeSpec& spec) {
    auto d = definition_of.find(spec.key);
    if (d == definition_of.end() || d->second == base) return;
    const Json& variant = catalog[base];
    const Json& definition = catalog[d->second];
    auto differs = [&](const char* field) {
      return variant.value(field, Json()) != definition.value(field, Json());
    };
    if (differs("brief")) spec.brief = text_of(variant, "brief");
    if (differs("note")) spec.note = text_of(variant, "note");
    if (differs("examples") && variant.contains("examples")) spec.examples = variant["examples"];
    if (differs("stability")) {
      if (auto stability = stability_of(variant, unknown)) spec.stability = stability;
    }
    if (differs("deprecated")) spec.deprecated = deprecated_of(variant);
    if (differs("annotations") && variant.contains("annotations")) {
      spec.annotations = variant["annotations"];
    }
  };

  auto add_refs = [&](const Json& list, Group& g, const char* role) {
    if (!list.is_array()) return true;
    g.has_attributes_key = true;
    for (const Json& ref : list) {
      AttributeSpec spec;
      spec.form = AttributeSpec::Form::kReference;
      if (!key_at(ref, spec.key)) return false;
      add_overrides(static_cast<std::size_t>(ref["base"].get<int64_t>()), spec);
      spec.requirement_level = requirement_of(ref, unknown);
      if (ref.contains("sampling_relevant") && ref["sampling_relevant"].is_boolean()) {
        spec.sampling_relevant = ref["sampling_relevant"].get<bool>();
      }
      if (role) spec.role = role;
      spec.location = at;
      g.attributes.push_back(std::move(spec));
    }
    return true;
  };
  struct Section {
    const char* name;
    GroupType type;
    const char* key_field;
    const char* prefix;
  };
  // One signal of registry.<section> or, with `refinement`, of refinements.<section>.
  auto read_signal = [&](const Json& s, const Section& section, bool refinement) {
    if (!s.is_object()) {
      diagnostics.error("InvalidFileFormat", at, "",
                        fmt::format("an entry of {}.{} is not a map",
                                    refinement ? "refinements" : "registry", section.name));
      return false;
    }
    Group g;
    g.syntax = 2;
    g.type = section.type;
    g.file = file;
    g.location = at;
    std::string name = text_of(s, section.key_field);
    g.id = section.prefix + name;
    if (refinement) {
      // refinements.<section> lists every base signal (id = its name) and then each
      // refinement (id = its own id, name = the base's): only the latter are new here.
      if (text_of(s, "id") == name) return true;
      g.id = text_of(s, "id");
      g.is_refinement = true;
      g.refines = name;
    }
    g.brief = text_of(s, "brief");
    g.note = text_of(s, "note");
    g.stability = stability_of(s, unknown);
    g.deprecated = deprecated_of(s);
    if (s.contains("annotations") && s["annotations"].is_object()) {
      g.annotations = s["annotations"];
    }
    g.signal_requirement_level = "recommended";
    if (section.type == GroupType::kAttributeGroup) g.visibility = "public";
    if (section.type == GroupType::kMetric) {
      g.metric_name = name;
      const std::string instrument = text_of(s, "instrument");
      g.has_instrument = !instrument.empty();
      if (g.has_instrument) {
        g.instrument =
            unknown.check(semconv_instrument_named(instrument), instrument, "instrument");
      }
      g.unit = text_of(s, "unit");
    } else if (section.type != GroupType::kAttributeGroup) {
      g.name = name;
    }
    if (section.type == GroupType::kSpan) {
      g.span_kind = text_of(s, "kind");
      if (s.contains("name")) g.span_name_note = text_of(s["name"], "note");
    }
    if (s.contains("entity_associations")) {
      g.has_entity_associations = true;
      g.entity_associations = associations_of(s["entity_associations"], 0);
    }
    bool ok = section.type == GroupType::kEntity
                  ? add_refs(s.value("identity", Json()), g, "identifying") &&
                        add_refs(s.value("description", Json()), g, "descriptive")
                  : add_refs(s.value("attributes", Json()), g, nullptr);
    if (!ok) return false;
    registry.groups.push_back(std::move(g));
    return true;
  };
  const Section kSections[] = {Section{"attribute_groups", GroupType::kAttributeGroup, "id", ""},
                               Section{"metrics", GroupType::kMetric, "name", "metric."},
                               Section{"spans", GroupType::kSpan, "type", "span."},
                               Section{"events", GroupType::kEvent, "name", "event."},
                               Section{"entities", GroupType::kEntity, "type", "entity."}};
  for (const Section& section : kSections) {
    if (!reg.contains(section.name) || !reg[section.name].is_array()) continue;
    for (const Json& s : reg[section.name]) {
      if (!read_signal(s, section, false)) return false;
    }
  }
  const Json& refinements = doc.value("refinements", Json::object());
  for (const Section& section : kSections) {
    if (!refinements.is_object() || !refinements.contains(section.name) ||
        !refinements[section.name].is_array()) {
      continue;
    }
    for (const Json& s : refinements[section.name]) {
      if (!read_signal(s, section, true)) return false;
    }
  }
  if (!unknown.message.empty()) {
    diagnostics.error("InvalidFileFormat", at, "", unknown.message);
    return false;
  }
  return true;
}

}  // namespace coretel::schema
