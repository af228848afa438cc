#include "reader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "published_reader.h"
#include "yaml_values.h"

namespace coretel::schema {
namespace {

using Keys = std::initializer_list<std::string_view>;

// Weaver's rule id for structural errors (serde + JSON schema): notes §6.1.
constexpr const char* kSpec = "InvalidSemConvSpec";

/// Whether `map` has no `key`, or a null one: a missing field. A present value of the wrong
/// type is reported where it is read, and not again as missing.
bool absent(const YAML::Node& map, const char* key) {
  YAML::Node value = map[key];
  return !value.IsDefined() || value.IsNull();
}

/// Reading state for one file. Any structural error makes the file fatal: Weaver rejects such
/// a file as a whole, and so do we.
class FileReader {
 public:
  FileReader(const std::string& file, Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  bool fatal() const { return fatal_; }
  const std::string& file() const { return file_; }

  SourceLocation at(const YAML::Node& node) const { return location_of(file_, node); }

  void error(const YAML::Node& node, const std::string& subject, std::string message,
             const char* id = kSpec) {
    fatal_ = true;
    diagnostics_.error(id, at(node), subject, std::move(message));
  }
  void warning(const char* id, const YAML::Node& node, const std::string& subject,
               std::string message) {
    diagnostics_.warning(id, at(node), subject, std::move(message));
  }

  bool expect_map(const YAML::Node& node, const std::string& subject, std::string_view what) {
    if (node.IsMap()) return true;
    error(node, subject, fmt::format("{} must be a map, found {}", what, yaml_kind(node)));
    return false;
  }

  /// Unknown keys are errors, as with Weaver's `deny_unknown_fields`; so is a key written twice
  /// (serde's "duplicate field": yaml-cpp would silently keep the first).
  void check_keys(const YAML::Node& map, Keys allowed, const std::string& subject) {
    std::vector<std::string> unknown;
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) {
        error(entry.first, subject, "keys must be plain strings");
        continue;
      }
      const std::string& key = entry.first.Scalar();
      if (!seen.insert(key).second) {
        error(entry.first, subject, fmt::format("duplicate field `{}`", key));
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) unknown.push_back(key);
    }
    if (!unknown.empty()) {
      error(map, subject,
            fmt::format("Object contains unexpected properties: {}. These properties are not "
                        "defined in the schema.",
                        fmt::join(unknown, ", ")));
    }
  }

  /// A string field: nullopt when absent or null; an error when required and missing, or when
  /// not a scalar.
  std::optional<std::string> string(const YAML::Node& map, const char* key,
                                    const std::string& subject, bool required = false) {
    YAML::Node value = map[key];
    if (!value.IsDefined() || value.IsNull()) {
      if (required) error(map, subject, fmt::format("missing field `{}`", key));
      return std::nullopt;
    }
    if (!value.IsScalar()) {
      error(value, subject, fmt::format("`{}` must be a string, found {}", key, yaml_kind(value)));
      return std::nullopt;
    }
    return value.Scalar();
  }

  std::optional<bool> boolean(const YAML::Node& map, const char* key, const std::string& subject) {
    YAML::Node value = map[key];
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    Json j = value.IsScalar() ? scalar_to_json(value) : Json();
    if (!j.is_boolean()) {
      error(value, subject, fmt::format("`{}` must be true or false", key));
      return std::nullopt;
    }
    return j.get<bool>();
  }

  std::optional<Json> any(const YAML::Node& map, const char* key, const std::string& subject) {
    YAML::Node value = map[key];
    if (!value.IsDefined()) return std::nullopt;
    std::string problem;
    auto j = yaml_to_json(value, &problem);
    if (!j) error(value, subject, fmt::format("`{}` {}", key, problem));
    return j;
  }

  std::optional<Json> annotations(const YAML::Node& map, const std::string& subject) {
    YAML::Node value = map["annotations"];
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    if (!expect_map(value, subject, "`annotations`")) return std::nullopt;
    return any(map, "annotations", subject);
  }

  std::optional<std::string> stability(const YAML::Node& map, const std::string& subject) {
    auto value = string(map, "stability", subject);
    if (!value) return std::nullopt;
    static const std::set<std::string> kKnown{"stable",    "development", "experimental",
                                              "alpha",     "beta",        "release_candidate",
                                              "deprecated"};
    if (!kKnown.count(*value)) {
      error(map["stability"], subject,
            fmt::format("unknown stability `{}`; expected stable, release_candidate, beta, alpha "
                        "or development",
                        *value));
      return std::nullopt;
    }
    if (*value == "experimental") return std::string("development");
    return value;
  }

  std::optional<Deprecated> deprecated(const YAML::Node& map, const std::string& subject) {
    YAML::Node value = map["deprecated"];
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    if (value.IsScalar()) {
      warning("UnstructuredDeprecatedProperty", value, subject,
              "`deprecated` is a plain string; use {reason: renamed|obsoleted|uncategorized, "
              "...}");
      return Deprecated{"unspecified", "", value.Scalar()};
    }
    if (!expect_map(value, subject, "`deprecated`")) return std::nullopt;
    check_keys(value, {"reason", "renamed_to", "note"}, subject);
    Deprecated d;
    d.reason = string(value, "reason", subject, true).value_or("");
    d.renamed_to = string(value, "renamed_to", subject).value_or("");
    d.note = string(value, "note", subject).value_or("");
    if (!d.reason.empty() && d.reason != "renamed" && d.reason != "obsoleted" &&
        d.reason != "uncategorized") {
      error(value["reason"], subject,
            fmt::format("unknown deprecation reason `{}`; expected renamed, obsoleted or "
                        "uncategorized",
                        d.reason));
    }
    if (d.reason == "renamed" && d.renamed_to.empty()) {
      error(value, subject, "`reason: renamed` needs `renamed_to`");
    }
    return d;
  }

