// self_metrics.h: coretel's own telemetry, declared as metric sets like any other.
//
// The sets are generated from the registry (registry/coretel, documented in
// docs/telemetry/coretel) by coretel-schema into include/coretel/telemetry/, which is committed
// so that building coretel never runs the tool (regenerate with
// scripts/generate-self-telemetry.sh; the test self_telemetry_headers checks the copy). This
// header gives them their short names. ReporterMetrics and ReporterInvalidMetrics (invalid
// measurements by reason) are owned by each Reporter (one per engine core), CollectorMetrics by
// each Collector thread, AdminMetrics by the admin server. They travel through the same rings and
// are exported beside the engine's series, so deferrals, drops and lag are visible where users
// look.
#pragma once

#include "coretel/collect/self_metrics_fwd.h"
#include "coretel/telemetry/coretel.h"

namespace coretel {

using ReporterInvalidMetrics = telemetry::CoretelReporterInvalidByCoretelInvalidMeasurementReason;
using InvalidReasonAttribute = telemetry::CoretelInvalidMeasurementReason;
using AdminMetrics = telemetry::CoretelAdminMetrics;

}  // namespace coretel
