#include "file_reader.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "yaml_values.h"

namespace coretel::schema {

bool absent(const YAML::Node& map, const char* key) {
  YAML::Node value = map[key];
  return !value.IsDefined() || value.IsNull();
}

SourceLocation FileReader::at(const YAML::Node& node) const {
  return location_of(file_, node);
}

void FileReader::error(const YAML::Node& node, const std::string& subject, std::string message,
                       const char* id) {
  fatal_ = true;
  diagnostics_.error(id, at(node), subject, std::move(message));
}

void FileReader::warning(const char* id, const YAML::Node& node, const std::string& subject,
                         std::string message) {
  diagnostics_.warning(id, at(node), subject, std::move(message));
}

bool FileReader::expect_map(const YAML::Node& node, const std::string& subject,
                            std::string_view what) {
  if (node.IsMap()) return true;
  error(node, subject, fmt::format("{} must be a map, found {}", what, yaml_kind(node)));
  return false;
}

void FileReader::check_keys(const YAML::Node& map, KeyList allowed, const std::string& subject) {
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

std::optional<std::string> FileReader::string(const YAML::Node& map, const char* key,
                                              const std::string& subject, bool required) {
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

std::optional<bool> FileReader::boolean(const YAML::Node& map, const char* key,
                                        const std::string& subject) {
  YAML::Node value = map[key];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  Json j = value.IsScalar() ? scalar_to_json(value) : Json();
  if (!j.is_boolean()) {
    error(value, subject, fmt::format("`{}` must be true or false", key));
    return std::nullopt;
  }
  return j.get<bool>();
}

std::optional<Json> FileReader::any(const YAML::Node& map, const char* key,
                                    const std::string& subject) {
  YAML::Node value = map[key];
  if (!value.IsDefined()) return std::nullopt;
  std::string problem;
  auto j = yaml_to_json(value, &problem);
  if (!j) error(value, subject, fmt::format("`{}` {}", key, problem));
  return j;
}

std::optional<Json> FileReader::annotations(const YAML::Node& map, const std::string& subject) {
  YAML::Node value = map["annotations"];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (!expect_map(value, subject, "`annotations`")) return std::nullopt;
  return any(map, "annotations", subject);
}

std::optional<RegistryStability> FileReader::stability(const YAML::Node& map,
                                                       const std::string& subject) {
  auto value = string(map, "stability", subject);
  if (!value) return std::nullopt;
  std::optional<RegistryStability> stability = registry_stability_named(*value);
  if (!stability) {
    error(map["stability"], subject,
          fmt::format("unknown stability `{}`; expected stable, release_candidate, beta, alpha "
                      "or development",
                      *value));
  }
  return stability;
}

void FileReader::instrument(const YAML::Node& map, const std::string& subject,
                            const std::string& value, Group& g) {
  g.has_instrument = !value.empty();
  if (value.empty()) return;
  g.instrument = semconv_instrument_named(value);
  if (!g.instrument) {
    error(map["instrument"], subject,
          fmt::format("unknown instrument `{}`; expected counter, updowncounter, gauge or "
                      "histogram",
                      value));
  }
}

std::optional<Deprecated> FileReader::deprecated(const YAML::Node& map,
                                                 const std::string& subject) {
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

std::optional<Requirement> FileReader::requirement_level(const YAML::Node& map,
                                                         const std::string& subject) {
  YAML::Node value = map["requirement_level"];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (value.IsScalar()) {
    std::optional<RequirementLevel> level = requirement_level_named(value.Scalar());
    if (!level) {
      error(value, subject, fmt::format("unknown requirement_level `{}`", value.Scalar()));
      return std::nullopt;
    }
    return Requirement{*level, ""};
  }
  if (value.IsMap() && value.size() == 1) {
    const auto& entry = *value.begin();
    std::optional<RequirementLevel> level =
        entry.first.IsScalar() ? requirement_level_named(entry.first.Scalar()) : std::nullopt;
    if (level && *level != RequirementLevel::kRequired && entry.second.IsScalar()) {
      return Requirement{*level, entry.second.Scalar()};
    }
  }
  error(value, subject,
        "`requirement_level` must be required, recommended, opt_in, or a one-entry map "
        "{conditionally_required|recommended|opt_in: text}");
  return std::nullopt;
}

std::optional<AttributeType> FileReader::type(const YAML::Node& map, const std::string& subject) {
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

void FileReader::common_attribute_fields(const YAML::Node& node, const std::string& subject,
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

void FileReader::entity_associations(const YAML::Node& map, const std::string& subject, Group& g) {
  YAML::Node value = map["entity_associations"];
  if (!value.IsDefined() || value.IsNull()) return;
  g.has_entity_associations = true;
  if (!value.IsSequence()) {
    error(value, subject, "`entity_associations` must be a list");
    return;
  }
  // Iterative over an explicit stack of (list node, output list, depth).
  struct Pending {
    YAML::Node list;
    std::vector<EntityAssociation>* into;
    int depth;
  };
  std::vector<Pending> pending{{value, &g.entity_associations, 0}};
  while (!pending.empty()) {
    Pending p = pending.back();
    pending.pop_back();
    p.into->reserve(p.list.size());
    for (const YAML::Node& item : p.list) {
      const char* shape =
          "an entity association is an entity name, {one_of: [...]} or {all_of: [...]}";
      if (item.IsScalar()) {
        std::string name = item.Scalar();
        if (name.find_first_not_of(" \t") == std::string::npos) {
          diagnostics_.error("InvalidGroup", at(item), subject,
                             "entity_associations contains an empty entity reference");
          continue;
        }
        p.into->push_back({EntityAssociation::Kind::kEntity, std::move(name), {}, ""});
        continue;
      }
      if (!item.IsMap() || item.size() != 1) {
        error(item, subject, shape);
        continue;
      }
      const auto& entry = *item.begin();
      std::string combinator = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if ((combinator != "one_of" && combinator != "all_of") || !entry.second.IsSequence()) {
        error(item, subject, shape);
        continue;
      }
      if (entry.second.size() == 0) {
        diagnostics_.error(
            "InvalidGroup", at(item), subject,
            fmt::format("entity_associations contains an empty `{}` group", combinator));
        continue;
      }
      if (p.depth + 1 > kMaxAssociationDepth) {
        error(
            item, subject,
            fmt::format("entity_associations nest more than {} levels deep", kMaxAssociationDepth));
        continue;
      }
      p.into->push_back({combinator == "one_of" ? EntityAssociation::Kind::kOneOf
                                                : EntityAssociation::Kind::kAllOf,
                         "",
                         {},
                         ""});
      pending.push_back({entry.second, &p.into->back().members, p.depth + 1});
    }
  }
}

}  // namespace coretel::schema