  std::optional<RequirementLevel> requirement_level(const YAML::Node& map,
                                                    const std::string& subject) {
    YAML::Node value = map["requirement_level"];
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    static const std::set<std::string> kLevels{"required", "recommended", "opt_in",
                                               "conditionally_required"};
    if (value.IsScalar()) {
      if (!kLevels.count(value.Scalar())) {
        error(value, subject, fmt::format("unknown requirement_level `{}`", value.Scalar()));
        return std::nullopt;
      }
      return RequirementLevel{value.Scalar(), ""};
    }
    if (value.IsMap() && value.size() == 1) {
      const auto& entry = *value.begin();
      std::string level = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if ((level == "conditionally_required" || level == "recommended" || level == "opt_in") &&
          entry.second.IsScalar()) {
        return RequirementLevel{level, entry.second.Scalar()};
      }
    }
    error(value, subject,
          "`requirement_level` must be required, recommended, opt_in, or a one-entry map "
          "{conditionally_required|recommended|opt_in: text}");
    return std::nullopt;
  }

  std::optional<AttributeType> type(const YAML::Node& map, const std::string& subject) {
    YAML::Node value = map["type"];
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    static const std::set<std::string> kPrimitive{
        "string", "int", "double", "boolean", "string[]", "int[]", "double[]", "boolean[]", "any"};
    if (value.IsScalar()) {
      const std::string& name = value.Scalar();
      bool ok = kPrimitive.count(name) > 0;
      if (!ok && name.rfind("template[", 0) == 0 && name.back() == ']') {
        ok = kPrimitive.count(name.substr(9, name.size() - 10)) > 0;
      }
      if (!ok) {
        error(value, subject, fmt::format("unknown attribute type `{}`", name));
        return std::nullopt;
      }
      return AttributeType{name, {}};
    }
    if (!expect_map(value, subject, "`type`")) return std::nullopt;
    check_keys(value, {"members", "allow_custom_values"}, subject);
    YAML::Node members = value["members"];
    if (!members.IsDefined() || !members.IsSequence()) {
      error(value, subject, "an enum type needs a `members` list");
      return std::nullopt;
    }
    AttributeType t{"enum", {}};
    for (const YAML::Node& m : members) {
      if (!expect_map(m, subject, "an enum member")) continue;
      std::string member_subject = subject + "/" + string(m, "id", subject).value_or("?");
      check_keys(m, {"id", "value", "brief", "note", "stability", "deprecated", "annotations"},
                 member_subject);
      EnumMember member;
      member.id = string(m, "id", member_subject, true).value_or("");
      YAML::Node v = m["value"];
      if (v.IsDefined() && !v.IsNull()) {
        if (!v.IsScalar()) {
          error(v, member_subject, "an enum member's `value` must be a string, int or boolean");
        } else {
          member.value = scalar_to_json(v);
          if (member.value.is_number_float()) {
            error(v, member_subject, "an enum member's `value` must be a string, int or boolean");
          }
        }
      } else {
        member.value = member.id;
      }
      member.brief = string(m, "brief", member_subject).value_or("");
      member.note = string(m, "note", member_subject).value_or("");
      member.stability = stability(m, member_subject);
      member.deprecated = deprecated(m, member_subject);
      member.annotations = annotations(m, member_subject).value_or(Json::object());
      member.location = at(m);
      t.members.push_back(std::move(member));
    }
    return t;
  }

  /// Reads the override fields shared by definitions and references.
  void common_attribute_fields(const YAML::Node& node, const std::string& subject,
                               AttributeSpec& spec) {
    spec.brief = string(node, "brief", subject);
    spec.note = string(node, "note", subject);
    spec.examples = any(node, "examples", subject);
    spec.stability = stability(node, subject);
    spec.deprecated = deprecated(node, subject);
    spec.annotations = annotations(node, subject);
    spec.requirement_level = requirement_level(node, subject);
    spec.sampling_relevant = boolean(node, "sampling_relevant", subject);
    spec.tag = string(node, "tag", subject);
    spec.role = string(node, "role", subject);
    if (spec.role && *spec.role != "identifying" && *spec.role != "descriptive") {
      error(node["role"], subject, "`role` must be identifying or descriptive");
    }
    spec.location = at(node);
  }

  std::vector<std::string> entity_associations(const YAML::Node& map, const std::string& subject,
                                               Json& raw) {
    std::vector<std::string> names;
    YAML::Node value = map["entity_associations"];
    if (!value.IsDefined() || value.IsNull()) return names;
    raw = any(map, "entity_associations", subject).value_or(Json());
    if (!value.IsSequence()) {
      error(value, subject, "`entity_associations` must be a list");
      return names;
    }
    for (const YAML::Node& item : value) {
      if (item.IsScalar()) {
        names.push_back(item.Scalar());
      } else if (item.IsMap() && item.size() == 1) {
        const auto& entry = *item.begin();
        std::string combinator = entry.first.IsScalar() ? entry.first.Scalar() : "";
        if ((combinator != "one_of" && combinator != "all_of") || !entry.second.IsSequence()) {
          error(item, subject,
                "an entity association is a name, {one_of: [...]} or {all_of: [...]}");
          continue;
        }
        if (entry.second.size() == 0) {
          diagnostics_.error("InvalidGroup", at(item), subject,
                             fmt::format("empty `{}` in entity_associations", combinator));
        }
        for (const YAML::Node& name : entry.second) {
          if (name.IsScalar()) {
            names.push_back(name.Scalar());
          } else {
            error(name, subject, "entity association names must be strings");
          }
        }
      } else {
        error(item, subject, "an entity association is a name, {one_of: [...]} or {all_of: [...]}");
      }
    }
    return names;
  }

