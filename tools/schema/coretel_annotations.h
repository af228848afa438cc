// coretel_annotations.h: coretel's own rules over the `coretel:` annotations of a resolved
// registry (docs/metric-sets-in-the-registry.md), so that a registry `check` accepts always
// generates C++ that compiles.
//
// Rule ids (all errors, located at the metric or attribute definition):
//   coretel_annotation_invalid               `coretel:` is not a map, has an unknown key, or a
//                                            key has a value of the wrong type or range
//   coretel_metric_set_instrument_mismatch   `instrument:` / `value_type:` /
//                                            `histogram_bounds:` does not fit the metric's
//                                            semconv instrument (e.g. a counter cannot be i64:
//                                            coretel::Counter is uint64_t or double)
//   coretel_metric_set_field_collision       two members of one set have the same C++ member
//                                            name (generate_cpp.h: metric_set_field_name)
//   coretel_metric_set_measurement_not_enum  a measurement attribute is not an enum, or is one
//                                            without members or with non-string values
//   coretel_annotation_unused                (warning) a per-metric key on a metric that is in
//                                            no metric set: nothing reads it
// `code_generation: {metric_value_type: int|double}` (semantic conventions' annotation) is
// checked too: another value is coretel_annotation_invalid.
//
// Weaver passes annotations through unchanged, so none of this changes what Weaver accepts.
// Thread-safety: a pure function of its inputs.
#pragma once

#include "diagnostic.h"
#include "resolved_registry.h"

namespace coretel::schema {

void check_coretel_annotations(const ResolvedRegistry& registry, Diagnostics& diagnostics);

}  // namespace coretel::schema
