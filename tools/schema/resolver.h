// resolver.h: turns a RegistryDefinition into a ResolvedRegistry (the "resolve" stage).
//
// What it resolves (Weaver's registry docs and its resolver): `ref` (the definition's fields,
// overridden by the fields the reference sets; a missing requirement level inherits the one already
// on the signal, else `recommended`), `extends` (multi-level, with cycle detection), v2 `ref_group`
// (inline `ref` > `ref_group` > inherited), refinements (base signal, then the refinement's
// groups and refs; annotations deep-merged), and coretel metric sets
// (docs/metric-sets-in-the-registry.md).
//
// Diagnostics, with Weaver's ids: UnresolvedAttributeRef, UnresolvedExtendsRef,
// UnresolvedIncludeRef, CircularExtends, DuplicateAttributeId (error), DuplicateGroupId,
// DuplicateMetricName, DuplicateGroupName (warnings), InvalidRefinement,
// EntityRefinementChangedIdentity (errors); coretel's own: coretel_metric_set_* (errors).
//
// Dependencies (registry.dependencies, read by read_registry): `ref`, `extends` and `ref_group`
// may name their attributes and groups (ExcludedFromDependencyResolution when the item is
// annotated `dependency_resolution: {exclude: true}`); v2 `imports:` globs pull their signals
// and attribute groups into the output (UnmatchedImport, a warning, when a glob selects
// nothing). Dependency items in the output carry `from_dependency`.
#pragma once

#include "definition.h"
#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

ResolvedRegistry resolve(const RegistryDefinition& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