 private:
  const std::string& file_;
  Diagnostics& diagnostics_;
  bool fatal_ = false;
};

// ---------------------------------------------------------------- v1 (`groups:`)

std::optional<GroupType> parse_group_type(const std::string& s) {
  if (s == "attribute_group") return GroupType::kAttributeGroup;
  if (s == "span") return GroupType::kSpan;
  if (s == "event") return GroupType::kEvent;
  if (s == "metric") return GroupType::kMetric;
  if (s == "metric_group") return GroupType::kMetricGroup;
  if (s == "entity" || s == "resource") return GroupType::kEntity;
  if (s == "scope") return GroupType::kScope;
  return std::nullopt;
}

void read_v1_attribute(FileReader& r, const YAML::Node& node, Group& group) {
  std::string subject = group.id;
  if (!r.expect_map(node, subject, "an attribute")) return;
  AttributeSpec spec;
  bool has_id = node["id"].IsDefined();
  bool has_ref = node["ref"].IsDefined();
  if (has_id == has_ref) {
    r.error(node, subject, "an attribute needs exactly one of `id` (a definition) or `ref`");
    return;
  }
  if (has_id) {
    spec.form = AttributeSpec::Form::kDefinition;
    std::string id = r.string(node, "id", subject, true).value_or("");
    spec.key = group.prefix.empty() ? id : group.prefix + "." + id;
    subject = group.id + "/" + spec.key;
    r.check_keys(node,
                 {"id", "type", "brief", "examples", "tag", "requirement_level",
                  "sampling_relevant", "note", "stability", "deprecated", "annotations", "role"},
                 subject);
    spec.type = r.type(node, subject);
    if (!spec.type && absent(node, "type")) r.error(node, subject, "missing field `type`");
  } else {
    spec.form = AttributeSpec::Form::kReference;
    spec.key = r.string(node, "ref", subject, true).value_or("");
    subject = group.id + "/" + spec.key;
    r.check_keys(node,
                 {"ref", "brief", "examples", "tag", "requirement_level", "sampling_relevant",
                  "note", "stability", "deprecated", "annotations", "role"},
                 subject);
  }
  r.common_attribute_fields(node, subject, spec);
  group.attributes.push_back(std::move(spec));
}

void read_v1_group(FileReader& r, const YAML::Node& node, RegistryDefinition& registry) {
  if (!r.expect_map(node, "", "a group")) return;
  Group g;
  g.syntax = 1;
  g.file = r.file();
  g.location = r.at(node);
  g.id = r.string(node, "id", "", true).value_or("");
  const std::string& s = g.id;
  r.check_keys(node,
               {"id", "type", "brief", "note", "prefix", "extends", "stability", "deprecated",
                "attributes", "span_kind", "events", "metric_name", "instrument", "unit", "name",
                "display_name", "body", "annotations", "entity_associations"},
               s);
  if (auto type = r.string(node, "type", s)) {
    auto parsed = parse_group_type(*type);
    if (!parsed) {
      r.error(node["type"], s, fmt::format("unknown group type `{}`", *type));
    } else {
      g.type = *parsed;
    }
  }
  g.brief = r.string(node, "brief", s);
  if (!g.brief && absent(node, "brief")) r.error(node, s, "missing field `brief`");
  g.note = r.string(node, "note", s).value_or("");
  g.prefix = r.string(node, "prefix", s).value_or("");
  g.extends = r.string(node, "extends", s).value_or("");
  g.stability = r.stability(node, s);
  g.deprecated = r.deprecated(node, s);
  g.display_name = r.string(node, "display_name", s).value_or("");
  g.annotations = r.annotations(node, s).value_or(Json::object());
  g.metric_name = r.string(node, "metric_name", s).value_or("");
  g.instrument = r.string(node, "instrument", s).value_or("");
  g.unit = r.string(node, "unit", s).value_or("");
  g.span_kind = r.string(node, "span_kind", s).value_or("");
  g.name = r.string(node, "name", s).value_or("");
  if (auto body = r.any(node, "body", s)) g.body = std::move(*body);
  g.entity_associations = r.entity_associations(node, s, g.entity_associations_raw);
  if (!g.instrument.empty() && g.instrument != "counter" && g.instrument != "updowncounter" &&
      g.instrument != "gauge" && g.instrument != "histogram") {
    r.error(node["instrument"], s,
            fmt::format("unknown instrument `{}`; expected counter, updowncounter, gauge or "
                        "histogram",
                        g.instrument));
  }
  static const std::set<std::string> kSpanKinds{"client", "server", "producer", "consumer",
                                                "internal"};
  if (!g.span_kind.empty() && !kSpanKinds.count(g.span_kind)) {
    r.error(node["span_kind"], s, fmt::format("unknown span_kind `{}`", g.span_kind));
  }
  YAML::Node events = node["events"];
  if (events.IsDefined() && !events.IsNull()) {
    if (!events.IsSequence()) {
      r.error(events, s, "`events` must be a list of event group ids");
    } else {
      for (const YAML::Node& e : events) {
        if (e.IsScalar())
          g.span_events.push_back(e.Scalar());
        else
          r.error(e, s, "`events` must be a list of event group ids");
      }
    }
  }
  YAML::Node attributes = node["attributes"];
  if (attributes.IsDefined()) {
    g.has_attributes_key = true;
    if (attributes.IsSequence()) {
      for (const YAML::Node& a : attributes) read_v1_attribute(r, a, g);
    } else if (!attributes.IsNull()) {
      r.error(attributes, s, "`attributes` must be a list");
    }
  }
  registry.groups.push_back(std::move(g));
}

// ---------------------------------------------------------------- v2 (`definition/2`)

void read_v2_attribute_refs(FileReader& r, const YAML::Node& list, Group& group,
                            const char* section, const char* role) {
  if (!list.IsDefined() || list.IsNull()) return;
  group.has_attributes_key = true;
  if (!list.IsSequence()) {
    r.error(list, group.id, fmt::format("`{}` must be a list", section));
    return;
  }
  for (const YAML::Node& node : list) {
    if (!r.expect_map(node, group.id, "an attribute reference")) continue;
    AttributeSpec spec;
    if (node["ref_group"].IsDefined()) {
      spec.form = AttributeSpec::Form::kGroupReference;
      spec.key = r.string(node, "ref_group", group.id, true).value_or("");
      r.check_keys(node, {"ref_group"}, group.id);
      spec.location = r.at(node);
      group.attributes.push_back(std::move(spec));
      continue;
    }
    spec.form = AttributeSpec::Form::kReference;
    spec.key = r.string(node, "ref", group.id, true).value_or("");
    std::string subject = group.id + "/" + spec.key;
    r.check_keys(node,
                 {"ref", "brief", "note", "examples", "requirement_level", "sampling_relevant",
                  "stability", "deprecated", "annotations"},
                 subject);
    r.common_attribute_fields(node, subject, spec);
    if (role) spec.role = role;
    group.attributes.push_back(std::move(spec));
  }
}

/// The fields every v2 signal and refinement shares.
void read_v2_common(FileReader& r, const YAML::Node& node, Group& g) {
  const std::string& s = g.id;
  g.brief = r.string(node, "brief", s);
  g.note = r.string(node, "note", s).value_or("");
  g.stability = r.stability(node, s);
  g.deprecated = r.deprecated(node, s);
  g.annotations = r.annotations(node, s).value_or(Json::object());
  g.signal_requirement_level = r.string(node, "requirement_level", s);
  if (g.signal_requirement_level && *g.signal_requirement_level != "recommended" &&
      *g.signal_requirement_level != "opt_in") {
    r.error(node["requirement_level"], s,
            "a signal's `requirement_level` is recommended or opt_in");
  }
  g.entity_associations = r.entity_associations(node, s, g.entity_associations_raw);
}

void read_v2_section(FileReader& r, const YAML::Node& doc, const char* section,
                     RegistryDefinition& registry, const std::string& file_stem) {
  YAML::Node list = doc[section];
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.error(list, "", fmt::format("`{}` must be a list", section));
    return;
  }
  std::string sec = section;
  bool refinement = sec.find("_refinements") != std::string::npos;
  if (sec == "attributes") {
    Group g;
    g.syntax = 2;
    g.type = GroupType::kAttributeGroup;
    g.id = "registry." + file_stem;
    g.brief = "Attributes defined in " + r.file();
    g.visibility = "internal";
    g.file = r.file();
    g.location = r.at(list);
    g.has_attributes_key = true;
    for (const YAML::Node& node : list) {
      if (!r.expect_map(node, "", "an attribute")) continue;
      AttributeSpec spec;
      spec.form = AttributeSpec::Form::kDefinition;
      spec.key = r.string(node, "key", "", true).value_or("");
      std::string subject = spec.key;
      r.check_keys(
          node,
          {"key", "type", "brief", "note", "examples", "stability", "deprecated", "annotations"},
          subject);
      spec.type = r.type(node, subject);
      if (!spec.type && absent(node, "type")) r.error(node, subject, "missing field `type`");
      r.common_attribute_fields(node, subject, spec);
      if (!spec.brief && absent(node, "brief")) r.error(node, subject, "missing field `brief`");
      if (!spec.stability && absent(node, "stability")) {
        r.error(node, subject, "missing field `stability`");
      }
      g.attributes.push_back(std::move(spec));
    }
    registry.groups.push_back(std::move(g));
    return;
  }
  for (const YAML::Node& node : list) {
    if (!r.expect_map(node, "", fmt::format("an entry of `{}`", section))) continue;
    Group g;
    g.syntax = 2;
    g.file = r.file();
    g.location = r.at(node);
    g.is_refinement = refinement;
    if (refinement) {
      g.id = r.string(node, "id", "", true).value_or("");
      g.refines = r.string(node, "ref", g.id, true).value_or("");
    }
    if (sec == "attribute_groups") {
      g.type = GroupType::kAttributeGroup;
      g.id = r.string(node, "id", "", true).value_or("");
      r.check_keys(node,
                   {"id", "visibility", "brief", "note", "stability", "deprecated", "annotations",
                    "attributes"},
                   g.id);
      g.visibility = r.string(node, "visibility", g.id, true).value_or("internal");
      if (g.visibility != "internal" && g.visibility != "public") {
        r.error(node["visibility"], g.id, "`visibility` must be internal or public");
      }
      g.brief = r.string(node, "brief", g.id);
      g.note = r.string(node, "note", g.id).value_or("");
      g.stability = r.stability(node, g.id);
      g.deprecated = r.deprecated(node, g.id);
      g.annotations = r.annotations(node, g.id).value_or(Json::object());
      if (g.visibility == "public" && (!g.brief || !g.stability)) {
        r.error(node, g.id, "a public attribute group needs `brief` and `stability`");
      }
      read_v2_attribute_refs(r, node["attributes"], g, "attributes", nullptr);
    } else if (sec == "metrics" || sec == "metric_refinements") {
      g.type = GroupType::kMetric;
      if (!refinement) {
        g.metric_name = r.string(node, "name", "", true).value_or("");
        g.id = "metric." + g.metric_name;
        r.check_keys(node,
                     {"name", "instrument", "unit", "brief", "note", "stability", "deprecated",
                      "annotations", "attributes", "entity_associations", "requirement_level"},
                     g.id);
        g.instrument = r.string(node, "instrument", g.id, true).value_or("");
        g.unit = r.string(node, "unit", g.id, true).value_or("");
      } else {
        r.check_keys(
            node,
            {"id", "ref", "brief", "note", "stability", "deprecated", "annotations", "attributes"},
            g.id);
      }
      read_v2_common(r, node, g);
      read_v2_attribute_refs(r, node["attributes"], g, "attributes", nullptr);
    } else if (sec == "spans" || sec == "span_refinements") {
      g.type = GroupType::kSpan;
      if (!refinement) {
        g.name = r.string(node, "type", "", true).value_or("");
        g.id = "span." + g.name;
        r.check_keys(node,
                     {"type", "kind", "name", "brief", "note", "stability", "deprecated",
                      "annotations", "attributes", "entity_associations", "requirement_level"},
                     g.id);
        g.span_kind = r.string(node, "kind", g.id, true).value_or("");
      } else {
        r.check_keys(node,
                     {"id", "ref", "name", "brief", "note", "stability", "deprecated",
                      "annotations", "attributes"},
                     g.id);
      }
      YAML::Node name = node["name"];
      if (name.IsDefined() && r.expect_map(name, g.id, "a span's `name`")) {
        r.check_keys(name, {"note"}, g.id);
        g.span_name_note = r.string(name, "note", g.id).value_or("");
      }
      read_v2_common(r, node, g);
      read_v2_attribute_refs(r, node["attributes"], g, "attributes", nullptr);
    } else if (sec == "events" || sec == "event_refinements") {
      g.type = GroupType::kEvent;
      if (!refinement) {
        g.name = r.string(node, "name", "", true).value_or("");
        g.id = "event." + g.name;
        r.check_keys(node,
                     {"name", "brief", "note", "stability", "deprecated", "annotations",
                      "attributes", "entity_associations", "requirement_level", "body"},
                     g.id);
        if (auto body = r.any(node, "body", g.id)) g.body = std::move(*body);
      } else {
        r.check_keys(
            node,
            {"id", "ref", "brief", "note", "stability", "deprecated", "annotations", "attributes"},
            g.id);
      }
      read_v2_common(r, node, g);
      read_v2_attribute_refs(r, node["attributes"], g, "attributes", nullptr);
    } else if (sec == "entities" || sec == "entity_refinements") {
      g.type = GroupType::kEntity;
      if (!refinement) {
        g.name = r.string(node, "type", "", true).value_or("");
        g.id = "entity." + g.name;
        r.check_keys(node,
                     {"type", "identity", "description", "brief", "note", "stability", "deprecated",
                      "annotations", "requirement_level"},
                     g.id);
        if (!node["identity"].IsDefined()) {
          r.error(node, g.id, "an entity needs an `identity` list", "EntityMissingIdentity");
        }
      } else {
        r.check_keys(node,
                     {"id", "ref", "identity", "description", "brief", "note", "stability",
                      "deprecated", "annotations"},
                     g.id);
      }
      read_v2_common(r, node, g);
      read_v2_attribute_refs(r, node["identity"], g, "identity", "identifying");
      read_v2_attribute_refs(r, node["description"], g, "description", "descriptive");
    }
    if (!refinement && sec != "attribute_groups" && !g.brief && absent(node, "brief")) {
      r.error(node, g.id, "missing field `brief`");
    }
    registry.groups.push_back(std::move(g));
  }
}

