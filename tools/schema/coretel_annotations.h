// coretel_annotations.h: coretel's own `coretel:` annotations (docs/metric-sets-in-the-registry.md)
// parsed once into typed fields (coretel_annotation.h), and coretel's rules over them, so that a
// registry `check` accepts always generates C++ that compiles.
//
// Two stages: parse_coretel_annotations (run by resolve(), before it builds the metric sets
// from the typed fields) reports what is wrong with one annotation; check_coretel_annotations
// (run after resolve) what is wrong across the members of a metric set.
//
// Rule ids (all errors, located at the metric or attribute definition):
//   coretel_annotation_invalid               `coretel:` is not a map, has an unknown key, or a
//                                            key has a value of the wrong type or range
//   coretel_metric_set_instrument_mismatch   `instrument:` / `value_type:` /
//                                            `histogram_bounds:` does not fit the metric's
//                                            semconv instrument (e.g. a counter cannot be i64:
//                                            coretel::Counter is uint64_t or double), or a set
//                                            member's semconv instrument has no coretel kind
//   coretel_metric_set_field_collision       two members of one set have the same C++ member
//                                            name (generate_cpp.h: metric_set_field_name)
//   coretel_metric_set_measurement_not_enum  a measurement attribute is not an enum, or is one
//                                            without members or with non-string values
//   coretel_annotation_unused                (warning) a per-metric key on a metric that is in
//                                            no metric set: nothing reads it
// `code_generation: {metric_value_type: int|double}` (semantic conventions' annotation) is
// checked too: another value is coretel_annotation_invalid.
// Which coretel instrument a semconv instrument may be, and which value types each holds, come
// from kInstrumentCatalog (include/coretel/metrics/instrument_catalog.h).
//
// Weaver passes annotations through unchanged, so none of this changes what Weaver accepts.
// Thread-safety: pure functions of their inputs.
#pragma once

#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

/// Sets Signal::coretel of every metric of `registry` (not refinements) and
/// CatalogAttribute::coretel of every catalog entry from their `annotations`, and reports each
/// bad annotation: metrics first, in order, then each distinct catalog annotation once.
void parse_coretel_annotations(ResolvedRegistry& registry, Diagnostics& diagnostics);

/// The rules across the members of each metric set (field collisions, measurement attributes
/// that are not string enums). Expects parse_coretel_annotations to have run (resolve() does).
void check_coretel_annotations(const ResolvedRegistry& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
