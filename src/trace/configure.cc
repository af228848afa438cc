#include "coretel/trace/configure.h"

#include <algorithm>

#include "coretel/export/otlp_span_exporter.h"

namespace coretel::trace {

TracerProviderOptions tracer_provider_options(const SdkConfiguration& config,
                                              const Resource& resource) {
  TracerProviderOptions options;
  options.sampler = sampler_named(config.traces_sampler, config.traces_sampler_ratio);
  options.limits = config.span_limits;
  if (config.sdk_disabled) return options;
  const auto& names = config.traces_exporters;
  if (std::find(names.begin(), names.end(), "console") != names.end()) {
    options.processors.push_back(
        std::make_shared<SimpleSpanProcessor>(std::make_shared<ConsoleSpanExporter>()));
  }
  if (config.otlp_traces_enabled) {
    options.processors.push_back(std::make_shared<BatchSpanProcessor>(
        std::make_shared<OtlpSpanExporter>(config.otlp_traces, resource), config.span_batch));
  }
  return options;
}

}  // namespace coretel::trace