/// `imports: {metrics|events|entities|spans|attribute_groups: [glob, ...]}` (notes §4).
void read_v2_imports(FileReader& r, const YAML::Node& node, RegistryDefinition& registry) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!r.expect_map(node, "imports", "`imports`")) return;
  static constexpr std::string_view kSections[] = {"metrics", "events", "entities", "spans",
                                                   "attribute_groups"};
  r.check_keys(node, {"metrics", "events", "entities", "spans", "attribute_groups"}, "imports");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;  // reported by check_keys
    const std::string& section = entry.first.Scalar();
    if (std::find(std::begin(kSections), std::end(kSections), section) == std::end(kSections)) {
      continue;  // reported by check_keys
    }
    const YAML::Node& globs = entry.second;
    if (globs.IsNull()) continue;
    if (!globs.IsSequence()) {
      r.error(globs, "imports",
              fmt::format("`imports.{}` must be a list of glob patterns, found {}", section,
                          yaml_kind(globs)));
      continue;
    }
    for (const YAML::Node& glob : globs) {
      if (!glob.IsScalar() || glob.Scalar().empty()) {
        r.error(glob, "imports",
                fmt::format("`imports.{}` entries must be non-empty glob strings, found {}",
                            section, yaml_kind(glob)));
        continue;
      }
      registry.imports.push_back({section, glob.Scalar(), r.at(glob)});
    }
  }
}

