// live_schema.h: the schema of what this process can emit right now, built from the live
// series (the admin endpoint's /api/v1/telemetry/live-schema), so telemetry is self-describing.
//
// COLD PATH. Any thread (SeriesRegistry is thread-safe).
//
//   {"file_format": "coretel-live-schema/1",
//    "metric_sets": [{"name", "brief", "stability",
//                     "fields": [{"name", "unit", "brief", "instrument", "temporality",
//                                 "value_type", "stability", "bounds"?}],
//                     "entity_attributes": [{"key", "type"}],
//                     "registration_attributes": [{"key", "type"}],
//                     "measurement_attributes": [{"key", "type": "string", "values": [...]}]}],
//    "attributes": [{"key", "type", "kinds": ["entity" | "registration" | "measurement"],
//                    "values"?: [...]}]}
//
// Types use the semantic-conventions attribute type names: "string", "int", "double",
// "boolean" ("mixed" when live series disagree). Metric sets and attributes are sorted by name.
#pragma once

#include <string>

#include "coretel/collect/registry.h"

namespace coretel {

/// The live schema above: the distinct metric sets (descriptors deduplicated by address) of
/// every live series in `registry`, with the union of their attribute keys.
std::string render_live_schema(const SeriesRegistry& registry);

}  // namespace coretel
