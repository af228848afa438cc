// stats.h: counts of what a registry declares (`coretel-schema stats`).
//
// Counts follow Weaver's `registry stats` categories: attributes are definitions
// (v1 `id:` + v2 `attributes:`), deprecated ones included; metrics, events, spans and entities
// are signals, refinements excluded; attribute groups are v1 `attribute_group` groups plus every
// v2 `attribute_groups` entry (internal ones included).
#pragma once

#include "definition.h"
#include "resolved_registry.h"

namespace coretel::schema {

/// {"attributes", "metrics", "events", "spans", "entities", "attribute_groups",
///  "metric_sets", "deprecated_attributes", "deprecated_metrics", ...}.
Json registry_stats(const RegistryDefinition& definition, const ResolvedRegistry& resolved);

/// The same counts as aligned "name  value" lines.
std::string format_stats_text(const Json& stats);

}  // namespace coretel::schema