std::string file_stem_id(const std::string& file) {
  std::string stem = file;
  if (auto dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  for (char& c : stem) {
    if (c == '/' || c == '\\') c = '.';
  }
  return stem;
}

}  // namespace

bool read_definition_file(std::string_view text, const std::string& file,
                          RegistryDefinition& registry, Diagnostics& diagnostics) {
  auto doc = load_yaml_document(text, file, diagnostics);
  if (!doc) return false;
  FileReader r(file, diagnostics);
  RegistryDefinition read;  // groups land here first; kept only when the file is sound
  try {
    if (doc->IsNull()) return true;  // an empty file defines nothing
    if (!r.expect_map(*doc, "", "a registry file")) return false;
    int syntax = 1;
    if (auto format = r.string(*doc, "file_format", "")) {
      if (*format == "definition/2") {
        syntax = 2;
      } else if (*format != "definition/1") {
        diagnostics.error("InvalidFileFormat", r.at((*doc)["file_format"]), "",
                          fmt::format("Invalid file format: `file_format: {}`. Expected "
                                      "'file_format: definition/1' or 'file_format: "
                                      "definition/2'",
                                      *format));
        return false;
      }
    }
    if (syntax == 1) {
      r.check_keys(*doc, {"groups", "file_format", "version"}, "");
      if ((*doc)["version"].IsDefined()) {
        diagnostics.warning("DeprecatedVersionField", r.at((*doc)["version"]), "",
                            "`version` is deprecated; use `file_format: definition/1`");
      }
      YAML::Node groups = (*doc)["groups"];
      if (groups.IsDefined() && !groups.IsNull()) {
        if (!groups.IsSequence()) {
          r.error(groups, "", "`groups` must be a list");
        } else {
          for (const YAML::Node& g : groups) read_v1_group(r, g, read);
        }
      }
    } else {
      diagnostics.warning("UnstableFileFormat", r.at((*doc)["file_format"]), "",
                          "`file_format: definition/2` is an alpha format and may change");
      r.check_keys(*doc,
                   {"file_format", "attributes", "attribute_groups", "metrics", "spans", "events",
                    "entities", "metric_refinements", "span_refinements", "event_refinements",
                    "entity_refinements", "imports"},
                   "");
      std::string stem = file_stem_id(file);
      for (const char* section :
           {"attributes", "attribute_groups", "metrics", "spans", "events", "entities",
            "metric_refinements", "span_refinements", "event_refinements", "entity_refinements"}) {
        read_v2_section(r, *doc, section, read, stem);
      }
      read_v2_imports(r, (*doc)["imports"], read);
    }
  } catch (const std::exception& e) {
    // yaml-cpp throws on some malformed trees (e.g. a key that is not a scalar).
    diagnostics.error("DeserializationError", {file, 0, 0}, "",
                      fmt::format("unreadable registry file: {}", e.what()));
    return false;
  }
  if (r.fatal()) return false;
  for (Group& g : read.groups) registry.groups.push_back(std::move(g));
  for (Import& i : read.imports) registry.imports.push_back(std::move(i));
  return true;
}

