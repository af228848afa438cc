// resource.h: Resource, the process-wide attributes every exporter attaches to its output
// (OTel resource semantic conventions: service.*, host.*, process.*, telemetry.sdk.*).
//
// COLD PATH. Detect it once at startup and hand copies to exporters (Prometheus `target_info`,
// the JSON `resource` object, OTLP ResourceMetrics). A value type: thread-compatible.
#pragma once

#include <string_view>

#include "coretel/config/environment.h"
#include "coretel/metrics/attributes.h"

namespace coretel {

struct Resource {
  Attributes attributes;

  /// Detects this process' resource: service.instance.id (a random UUID v4), host.name
  /// (gethostname; omitted if that fails), process.pid (int), process.executable.name (the name
  /// the kernel keeps for the process), telemetry.sdk.name "coretel", telemetry.sdk.language
  /// "cpp" and telemetry.sdk.version (this build's version); then the attributes of
  /// OTEL_RESOURCE_ATTRIBUTES (`config.resource_attributes`), which win over detected ones except
  /// telemetry.sdk.*; service.name is OTEL_SERVICE_NAME when set, else the one in
  /// OTEL_RESOURCE_ATTRIBUTES, else `default_service_name` (resource/sdk.md; SDK environment
  /// variables, "General SDK Configuration"). Any thread.
  static Resource detect(std::string_view default_service_name,
                         const SdkConfiguration& config = read_sdk_configuration());
};

}  // namespace coretel
