// compatibility_rules.h: internal to coretel_schema. The backward-compatibility rules of
// compatibility.h as findings about items, written once and shared by check_compatibility
// (which reports them as diagnostics) and diff_registries (which marks the changes they
// concern as breaking).
#pragma once

#include <string>
#include <vector>

#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema::detail {

struct CompatibilityFinding {
  /// The item the finding is about, in diff.h's vocabulary: kind is attribute | metric | span |
  /// event | entity | attribute_group; name is the attribute key, metric name, span type,
  /// event name, entity type or attribute group id.
  std::string kind;
  std::string name;
  bool stable = false;    ///< the baseline item was stable
  Diagnostic diagnostic;  ///< id, severity (error), location, subject (= name), message
};

/// Every finding of `current` against `baseline`, in baseline order: attributes, metrics,
/// spans, events, entities, attribute groups.
std::vector<CompatibilityFinding> compatibility_findings(const ResolvedRegistry& baseline,
                                                         const ResolvedRegistry& current);

}  // namespace coretel::schema::detail