bool read_manifest(std::string_view text, const std::string& file, bool legacy_file_name,
                   RegistryDefinition& registry, Diagnostics& diagnostics) {
  auto doc = load_yaml_document(text, file, diagnostics);
  if (!doc) return false;
  FileReader r(file, diagnostics);
  Manifest& m = registry.manifest;
  m.present = true;
  m.file = file;
  try {
    if (!r.expect_map(*doc, "", "a manifest")) return false;
    if (legacy_file_name) {
      diagnostics.warning("LegacyRegistryManifest", {file, 1, 1}, "",
                          "`registry_manifest.yaml` is the legacy name; rename it to "
                          "`manifest.yaml`");
    }
    r.check_keys(*doc,
                 {"file_format", "schema_url", "description", "stability", "dependencies",
                  "resolved_registry_uri", "resolved_schema_uri", "name", "semconv_version",
                  "schema_base_url"},
                 "");
    if (auto format = r.string(*doc, "file_format", "")) {
      if (*format != "manifest/2.0" && *format != "definition/2") {
        r.error((*doc)["file_format"], "",
                fmt::format("unknown manifest file_format `{}`", *format),
                "InvalidRegistryManifest");
      }
    }
    m.schema_url = r.string(*doc, "schema_url", "").value_or("");
    m.resolved_registry_uri = r.string(*doc, "resolved_registry_uri", "")
                                  .value_or(r.string(*doc, "resolved_schema_uri", "").value_or(""));
    m.description = r.string(*doc, "description", "").value_or("");
    m.stability = r.stability(*doc, "").value_or("development");
    m.name = r.string(*doc, "name", "").value_or("");
    std::string semconv_version = r.string(*doc, "semconv_version", "").value_or("");
    std::string base_url = r.string(*doc, "schema_base_url", "").value_or("");
    for (const char* legacy : {"name", "semconv_version", "schema_base_url"}) {
      if ((*doc)[legacy].IsDefined()) {
        diagnostics.warning("DeprecatedSyntaxInRegistryManifest", r.at((*doc)[legacy]), "",
                            fmt::format("`{}` is deprecated in manifests; the registry's name and "
                                        "version derive from `schema_url`",
                                        legacy));
      }
    }
    if (m.schema_url.empty() && !base_url.empty() && !semconv_version.empty()) {
      m.schema_url = base_url + (base_url.back() == '/' ? "" : "/") + semconv_version;
    }
    if (m.schema_url.empty()) {
      r.error(*doc, "", "the manifest needs `schema_url` (https://host/path/<version>)",
              "InvalidRegistryManifest");
    } else {
      auto slash = m.schema_url.find_last_of('/');
      m.version = slash == std::string::npos ? "" : m.schema_url.substr(slash + 1);
      if (m.name.empty()) {
        auto scheme = m.schema_url.find("://");
        std::string rest =
            scheme == std::string::npos ? m.schema_url : m.schema_url.substr(scheme + 3);
        auto last = rest.find_last_of('/');
        m.name = last == std::string::npos ? rest : rest.substr(0, last);
      }
      if (m.version.empty() || m.schema_url.rfind("http", 0) != 0) {
        r.error((*doc)["schema_url"], "",
                fmt::format("`schema_url` `{}` is not of the form http[s]://host/path/<version>",
                            m.schema_url),
                "InvalidRegistryManifest");
      }
    }
    YAML::Node deps = (*doc)["dependencies"];
    if (deps.IsDefined() && !deps.IsNull()) {
      if (!deps.IsSequence()) {
        r.error(deps, "", "`dependencies` must be a list");
      } else {
        for (const YAML::Node& d : deps) {
          if (!r.expect_map(d, "", "a dependency")) continue;
          r.check_keys(d, {"name", "schema_url", "registry_path"}, "");
          Dependency dependency;
          dependency.name = r.string(d, "name", "").value_or("");
          dependency.schema_url = r.string(d, "schema_url", "").value_or("");
          dependency.registry_path = r.string(d, "registry_path", "", true).value_or("");
          dependency.location = r.at(d["registry_path"].IsDefined() ? d["registry_path"] : d);
          m.dependencies.push_back(std::move(dependency));
        }
      }
    }
  } catch (const std::exception& e) {
    diagnostics.error("InvalidRegistryManifest", {file, 0, 0}, "",
                      fmt::format("unreadable manifest: {}", e.what()));
    return false;
  }
  return !r.fatal();
}

