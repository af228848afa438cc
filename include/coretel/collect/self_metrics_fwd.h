// self_metrics_fwd.h: the names of the reporter's and the collector's own metric sets, without
// their definitions.
//
// reporter.h and collector.h need only the names (a reference, a Registration member); the sets
// themselves are generated into include/coretel/telemetry/coretel.h, which self_metrics.h
// includes. Include self_metrics.h to read their fields.
#pragma once

namespace coretel {
namespace telemetry {
struct CoretelReporterMetrics;
struct CoretelCollectorMetrics;
}  // namespace telemetry

/// coretel.reporter: one per Reporter (self_metrics.h).
using ReporterMetrics = telemetry::CoretelReporterMetrics;
/// coretel.collector: one per Collector (self_metrics.h).
using CollectorMetrics = telemetry::CoretelCollectorMetrics;

}  // namespace coretel
