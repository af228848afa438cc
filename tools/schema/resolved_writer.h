// resolved_writer.h: writes a ResolvedRegistry in Weaver's `resolved/2.0` shape
// (Weaver's resolved-registry JSON schema; example:
// weaver/tests/published_v2_registry/resolved.yaml):
//
//   file_format: resolved/2.0
//   schema_url: ...
//   attribute_catalog: [{key, type, examples?, brief, stability, note?, deprecated?, annotations?}]
//   registry: {attributes: [catalog index...], attribute_groups, spans, metrics, events, entities}
//   refinements: {spans, metrics, events, entities}   (each base signal too, id = its name)
//
// Signals list their attributes as {base: <catalog index>, requirement_level, ...}. Enum types
// are written as {members: [{id, value, brief?, stability, ...}]}.
#pragma once

#include <string>

#include "resolved_registry.h"

namespace coretel::schema {

/// The resolved/2.0 document as JSON.
Json to_resolved_json(const ResolvedRegistry& registry);

/// The same document as YAML text.
std::string to_yaml(const Json& document);

}  // namespace coretel::schema