namespace {

namespace fs = std::filesystem;

/// Weaver's bound on a chain of dependencies (MaximumDependencyDepth).
constexpr std::size_t kMaxDependencyDepth = 10;

/// A registry on the dependency chain being read: to detect cycles and bound the depth.
struct ChainEntry {
  fs::path canonical;
  std::string display;
};

/// A registry already read: shared by every path that reaches it.
struct ReadRegistry {
  std::shared_ptr<const RegistryDefinition> registry;
  /// The longest chain of dependencies loaded below it (0: none).
  std::size_t height = 0;
};

/// The state of one read_registry call.
struct ReadContext {
  Diagnostics& diagnostics;
  std::vector<ChainEntry> chain;
  /// Every registry read so far, by canonical path: each is read once (a lattice of
  /// dependencies reachable along exponentially many paths stays linear).
  std::map<fs::path, ReadRegistry> read;
  ReadStats stats;
  bool over_total = false;  ///< coretel_registry_too_large was reported: read no more files
};

/// A `registry_path` we cannot read offline: a URL, an archive, or a git `repo@ref[subdir]`.
bool is_remote_registry_path(const std::string& path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return path.find("://") != std::string::npos || ends_with(".zip") || ends_with(".tar.gz") ||
         ends_with(".tgz") || ends_with(".git") ||
         (path.find('[') != std::string::npos && ends_with("]"));
}

/// Reads registry file `path` (`relative` in diagnostics) within kMaxFileBytes and what is
/// left of kMaxRegistryBytes; nullopt when it was not read (the diagnostic is reported).
std::optional<std::string> read_registry_file(const fs::path& path, const std::string& relative,
                                              ReadContext& context) {
  if (context.over_total) return std::nullopt;
  // The size is checked before reading (a huge file is never loaded) and again after: the
  // file may have changed in between, so at most one byte past the limit is read.
  auto within_limits = [&](std::uintmax_t size) {
    if (size > kMaxFileBytes) {
      context.diagnostics.error(
          "coretel_file_too_large", {relative, 0, 0}, "",
          fmt::format("the file is {} bytes, more than the {} bytes ({} MiB) coretel-schema "
                      "reads from one registry file; it is not read",
                      size, kMaxFileBytes, kMaxFileBytes >> 20));
      return false;
    }
    if (context.stats.bytes + size > kMaxRegistryBytes) {
      context.over_total = true;
      context.diagnostics.error(
          "coretel_registry_too_large", {relative, 0, 0}, "",
          fmt::format("with this file ({} bytes) the registry and its dependencies hold more "
                      "than the {} bytes ({} MiB) coretel-schema reads in all; it and the files "
                      "after it are not read",
                      size, kMaxRegistryBytes, kMaxRegistryBytes >> 20));
      return false;
    }
    return true;
  };
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && !within_limits(size)) return std::nullopt;
  std::string text;
  std::ifstream in(path, std::ios::binary);
  text.resize(ec ? kMaxFileBytes + 1 : std::min<std::uintmax_t>(size + 1, kMaxFileBytes + 1));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in && !in.eof()) {
    context.diagnostics.error("DeserializationError", {relative, 0, 0}, "", "cannot read the file");
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > size || ec) {
    // Grown since measured (or not measurable): read on, up to one byte past the limit.
    while (in && text.size() <= kMaxFileBytes) {
      char buffer[65536];
      in.read(buffer, sizeof buffer);
      text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (!within_limits(text.size())) return std::nullopt;
  }
  context.stats.bytes += text.size();
  ++context.stats.files;
  return text;
}

std::size_t read_registry_at(const fs::path& root, const std::string& prefix,
                             RegistryDefinition& registry, ReadContext& context);

