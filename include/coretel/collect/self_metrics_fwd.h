// self_metrics_fwd.h: the name of a reporter's own metric set, without its definition.
//
// reporter.h needs only the name (Reporter::self_metrics() returns a reference); the set itself
// is generated into include/coretel/telemetry/coretel.h, which self_metrics.h includes. Include
// self_metrics.h to read its fields.
#pragma once

namespace coretel {
namespace telemetry {
struct CoretelReporterMetrics;
}  // namespace telemetry

/// coretel.reporter: one per Reporter (self_metrics.h).
using ReporterMetrics = telemetry::CoretelReporterMetrics;

}  // namespace coretel
