// resolved_registry.h: a registry after resolution, in the shape of Weaver's `resolved/2.0`
// (Weaver's `registry resolve` docs and the resolved-registry JSON schema): an attribute catalog,
// and signals whose attributes point into it with their per-use requirement level.
//
// Resolution has applied `ref` inheritance and overrides, `extends`, `ref_group`, refinements
// and prefixes, so every field here is final. Catalog entries are unique: one entry per
// distinct (definition + overrides), so a key may appear more than once when a signal
// overrides its brief, note, examples or annotations.
//
// Consumers: stats, the resolved/2.0 writer, the C++ and Markdown generators, diff and the
// compatibility rules. Immutable once built; share freely across threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "coretel_annotation.h"
#include "definition.h"

namespace coretel::schema {

/// One catalog entry (resolved/2.0 `attribute_catalog[i]`).
struct CatalogAttribute {
  std::string key;
  AttributeType type;
  std::string brief;
  std::string note;
  Json examples;                               ///< null when absent
  std::optional<RegistryStability> stability;  ///< nullopt when the definition has none
  std::optional<Deprecated> deprecated;
  Json annotations = Json::object();
  /// `annotations.coretel`, typed (parse_coretel_annotations). Not set on the copies in
  /// ReplacedReference.
  CoretelAttributeAnnotation coretel;
  SourceLocation location;  ///< of the definition
  /// Defined by a dependency (and referenced here): not checked by this registry's policies.
  bool from_dependency = false;
};

/// A signal's use of a catalog attribute.
struct AttributeRef {
  std::size_t base = 0;  ///< index into ResolvedRegistry::catalog
  Requirement requirement_level;
  std::optional<bool> sampling_relevant;
  std::string role;  ///< entities: identifying | descriptive
};

/// A reference a later reference to the same key in the same `attributes:` list replaced
/// (InvalidGroupDuplicateAttributeRef): not one of the signal's attributes, but the policies
/// check it as one, so that a later `opt_in` cannot hide an earlier `required` from the
/// stability rules.
struct ReplacedReference {
  CatalogAttribute attribute;  ///< as this reference saw it (its overrides applied)
  AttributeRef ref;            ///< `base` is not set: the attribute is not in the catalog
};

enum class SignalKind { kAttributeGroup, kMetric, kSpan, kEvent, kEntity };

std::string_view to_string(SignalKind kind) noexcept;

/// A resolved metric, span, event, entity or public attribute group.
struct Signal {
  SignalKind kind = SignalKind::kMetric;
  std::string group_id;  ///< the v1 group id (or the synthetic one of a v2 item)
  /// metric name, span type, event name, entity type, or the attribute group's id.
  std::string name;
  std::string brief;
  std::string note;
  std::optional<RegistryStability> stability;  ///< nullopt when the definition has none
  std::optional<Deprecated> deprecated;
  Json annotations = Json::object();
  /// Metrics (not refinements): `annotations.coretel`, typed (parse_coretel_annotations);
  /// nullopt unless the metric is a member of a metric set.
  std::optional<CoretelMetricAnnotation> coretel;
  std::vector<AttributeRef> attributes;     ///< entities: identity first, then description
  std::vector<ReplacedReference> replaced;  ///< earlier references of a key referenced twice
  /// `entity_associations` with each entity leaf resolved (EntityAssociation::provenance).
  std::vector<EntityAssociation> entity_associations;
  std::string display_name;
  std::optional<SemconvInstrument> instrument;  ///< metrics
  std::string unit;                             ///< metrics
  std::string span_kind;                        ///< spans
  std::string span_name_note;
  std::string requirement_level;  ///< v2 signal-level (recommended | opt_in); "" for v1
  std::string refines;            ///< refinements: the base signal's name
  SourceLocation location;
  /// Pulled from a dependency by `imports:`: not checked by this registry's policies.
  bool from_dependency = false;
};

/// A coretel metric set (docs/metric-sets-in-the-registry.md): member metrics annotated `coretel:
/// {metric_set: NAME}` (Signal::coretel) that share one attribute group. Attributes annotated
/// `coretel: {measurement: true}` (CatalogAttribute::coretel) are the per-record measurement
/// dimensions (bounded enums); those annotated `coretel: {registration: true}` are given at
/// registration and carried by each data point; the others are the entity tuple (the scope),
/// given at registration.
struct MetricSet {
  std::string name;
  std::string brief;
  std::string attribute_group;           ///< id of the shared group ("" when members have none)
  std::vector<std::size_t> metrics;      ///< indices into ResolvedRegistry::metrics
  std::vector<AttributeRef> attributes;  ///< the entity tuple
  std::vector<AttributeRef> measurement_attributes;
  std::vector<AttributeRef> registration_attributes;
  SourceLocation location;
};

struct ResolvedRegistry {
  std::string schema_url;
  std::string description;
  RegistryStability stability = RegistryStability::kDevelopment;  ///< the manifest's
  std::vector<CatalogAttribute> catalog;
  std::vector<std::size_t> attributes;   ///< catalog indices of the original definitions
  std::vector<Signal> attribute_groups;  ///< v2 public ones (v1 groups are authoring aids)
  std::vector<Signal> metrics;
  std::vector<Signal> spans;
  std::vector<Signal> events;
  std::vector<Signal> entities;
  std::vector<Signal> metric_refinements;
  std::vector<Signal> span_refinements;
  std::vector<Signal> event_refinements;
  std::vector<Signal> entity_refinements;
  std::vector<MetricSet> metric_sets;

  const CatalogAttribute& attribute(const AttributeRef& ref) const { return catalog[ref.base]; }
  /// The original definition of `key`, or nullptr.
  const CatalogAttribute* find_attribute(std::string_view key) const;
  const Signal* find_metric(std::string_view name) const;
};

}  // namespace coretel::schema
