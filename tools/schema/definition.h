// definition.h: a registry as written, after reading and before resolution.
//
// Both syntaxes of the semantic-conventions format land in this one model (Weaver does the
// same: Weaver's v2 -> v1 mapping of definition/2 files):
//   v1  `groups:` files, one Group per entry;
//   v2  `file_format: definition/2` files: the `attributes:` section becomes a synthetic
//       attribute group `registry.<file stem>`; metrics, spans, events and entities become
//       groups `metric.<name>`, `span.<type>`, `event.<name>`, `entity.<type>`; attribute groups
//       keep their id; a refinement becomes a group whose `refines` names its base signal.
// Optional fields are std::optional when "absent" and "empty" mean different things to a rule
// (inheritance from a referenced definition, Weaver's missing-field warnings).
//
// Source: OpenTelemetry Weaver, crates/weaver_semconv (GroupSpec, AttributeSpec,
// schemas/semconv.schema.v2.json, Weaver v0.25.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostic.h"
#include "vocabulary.h"

namespace coretel::schema {

/// Free-form YAML values (annotations, examples, event bodies), kept in document order.
using Json = nlohmann::ordered_json;

/// `deprecated: {reason, renamed_to?, note?}`. A legacy plain string is reason "unspecified"
/// with the string as note.
struct Deprecated {
  std::string reason;  ///< renamed | obsoleted | uncategorized | unspecified
  std::string renamed_to;
  std::string note;
};

/// `requirement_level`: required | recommended | opt_in | conditionally_required, with the
/// optional explanation of the map forms (`{conditionally_required: "text"}`).
struct Requirement {
  RequirementLevel level = RequirementLevel::kRecommended;
  std::string text;  ///< "" for the plain form

  bool operator==(const Requirement&) const = default;
};

struct EnumMember {
  std::string id;
  Json value;  ///< string, int or bool; defaults to `id` (Weaver 0.25)
  std::string brief;
  std::string note;
  std::optional<RegistryStability> stability;
  std::optional<Deprecated> deprecated;
  Json annotations = Json::object();
  SourceLocation location;
};

/// An attribute type: a primitive or array name ("string", "int", "double", "boolean", "any",
/// "string[]", ...), a template ("template[string]"), or "enum" with members.
struct AttributeType {
  std::string name;
  std::vector<EnumMember> members;