/// Reads the manifest's local dependencies into `registry.dependencies`; returns the longest
/// chain of dependencies loaded below `registry`.
std::size_t read_dependencies(const fs::path& root, const std::string& prefix,
                              RegistryDefinition& registry, ReadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  std::vector<ChainEntry>& chain = context.chain;
  std::size_t height = 0;
  for (const Dependency& dependency : registry.manifest.dependencies) {
    const std::string& path = dependency.registry_path;
    const std::string& name = dependency.name;
    std::string what = name.empty() ? "a dependency" : fmt::format("dependency `{}`", name);
    if (path.empty()) continue;  // reported by the manifest reader
    if (is_remote_registry_path(path)) {
      diagnostics.warning(
          "DependencyNotLocal", dependency.location, name,
          fmt::format("{}: `registry_path: {}` is remote and is not fetched "
                      "(coretel-schema works offline); point `registry_path` at a local checkout "
                      "of that registry (absolute, or relative to the registry root) to resolve "
                      "references into it",
                      what, path));
      continue;
    }
    fs::path location = fs::path(path).is_absolute() ? fs::path(path) : root / path;
    std::error_code ec;
    if (!fs::is_directory(location, ec)) {
      diagnostics.error("DependencyNotFound", dependency.location, name,
                        fmt::format("{}: `registry_path: {}` is not a directory "
                                    "(looked for {})",
                                    what, path, location.lexically_normal().string()));
      continue;
    }
    fs::path canonical = fs::weakly_canonical(location, ec);
    if (ec) canonical = location.lexically_normal();
    std::string display =
        fs::path(path).is_absolute() ? path : (fs::path(prefix) / path).lexically_normal().string();
    auto seen = std::find_if(chain.begin(), chain.end(),
                             [&](const ChainEntry& e) { return e.canonical == canonical; });
    if (seen != chain.end()) {
      std::vector<std::string> cycle;
      for (auto it = seen; it != chain.end(); ++it) cycle.push_back(it->display);
      cycle.push_back(display);
      diagnostics.error("CircularDependency", dependency.location, name,
                        fmt::format("{} makes a cycle: {}", what, fmt::join(cycle, " -> ")));
      continue;
    }
    // The dependency is chain.size() registries below the root.
    if (chain.size() > kMaxDependencyDepth) {
      diagnostics.error(
          "MaximumDependencyDepth", dependency.location, name,
          fmt::format("{} is more than {} registries deep", what, kMaxDependencyDepth));
      continue;
    }
    if (auto done = context.read.find(canonical); done != context.read.end()) {
      // Read already along another path: shared, not read again. On this path its
      // dependencies may reach deeper than on the first.
      if (chain.size() + done->second.height > kMaxDependencyDepth) {
        diagnostics.error(
            "MaximumDependencyDepth", dependency.location, name,
            fmt::format("{} is more than {} registries deep: it is {} deep here and its own "
                        "dependencies go {} deeper",
                        what, kMaxDependencyDepth, chain.size(), done->second.height));
        continue;
      }
      registry.dependencies.push_back(done->second.registry);
      height = std::max(height, done->second.height + 1);
      continue;
    }
    chain.push_back({canonical, display});
    std::string child_prefix = display.empty() || display.back() == '/' ? display : display + "/";
    auto child = std::make_shared<RegistryDefinition>();
    std::size_t child_height = read_registry_at(location, child_prefix, *child, context);
    chain.pop_back();
    height = std::max(height, child_height + 1);
    registry.dependencies.push_back(child);
    context.read.emplace(canonical, ReadRegistry{std::move(child), child_height});
  }
  return height;
}

/// Reads the registry in `root` into `registry`; returns the longest chain of dependencies
/// loaded below it.
std::size_t read_registry_at(const fs::path& root, const std::string& prefix,
                             RegistryDefinition& registry, ReadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  registry.root = root.string();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    diagnostics.error("RegistryNotFound", {root.string(), 0, 0}, "",
                      "not a directory; pass the registry's root folder");
    return 0;
  }
  ++context.stats.registries;
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) {  // hidden: skip, and do not descend
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string ext = p.extension().string();
    if (ext == ".yaml" || ext == ".yml") files.push_back(p);
  }
  if (ec) {
    diagnostics.error("RegistryNotFound", {root.string(), 0, 0}, "",
                      fmt::format("cannot list the registry: {}", ec.message()));
  }
  std::sort(files.begin(), files.end());
  // The manifest first: a publication manifest names the resolved file to read instead of
  // definitions.
  for (const char* name : {"manifest.yaml", "registry_manifest.yaml"}) {
    fs::path p = root / name;
    if (registry.manifest.present || !fs::is_regular_file(p, ec)) continue;
    if (std::optional<std::string> text = read_registry_file(p, prefix + name, context)) {
      read_manifest(*text, prefix + name, std::string(name) == "registry_manifest.yaml", registry,
                    diagnostics);
    }
  }
  const std::string& published = registry.manifest.resolved_registry_uri;
  for (const fs::path& p : files) {
    std::string relative = prefix + fs::relative(p, root, ec).string();
    std::string name = p.filename().string();
    if (name == "schema-next.yaml") continue;
    if ((name == "manifest.yaml" || name == "registry_manifest.yaml") && p.parent_path() == root) {
      continue;  // read above
    }
    std::optional<std::string> text = read_registry_file(p, relative, context);
    if (!text) continue;
    registry.files.push_back(relative);
    if (!published.empty() && relative == prefix + published) {
      read_published_registry(*text, relative, registry, diagnostics);
      continue;
    }
    read_definition_file(*text, relative, registry, diagnostics);
  }
  return read_dependencies(root, prefix, registry, context);
}

}  // namespace

RegistryDefinition read_registry(const std::filesystem::path& root, Diagnostics& diagnostics) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(root, ec);
  ReadContext context{
      diagnostics, {{ec ? root.lexically_normal() : canonical, root.string()}}, {}, {}};
  RegistryDefinition registry;
  read_registry_at(root, "", registry, context);
  registry.read_stats = context.stats;
  return registry;
}

}  // namespace coretel::schema
