// live_schema.h: the schema of what this process can emit right now, built from the live
// series (the admin endpoint's /api/v1/telemetry/live-schema), so telemetry is self-describing.
//
// COLD PATH. Any thread (SeriesRegistry is thread-safe).
//
// The document is a Weaver `resolved/2.0` registry in JSON, the format `weaver registry package`
// publishes (Weaver's docs/usage.md; example: Weaver's tests/published_v2_registry/
// resolved.yaml), so Weaver tooling and coretel-schema read it like any published registry:
//
//   {"file_format": "resolved/2.0",
//    "schema_url": <the application's registry: see the last paragraph>,
//    "attribute_catalog": [{"key", "type", "brief", "stability", "annotations"?}],
//    "registry": {"attributes": [<catalog index>...], "attribute_groups": [], "spans": [],
//                 "metrics": [METRIC...], "events": [], "entities": []},
//    "refinements": {"spans": [], "metrics": [{"id": <name>, ...METRIC}], "events": [],
//                    "entities": []}}
//
//   METRIC = {"name", "instrument", "unit",
//             "attributes": [{"base": <catalog index>, "requirement_level"}],
//             "brief", "stability",
//             "annotations": {"coretel": {"metric_set", "instrument"?, "value_type",
//                                         "temporality", "bounds"?}}}
//
// One metric per field of every metric set that has a live series (descriptors deduplicated by
// address), sorted by name. `instrument` is the semconv name: counter (Counter,
// ObserveCounter), updowncounter (UpDownCounter, ObserveUpDownCounter), gauge, histogram
// (Histogram, Mmsc); the coretel instrument is kept in annotations.coretel.instrument when it
// differs (mmsc, observe_counter, observe_updowncounter). value_type is u64/i64/f64,
// temporality none/delta/cumulative, bounds the histogram's bucket upper bounds.
//
// A metric's attributes are its set's attributes, sorted by key:
// - Sets whose descriptor carries registry facts (MetricsDescriptor::attributes, from
//   generated code) list every declared attribute with the declared brief, stability, type and
//   requirement_level; a type "enum" becomes the resolved/2.0 enum object
//   {"members": [{"id", "value", "stability"}, ...]} from AttributeDescriptor::members (the
//   registry's ids and stability), or, for facts without members, over `values` with
//   id = value and stability "development". Keys that live series use but the descriptor does
//   not declare are inferred as below.
// - Otherwise the keys are inferred from the set's live series (entity, registration and
//   measurement attributes) with brief "", stability "development", requirement_level
//   "recommended". The type is the semconv name of the AttributeValue ("string", "int",
//   "double", "boolean"); a measurement attribute is an enum of the union of its values.
//   When the set's series disagree on a key's type, it is "string" if every value they give
//   it is a string (a plain string beside an enum) and "any" otherwise: a lossless, legal
//   semconv type rather than a guess, so the disagreement stays visible.
// Measurement attributes (declared `measurement` or inferred enums) carry
// annotations {"coretel": {"measurement": true}}, as in the registry (tools/schema).
//
// The catalog holds each distinct entry once, sorted by key; a key appears more than once only
// when sets describe it differently (resolved/2.0 allows such variants). registry.attributes
// lists, without duplicates, the first catalog index of every key. schema_url is the one
// non-empty schema_url the application's live descriptors declare, "" when they disagree;
// coretel's own self-metrics (the sets of registry/coretel, recognised by that registry's
// schema_url) name the document only when no other set declares a schema_url. Hand-declared sets
// declare none.
#pragma once

#include <string>

#include "coretel/collect/registry.h"

namespace coretel {

/// The live schema above, as compact JSON, for every live series in `registry`.
std::string render_live_schema(const SeriesRegistry& registry);

}  // namespace coretel
