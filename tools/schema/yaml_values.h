// yaml_values.h: typed access to yaml-cpp nodes for the registry reader, with locations.
//
// yaml-cpp keeps every scalar as text; the YAML 1.2 core schema decides what a plain scalar
// means (`true`, `42`, `4.2`, `null`), and a quoted scalar is always a string. Conversion to
// JSON is bounded (depth and node count) so that hostile input (deep nesting, alias bombs)
// cannot exhaust the stack or memory.
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "definition.h"
#include "diagnostic.h"

namespace coretel::schema {

/// The 1-based location of `node` in `file` (line 0 when yaml-cpp has no mark for it).
SourceLocation location_of(const std::string& file, const YAML::Node& node);

/// A plain or quoted scalar as JSON per the YAML 1.2 core schema.
Json scalar_to_json(const YAML::Node& node);

/// Limits on converting a YAML tree to JSON.
inline constexpr int kMaxYamlDepth = 64;
inline constexpr std::size_t kMaxYamlNodes = 200000;

/// `node` as JSON, or nullopt when it is nested deeper than kMaxYamlDepth or expands (through
/// aliases) to more than kMaxYamlNodes nodes.
std::optional<Json> yaml_to_json(const YAML::Node& node);

/// "map", "sequence", "scalar" or "null": for "expected X, found Y" messages.
std::string_view yaml_kind(const YAML::Node& node);

}  // namespace coretel::schema
