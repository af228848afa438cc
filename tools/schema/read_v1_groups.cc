// read_v1_groups.cc: the `groups:` of a definition/1 file (semantic-conventions syntax v1).
//
// Reads: the document map of a file without `file_format` or with `file_format: definition/1`:
// `groups:` (each with `id`, `type`, `brief`, `attributes` as definitions `id` under the group's
// `prefix` or references `ref`, and the signal fields), the top-level `imports:` (as in
// definition/2, read_manifest.cc) and the deprecated top-level `version`.
// Produces: one Group (syntax 1) per entry of `groups:`, in file order; one Import per glob.
// Diagnostics: InvalidSemConvSpec for an unknown key, a missing `id`/`brief`/attribute `type`,
// an unknown group type, instrument or span_kind, an attribute with both or neither of `id` and
// `ref`; the FileReader's field diagnostics. The deprecated top-level `version` is read with the
// file's format (reader.cc).
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "reader_internal.h"

namespace coretel::schema {
namespace {

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
                  "note", "stability", "deprecated", "annotations", "role", "prefix"},
                 subject);
    // Legacy `prefix: true`: the group embeds the referenced attribute under its own prefix
    // (`<prefix>.<ref>`), a new attribute others may reference (Weaver's resolver,
    // AttributeCatalog::resolve). Without a group prefix it is a plain reference.
    if (r.boolean(node, "prefix", subject).value_or(false) && !group.prefix.empty()) {
      spec.embedded_from = spec.key;
      spec.key = group.prefix + "." + spec.key;
    }
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
  const std::string instrument = r.string(node, "instrument", s).value_or("");
  g.unit = r.string(node, "unit", s).value_or("");
  g.span_kind = r.string(node, "span_kind", s).value_or("");
  g.name = r.string(node, "name", s).value_or("");
  if (auto body = r.any(node, "body", s)) g.body = std::move(*body);
  r.entity_associations(node, s, g);
  r.instrument(node, s, instrument, g);
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

}  // namespace

void read_v1_groups(FileReader& r, const YAML::Node& doc, RegistryDefinition& out) {
  // `imports` is accepted next to `groups`, as Weaver's SemConvSpecV1 accepts it: the same
  // registry-wide globs as in a definition/2 file.
  r.check_keys(doc, {"groups", "imports", "file_format", "version"}, "");
  read_imports(r, doc["imports"], out);
  YAML::Node groups = doc["groups"];
  if (groups.IsDefined() && !groups.IsNull()) {
    if (!groups.IsSequence()) {
      r.error(groups, "", "`groups` must be a list");
    } else {
      for (const YAML::Node& g : groups) read_v1_group(r, g, out);
    }
  }
}

}  // namespace coretel::schema
