// resource.h: Resource, the process-wide attributes every exporter attaches to its output
// (OTel resource semantic conventions: service.*, host.*, process.*, telemetry.sdk.*).
//
// COLD PATH. Detect it once at startup and hand copies to exporters (Prometheus `target_info`,
// the JSON `resource` object, OTLP ResourceMetrics). A value type: thread-compatible.
#pragma once

#include <string_view>

#include "coretel/metrics/attributes.h"

namespace coretel {

struct Resource {
  Attributes attributes;

  /// Detects this process' resource: service.name (OTEL_SERVICE_NAME when set and non-empty,
  /// else `default_service_name`), service.instance.id (a random UUID v4), host.name
  /// (gethostname; omitted if that fails), process.pid (int), telemetry.sdk.name "coretel",
  /// telemetry.sdk.language "cpp" and telemetry.sdk.version (this build's version). Any thread.
  static Resource detect(std::string_view default_service_name);
};

}  // namespace coretel
