// configure.h: the TracerProvider the standard configuration asks for (OpenTelemetry SDK
// environment variables: OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG, OTEL_TRACES_EXPORTER,
// OTEL_EXPORTER_OTLP_[TRACES_]*, OTEL_BSP_*, the span limits), as read_sdk_configuration()
// (config/environment.h) read them.
//
//   coretel::SdkConfiguration config = coretel::read_sdk_configuration();
//   coretel::report_configuration_warnings(config);
//   coretel::trace::TracerProvider provider(
//       coretel::trace::tracer_provider_options(config, coretel::Resource::detect("my-engine")));
//   ...
//   provider.shutdown();  // exports what the batch processor still holds
//
// COLD PATH (startup).
#pragma once

#include "coretel/config/environment.h"
#include "coretel/resource.h"
#include "coretel/trace/span.h"

namespace coretel::trace {

/// The sampler (config.traces_sampler with traces_sampler_ratio), the span limits, and one
/// processor per exporter: "otlp" (when config.otlp_traces_enabled) a BatchSpanProcessor with
/// config.span_batch in front of an OtlpSpanExporter(config.otlp_traces, resource); "console"
/// a SimpleSpanProcessor in front of a ConsoleSpanExporter (stderr). No processor when
/// config.sdk_disabled: spans are then sampled and propagated, and go nowhere. Throws
/// std::runtime_error when the OTLP exporter cannot start (otlp_span_exporter.h).
TracerProviderOptions tracer_provider_options(const SdkConfiguration& config,
                                              const Resource& resource);

}  // namespace coretel::trace
