// coretel_annotation.h: coretel's `coretel:` annotations (docs/metric-sets-in-the-registry.md),
// typed. The resolver parses them once (parse_coretel_annotations, coretel_annotations.h) and
// stores the result on the resolved model (Signal::coretel, CatalogAttribute::coretel); no
// later stage reads the raw `coretel` JSON.
//
// The instrument kinds and value types are those of coretel's one instrument table
// (include/coretel/metrics/instrument_catalog.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coretel/metrics/instrument_catalog.h"

namespace coretel::schema {

/// A metric's `coretel: {metric_set, field?, instrument?, value_type?, histogram_bounds?,
/// max_size?}`,
/// with its defaults applied. Present (Signal::coretel) on a metric whose `coretel.metric_set`
/// is a string, i.e. a member of a metric set.
///
/// Every field holds what the registry asked for only when check reported no coretel_*
/// error for the metric (the parser reports each bad value and keeps a default in its place):
/// `generate cpp`, which runs only on a checked registry, relies on that.
struct CoretelMetricAnnotation {
  /// `coretel.metric_set`, as written (coretel_annotation_invalid when not a dotted name).
  std::string metric_set;
  /// `coretel.field`, as written (coretel_annotation_invalid when not a snake_case C++ name);
  /// nullopt: the name derives from the metric name (generate_cpp.h: metric_set_field_name).
  std::optional<std::string> field;
  /// `coretel.instrument` if set, else the kind of the metric's semconv instrument of the same
  /// name (counter, updowncounter, gauge, histogram).
  InstrumentKind instrument = InstrumentKind::kCounter;
  /// `coretel.value_type` if set, else f64 when `code_generation.metric_value_type` is
  /// `double`, else the kind's default (InstrumentInfo::default_value_type). Always f64 for
  /// Mmsc and Histogram, which take no value type.
  ValueType value_type = ValueType::kU64;
  /// A Histogram's bucket bounds, strictly increasing: `coretel.histogram_bounds` if set, else
  /// the OpenTelemetry SDK's default explicit bucket boundaries (kDefaultHistogramBounds).
  /// Empty for every other kind.
  std::vector<double> histogram_bounds;
  /// An ExponentialHistogram's buckets per range: `coretel.max_size` if set (an integer in
  /// kMinExponentialHistogramSize..kMaxExponentialHistogramSize, instrument_catalog.h), else
  /// kDefaultExponentialHistogramSize (160, the metrics SDK's default). 0 for every other kind.
  std::size_t max_size = 0;
};

/// An attribute's `coretel: {measurement: bool, registration: bool}` (CatalogAttribute::coretel):
/// where the metric sets that use it carry it. Neither: the entity tuple (the scope, given at
/// registration). At most one of the two is true (coretel_annotation_invalid otherwise).
struct CoretelAttributeAnnotation {
  /// A per-record measurement dimension (a bounded enum) on each data point. False when absent
  /// or not a boolean (coretel_annotation_invalid).
  bool measurement = false;
  /// Given at registration beside the entity, but carried by each data point rather than by
  /// the scope (Reporter::register_set's `registration`): one series per value, as the
  /// semantic conventions' `error.type` on an outcome counter needs (absent on success, so
  /// not a measurement enum member). False when absent or not a boolean.
  bool registration = false;
};

/// Default explicit bucket boundaries of the OpenTelemetry metrics SDK (specification,
/// "Explicit bucket histogram aggregation"): a histogram's bounds when the registry names none.
inline const std::vector<double> kDefaultHistogramBounds{
    0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};

}  // namespace coretel::schema
