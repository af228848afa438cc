// diff.h: what changed between two versions of a registry (`coretel-schema diff`).
//
// Changes per item kind (attributes, metrics, spans, events, entities, attribute groups), in
// the vocabulary of `weaver registry diff` (Weaver's `registry diff` docs): added, removed, renamed
// (from `deprecated: {reason: renamed}`), obsoleted, uncategorized (newly deprecated), and updated
// (unit, instrument, type, stability, attribute changes). Each change says whether it breaks
// compatibility per the stability rules (compatibility.h): a break on a stable item makes the
// verdict "breaking".
#pragma once

#include <string>
#include <vector>

#include "resolved_registry.h"

namespace coretel::schema {

struct Change {
  std::string kind;  ///< attribute | metric | span | event | entity | attribute_group
  std::string type;  ///< added | removed | renamed | obsoleted | uncategorized | updated
  std::string name;
  std::string new_name;   ///< renamed: the new name
  std::string detail;     ///< updated: what changed ("unit: s -> ms"); deprecated: the note
  bool breaking = false;  ///< breaks a stable item
};

struct RegistryDiff {
  std::string old_schema_url;
  std::string new_schema_url;
  std::vector<Change> changes;

  bool breaks_stable() const noexcept;
};

RegistryDiff diff_registries(const ResolvedRegistry& old_registry,
                             const ResolvedRegistry& new_registry);

std::string format_diff_text(const RegistryDiff& diff);
/// {"old_schema_url", "new_schema_url", "verdict": "compatible"|"breaking",
///  "changes": [{"kind","type","name","new_name"?,"detail"?,"breaking"}]}
std::string format_diff_json(const RegistryDiff& diff);

}  // namespace coretel::schema
