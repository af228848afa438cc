// read_v2_sections.cc: the sections of a definition/2 file (semantic-conventions syntax v2).
//
// Reads: the document map of a `file_format: definition/2` file: `attributes` (definitions,
// `key`), `attribute_groups`, the signals `metrics`, `spans`, `events`, `entities`, their
// `*_refinements`, and `imports` (read_manifest.cc).
// Produces: one internal attribute group `registry.<file path>` holding the file's attribute
// definitions, then one Group (syntax 2) per entry of the other sections, in the order of the
// table below and file order within a section; refinements have is_refinement and `refines`.
// Diagnostics: UnstableFileFormat (a warning) for the format; InvalidSemConvSpec for an unknown
// key, a section that is not a list, a missing required field (a definition's `key`, `type`,
// `brief`, `stability`; a signal's name and `brief`; a metric's `instrument`, `unit`; a span's
// `kind`; a refinement's `id`, `ref`; an attribute group's `id`, `visibility`), a bad `visibility`
// or signal `requirement_level`, an unknown `instrument`, a public attribute group without
// `brief` and `stability`;
// EntityMissingIdentity for an entity without `identity`; the FileReader's field diagnostics.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "reader_internal.h"

namespace coretel::schema {
namespace {

/// One list of attribute references of a group: its key, and the role its references get.
struct AttributeList {
  const char* key;
  const char* role;  ///< nullptr: as written
};

void read_v2_attribute_refs(FileReader& r, const YAML::Node& list, Group& group,
                            const AttributeList& which) {
  if (!list.IsDefined() || list.IsNull()) return;
  group.has_attributes_key = true;
  if (!list.IsSequence()) {
    r.error(list, group.id, fmt::format("`{}` must be a list", which.key));
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
    if (which.role) spec.role = which.role;
    group.attributes.push_back(std::move(spec));
  }
}

/// `attributes`: the file's attribute definitions, as one internal attribute group named after
/// the file (`file_stem`: its path without extension, `/` as `.`).
void read_v2_attributes(FileReader& r, const YAML::Node& list, const std::string& file_stem,
                        RegistryDefinition& out) {
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
  out.groups.push_back(std::move(g));
}

// ---------------------------------------------------------------- groups and signals

/// What one kind of v2 group reads beyond the shared fields, right after its keys are checked
/// (`g.id`, `g.is_refinement` are set).
using ReadOwnFields = void (*)(FileReader& r, const YAML::Node& node, Group& g);
/// A check of one kind of v2 group once its shared fields are read.
using CheckGroup = void (*)(FileReader& r, const YAML::Node& node, const Group& g);

/// How one kind of v2 group is read: a row of kGroupKinds.
struct GroupKind {
  std::string_view section{};      ///< the definitions' section, e.g. "metrics"
  std::string_view refinements{};  ///< the refinements' section, or "" when it has none
  GroupType type = GroupType::kMissing;
  const char* name_key = nullptr;            ///< a definition's name, e.g. "name"
  std::string_view id_prefix{};              ///< the group id is id_prefix + name, e.g. "metric."
  std::string Group::*name_field = nullptr;  ///< where the name is kept too, if anywhere
  KeyList keys{};                            ///< allowed in a definition
  KeyList refinement_keys{};                 ///< allowed in a refinement
  std::span<const AttributeList> attribute_lists{};
  /// A signal reads `requirement_level` and `entity_associations`, and a signal definition
  /// needs `brief`.
  bool signal = true;
  ReadOwnFields read_own = nullptr;  ///< right after the keys are checked
  CheckGroup check_read = nullptr;   ///< once the shared fields are read
};

/// The fields every v2 group and refinement has; with `signal`, the fields signals add.
void read_shared_fields(FileReader& r, const YAML::Node& node, Group& g, bool signal) {
  const std::string& s = g.id;
  g.brief = r.string(node, "brief", s);
  g.note = r.string(node, "note", s).value_or("");
  g.stability = r.stability(node, s);
  g.deprecated = r.deprecated(node, s);
  g.annotations = r.annotations(node, s).value_or(Json::object());
  if (!signal) return;
  g.signal_requirement_level = r.string(node, "requirement_level", s);
  if (g.signal_requirement_level && *g.signal_requirement_level != "recommended" &&
      *g.signal_requirement_level != "opt_in") {
    r.error(node["requirement_level"], s,
            "a signal's `requirement_level` is recommended or opt_in");
  }
  r.entity_associations(node, s, g);
}

void read_visibility(FileReader& r, const YAML::Node& node, Group& g) {
  g.visibility = r.string(node, "visibility", g.id, true).value_or("internal");
  if (g.visibility != "internal" && g.visibility != "public") {
    r.error(node["visibility"], g.id, "`visibility` must be internal or public");
  }
}

void check_public_group(FileReader& r, const YAML::Node& node, const Group& g) {
  if (g.visibility == "public" && (!g.brief || !g.stability)) {
    r.error(node, g.id, "a public attribute group needs `brief` and `stability`");
  }
}

void read_metric_fields(FileReader& r, const YAML::Node& node, Group& g) {
  if (g.is_refinement) return;
  r.instrument(node, g.id, r.string(node, "instrument", g.id, true).value_or(""), g);
  g.unit = r.string(node, "unit", g.id, true).value_or("");
}

void read_span_fields(FileReader& r, const YAML::Node& node, Group& g) {
  if (!g.is_refinement) g.span_kind = r.string(node, "kind", g.id, true).value_or("");
  YAML::Node name = node["name"];
  if (name.IsDefined() && r.expect_map(name, g.id, "a span's `name`")) {
    r.check_keys(name, {"note"}, g.id);
    g.span_name_note = r.string(name, "note", g.id).value_or("");
  }
}

void read_event_fields(FileReader& r, const YAML::Node& node, Group& g) {
  if (g.is_refinement) return;
  if (auto body = r.any(node, "body", g.id)) g.body = std::move(*body);
}

void read_entity_fields(FileReader& r, const YAML::Node& node, Group& g) {
  if (!g.is_refinement && !node["identity"].IsDefined()) {
    r.error(node, g.id, "an entity needs an `identity` list", "EntityMissingIdentity");
  }
}

// The keys each kind allows (their order does not matter: unknown keys are reported in the
// order they are written).
// clang-format off
constexpr std::string_view kAttributeGroupKeys[] = {
    "id", "visibility", "brief", "note", "stability", "deprecated", "annotations", "attributes"};
constexpr std::string_view kMetricKeys[] = {
    "name", "instrument", "unit", "brief", "note", "stability", "deprecated", "annotations",
    "attributes", "entity_associations", "requirement_level"};
constexpr std::string_view kMetricRefinementKeys[] = {
    "id", "ref", "brief", "note", "stability", "deprecated", "annotations", "attributes",
    "entity_associations"};
constexpr std::string_view kSpanKeys[] = {
    "type", "kind", "name", "brief", "note", "stability", "deprecated", "annotations",
    "attributes", "entity_associations", "requirement_level"};
constexpr std::string_view kSpanRefinementKeys[] = {
    "id", "ref", "name", "brief", "note", "stability", "deprecated", "annotations", "attributes",
    "entity_associations"};
constexpr std::string_view kEventKeys[] = {
    "name", "brief", "note", "stability", "deprecated", "annotations", "attributes",
    "entity_associations", "requirement_level", "body"};
constexpr std::string_view kEventRefinementKeys[] = {
    "id", "ref", "brief", "note", "stability", "deprecated", "annotations", "attributes",
    "entity_associations"};
constexpr std::string_view kEntityKeys[] = {
    "type", "identity", "description", "brief", "note", "stability", "deprecated", "annotations",
    "requirement_level"};
constexpr std::string_view kEntityRefinementKeys[] = {
    "id", "ref", "identity", "description", "brief", "note", "stability", "deprecated",
    "annotations"};

constexpr AttributeList kAttributes[] = {{"attributes", nullptr}};
constexpr AttributeList kEntityAttributes[] = {{"identity", "identifying"},
                                               {"description", "descriptive"}};

/// Every v2 section but `attributes`, in reading order: each kind's definitions, then each kind's
/// refinements.
constexpr GroupKind kGroupKinds[] = {
    {.section = "attribute_groups", .type = GroupType::kAttributeGroup, .name_key = "id",
     .keys = kAttributeGroupKeys, .attribute_lists = kAttributes, .signal = false,
     .read_own = read_visibility, .check_read = check_public_group},
    {.section = "metrics", .refinements = "metric_refinements", .type = GroupType::kMetric,
     .name_key = "name", .id_prefix = "metric.", .name_field = &Group::metric_name,
     .keys = kMetricKeys, .refinement_keys = kMetricRefinementKeys,
     .attribute_lists = kAttributes, .read_own = read_metric_fields},
    {.section = "spans", .refinements = "span_refinements", .type = GroupType::kSpan,
     .name_key = "type", .id_prefix = "span.", .name_field = &Group::name,
     .keys = kSpanKeys, .refinement_keys = kSpanRefinementKeys,
     .attribute_lists = kAttributes, .read_own = read_span_fields},
    {.section = "events", .refinements = "event_refinements", .type = GroupType::kEvent,
     .name_key = "name", .id_prefix = "event.", .name_field = &Group::name,
     .keys = kEventKeys, .refinement_keys = kEventRefinementKeys,
     .attribute_lists = kAttributes, .read_own = read_event_fields},
    {.section = "entities", .refinements = "entity_refinements", .type = GroupType::kEntity,
     .name_key = "type", .id_prefix = "entity.", .name_field = &Group::name,
     .keys = kEntityKeys, .refinement_keys = kEntityRefinementKeys,
     .attribute_lists = kEntityAttributes, .read_own = read_entity_fields},
};
// clang-format on

/// Reads `kind`'s definitions (with `refinement`, its refinements) from `doc` into
/// `out.groups`.
void read_v2_groups(FileReader& r, const YAML::Node& doc, const GroupKind& kind, bool refinement,
                    RegistryDefinition& out) {
  std::string section(refinement ? kind.refinements : kind.section);
  YAML::Node list = doc[section];
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.error(list, "", fmt::format("`{}` must be a list", section));
    return;
  }
  for (const YAML::Node& node : list) {
    if (!r.expect_map(node, "", fmt::format("an entry of `{}`", section))) continue;
    Group g;
    g.syntax = 2;
    g.type = kind.type;
    g.file = r.file();
    g.location = r.at(node);
    g.is_refinement = refinement;
    if (refinement) {
      g.id = r.string(node, "id", "", true).value_or("");
      g.refines = r.string(node, "ref", g.id, true).value_or("");
    } else {
      std::string name = r.string(node, kind.name_key, "", true).value_or("");
      g.id = fmt::format("{}{}", kind.id_prefix, name);
      if (kind.name_field) g.*kind.name_field = std::move(name);
    }
    r.check_keys(node, refinement ? kind.refinement_keys : kind.keys, g.id);
    if (kind.read_own) kind.read_own(r, node, g);
    read_shared_fields(r, node, g, kind.signal);
    if (kind.check_read) kind.check_read(r, node, g);
    for (const AttributeList& which : kind.attribute_lists) {
      read_v2_attribute_refs(r, node[which.key], g, which);
    }
    if (kind.signal && !refinement && !g.brief && absent(node, "brief")) {
      r.error(node, g.id, "missing field `brief`");
    }
    out.groups.push_back(std::move(g));
  }
}

/// The attribute group id of a file's attribute definitions: its path without extension, `/`
/// and `\` as `.`.
std::string file_stem_id(const std::string& file) {
  std::string stem = file;
  if (auto dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  for (char& c : stem) {
    if (c == '/' || c == '\\') c = '.';
  }
  return stem;
}

}  // namespace

void read_v2_sections(FileReader& r, const YAML::Node& doc, RegistryDefinition& out) {
  // Said of `version: '2'` (deprecated, reader.cc) when the file names its format that way.
  r.warning("UnstableFileFormat",
            doc["file_format"].IsDefined() ? doc["file_format"] : doc["version"], "",
            "`file_format: definition/2` is an alpha format and may change");
  r.check_keys(doc,
               {"file_format", "version", "attributes", "attribute_groups", "metrics", "spans",
                "events", "entities", "metric_refinements", "span_refinements", "event_refinements",
                "entity_refinements", "imports"},
               "");
  if (YAML::Node list = doc["attributes"]; list.IsDefined() && !list.IsNull()) {
    if (!list.IsSequence()) {
      r.error(list, "", "`attributes` must be a list");
    } else {
      read_v2_attributes(r, list, file_stem_id(r.file()), out);
    }
  }
  for (const GroupKind& kind : kGroupKinds) read_v2_groups(r, doc, kind, false, out);
  for (const GroupKind& kind : kGroupKinds) {
    if (!kind.refinements.empty()) read_v2_groups(r, doc, kind, true, out);
  }
  read_imports(r, doc["imports"], out);
}

}  // namespace coretel::schema