  bool is_enum() const noexcept { return name == "enum"; }
  bool is_template() const noexcept { return name.rfind("template[", 0) == 0; }
  bool is_array() const noexcept;
  /// The value type under a template (`template[string[]]` -> "string[]"), else `name`.
  std::string value_type() const;
};

/// One entry of a group's `attributes:` list: a definition (`id:` / v2 `key:`), a reference
/// (`ref:`) or a v2 group reference (`ref_group:`).
struct AttributeSpec {
  enum class Form { kDefinition, kReference, kGroupReference };
  Form form = Form::kDefinition;
  std::string key;  ///< attribute key (prefix applied), referenced key, or referenced group id
  std::optional<AttributeType> type;
  std::optional<std::string> brief;
  std::optional<std::string> note;
  std::optional<Json> examples;
  std::optional<RegistryStability> stability;
  std::optional<Deprecated> deprecated;
  std::optional<Json> annotations;
  std::optional<Requirement> requirement_level;
  std::optional<bool> sampling_relevant;
  std::optional<std::string> tag;
  std::optional<std::string> role;  ///< identifying | descriptive (entities)
  /// A v1 `ref` with `prefix: true` in a group with a `prefix`: the referenced key (`key` is
  /// then `<group prefix>.<ref>`, an attribute this reference defines).
  std::optional<std::string> embedded_from;
  SourceLocation location;
};

enum class GroupType {
  kAttributeGroup,
  kSpan,
  kEvent,
  kMetric,
  kMetricGroup,
  kEntity,
  kScope,
  kMissing,  ///< no `type:` (InvalidGroupMissingType)
};

std::string_view to_string(GroupType type) noexcept;

/// One node of an `entity_associations` expression (Weaver's `EntityAssociation`): an entity
/// named by its type (a leaf), or `one_of` / `all_of` over nodes, nested to any depth. A
/// signal's list is an implicit `one_of`: the telemetry must satisfy at least one entry.
struct EntityAssociation {
  enum class Kind { kEntity, kOneOf, kAllOf };
  Kind kind = Kind::kEntity;
  std::string entity;                      ///< kEntity: the entity type (or refinement id) named
  std::vector<EntityAssociation> members;  ///< kOneOf, kAllOf
  /// kEntity, once resolved: the schema_url of the registry that declares the entity, or ""
  /// when it is the resolved registry itself.
  std::string provenance;
  bool operator==(const EntityAssociation&) const = default;
};

/// Calls `f(leaf)` for each entity leaf of `associations`, depth first in order.
template <typename Associations, typename F>
void for_each_entity(Associations& associations, F&& f) {
  for (auto& a : associations) {
    if (a.kind == EntityAssociation::Kind::kEntity) {
      f(a);
    } else {
      for_each_entity(a.members, f);
    }
  }
}

struct Group {
  std::string id;
  GroupType type = GroupType::kMissing;
  int syntax = 1;  ///< 1 (groups:) or 2 (definition/2)
  std::optional<std::string> brief;
  std::string note;
  std::optional<RegistryStability> stability;
  std::optional<Deprecated> deprecated;
  std::string extends;
  std::string prefix;  ///< legacy, v1 only
  std::string display_name;
  std::vector<AttributeSpec> attributes;
  bool has_attributes_key = false;
  Json annotations = Json::object();
  /// `entity_associations`, as written (nested `one_of` / `all_of` kept).
  std::vector<EntityAssociation> entity_associations;
  bool has_entity_associations = false;  ///< the key is present (even empty)
  // metric
  std::string metric_name;
  std::optional<SemconvInstrument> instrument;  ///< nullopt when absent or unknown
  /// `instrument:` is present and not empty (an unknown one was reported by the reader, and
  /// is not reported again as missing).
  bool has_instrument = false;
  std::string unit;
  // span
  std::string span_kind;
  std::vector<std::string> span_events;
  std::string span_name_note;  ///< v2 `name: {note}`
  // event
  std::string name;  ///< event name (v1 `name`); entity type for entities
  Json body;
  // v2
  std::string visibility;                               ///< v2 attribute groups: internal | public
  std::optional<std::string> signal_requirement_level;  ///< v2 signals: recommended | opt_in
  std::string refines;  ///< v2 refinement: the base signal's name (metric name, span type...)
  bool is_refinement = false;
  SourceLocation location;
  std::string file;
};

/// A dependency declared by the manifest.
struct Dependency {
  std::string name;
  std::string schema_url;
  std::string registry_path;  ///< a local folder (absolute or relative to the registry root)
  SourceLocation location;    ///< of the `registry_path` value
};

/// One glob of a v2 file's `imports:` (the semantic-conventions v2 schema): the items of the
/// dependencies it pulls into the resolved registry.
struct Import {
  std::string section;  ///< metrics | events | entities | spans | attribute_groups
  std::string pattern;  ///< fnmatch(3) glob over metric name, event name, type or group id
  SourceLocation location;
};

/// `manifest.yaml` (or the legacy `registry_manifest.yaml`). Name and version derive from
/// `schema_url` (`https://host/path/<version>`).
struct Manifest {
  bool present = false;
  std::string schema_url;
  std::string description;
  RegistryStability stability = RegistryStability::kDevelopment;
  std::string name;
  std::string version;
  std::vector<Dependency> dependencies;
  /// Publication manifests (`file_format: manifest/2.0`): the resolved/2.0 file, relative to
  /// the registry root.
  std::string resolved_registry_uri;
  std::string file;
};

/// What reading a registry took (read_registry), over the registry and its dependencies.
struct ReadStats {
  std::size_t registries = 0;  ///< registry folders read: each once, however many paths reach it
  std::size_t files = 0;       ///< registry files read (manifests included)
  std::uint64_t bytes = 0;     ///< their total size
};

/// Everything read from one registry folder.
struct RegistryDefinition {
  std::string root;
  Manifest manifest;
  std::vector<std::string> files;  ///< every registry file read, sorted
  std::vector<Group> groups;       ///< in file order, files sorted by path
  std::vector<Import> imports;     ///< of every v2 file, in file order
  /// The manifest's local dependencies, each read as a registry (with its own dependencies),
  /// in manifest order. Remote ones (DependencyNotLocal) and unreadable ones are absent.
  /// Their file names are prefixed with the dependency's folder as the manifest names it.
  /// A registry reachable along several paths (a diamond) is read once and shared: its file
  /// names are those of the first path read_registry took (manifest order, depth first).
  std::vector<std::shared_ptr<const RegistryDefinition>> dependencies;
  /// Set on the registry read_registry returns; zero in its dependencies.
  ReadStats read_stats;
};

}  // namespace coretel::schema
