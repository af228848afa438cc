// json.h: renders published MetricsViews as one JSON document (the admin endpoint's
// /api/v1/telemetry/metrics), multivariate: one object per series with all of its fields.
//
// COLD PATH. Pure function of its arguments; any thread.
//
//   {"resource": {<key>: <value>, ...}, "time_unix_nano": N,
//    "metric_sets": [{"name", "brief", "series_id", "entity": {...}, "registration": {...},
//                     "start_time_unix_nano", "last_update_unix_nano",
//                     "buckets": [{"attributes": {<measurement key>: <value>},
//                                  "fields": [{"name", "unit", "brief", "instrument",
//                                              "temporality", "value_type", "value"}]}]}]}
//
// "buckets" holds one entry per measurement-attribute combination (one for a plain set); the key
// keeps its historical name, it is not about histogram buckets.
// "value" is a number for scalar fields (u64/i64 as exact JSON integers), {"min", "max", "sum",
// "count"} for Mmsc (min and max null while count is 0) and {"bounds", "counts", "sum", "count"}
// for histograms (per-bucket counts, not cumulative; the last count is the +Inf bucket).
// Values are cumulative since registration. Non-finite doubles are written as null.
#pragma once

#include <span>
#include <string>

#include "coretel/collect/metrics_view.h"
#include "coretel/resource.h"

namespace coretel {

/// The JSON document above for `resource` and every series of `views` (null views skipped).
/// "time_unix_nano" is the newest view time. Only observed combinations of measured sets appear.
std::string render_metrics_json(const Resource& resource, std::span<const MetricsViewPtr> views);

}  // namespace coretel
