// environment.h: read_sdk_configuration(), the one place that parses the OpenTelemetry `OTEL_*`
// environment variables coretel reads, and coretel's own CORETEL_LOG (docs/configuration.md
// lists them), into option structs.
//
//   coretel::SdkConfiguration config = coretel::read_sdk_configuration();  // once, at startup
//   coretel::report_configuration_warnings(config);                       // "coretel: ..." lines
//   if (config.otlp_metrics_enabled) { ... config.otlp_metrics, config.metric_reader ... }
//
// COLD PATH. The rules are the OpenTelemetry specification's: configuration/
// sdk-environment-variables.md ("SDK env vars" below) for the value types and the SDK variables,
// protocol/exporter.md ("OTLP exporter") for OTEL_EXPORTER_OTLP_*, metrics/sdk_exporters/otlp.md
// for the temporality preference and resource/sdk.md for OTEL_RESOURCE_ATTRIBUTES:
//  * an empty value means unset (SDK env vars, "Parsing empty value");
//  * a value coretel cannot use warns and is treated as not set: the generic form of an OTLP
//    option, else the default, applies (SDK env vars, "Numeric", "Enum"); a boolean is the
//    exception: anything but "true" is false (SDK env vars, "Boolean");
//  * every OTLP option has a generic form (OTEL_EXPORTER_OTLP_X) and a form per signal
//    (OTEL_EXPORTER_OTLP_METRICS_X, OTEL_EXPORTER_OTLP_LOGS_X, OTEL_EXPORTER_OTLP_TRACES_X); the
//    signal's form wins when set
//    (OTLP exporter, "Configuration Options").
// Nothing is printed and nothing throws over a bad value: problems are collected, in the order
// found, in SdkConfiguration::warnings; report_configuration_warnings() prints them.
// Thread-safety: read_sdk_configuration() may run on any thread, as its lookup allows
// (process_environment() calls std::getenv: not while another thread calls setenv/putenv);
// report_configuration_warnings() is thread-safe; the structs are values (thread-compatible).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coretel/config/otlp_options.h"
#include "coretel/events/provider.h"
#include "coretel/metrics/attributes.h"
#include "coretel/trace/span_data.h"
#include "coretel/trace/span_processor.h"

namespace coretel {

/// The periodic exporting metric reader's options: OTEL_METRIC_EXPORT_* (SDK env vars, "Periodic
/// exporting MetricReader").
struct MetricReaderOptions {
  /// Between the starts of two exports; always > 0.
  std::chrono::milliseconds interval{60000};
  /// Of one export; 0 = no limit.
  std::chrono::milliseconds timeout{30000};
};

/// Looks up one variable; nullopt when unset. An empty value is returned as is:
/// read_sdk_configuration() treats it as unset.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A lookup into this process' environment (std::getenv).
EnvironmentLookup process_environment();

/// What the OTEL_* variables ask of coretel.
struct SdkConfiguration {
  /// OTEL_SDK_DISABLED (boolean; SDK env vars, "General SDK Configuration").
  bool sdk_disabled = false;
  /// OTEL_SERVICE_NAME as given; nullopt when unset. It takes precedence over a `service.name`
  /// in resource_attributes (SDK env vars, "General SDK Configuration"): the caller applies that.
  std::optional<std::string> service_name;
  /// OTEL_RESOURCE_ATTRIBUTES: string values, in the order given; a key given twice keeps its
  /// first place and its last value. Empty when unset or when any entry could not be decoded
  /// (resource/sdk.md, "Specifying resource information via an environment variable").
  std::vector<Attribute> resource_attributes;
  /// OTEL_METRICS_EXPORTER entries in order, lowercased and deduplicated, each one of "otlp",
  /// "prometheus", "console", "none" (SDK env vars, "Exporter Selection"); "none" alongside
  /// others leaves only {"none"}. Empty when unset or when no entry is known: coretel then has
  /// no exporter chosen (not the specification's default "otlp"; see otlp_metrics_enabled).
  std::vector<std::string> metrics_exporters;
  /// True when metrics should be pushed over OTLP: metrics_exporters lists "otlp", or it is
  /// empty and OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is set (even
  /// to a value that warned); always false when sdk_disabled.
  bool otlp_metrics_enabled = false;
  OtlpExporterOptions otlp_metrics;
  /// OTEL_LOGS_EXPORTER entries, as metrics_exporters, each one of "otlp", "console", "none".
  std::vector<std::string> logs_exporters;
  /// True when events should be pushed over OTLP logs: logs_exporters lists "otlp", or it is
  /// empty and OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is set; always
  /// false when sdk_disabled. Copied into events.its.otlp.
  MetricReaderOptions metric_reader;
  bool otlp_logs_enabled = false;
  /// OTEL_TRACES_EXPORTER entries, as metrics_exporters, each one of "otlp", "console", "none".
  std::vector<std::string> traces_exporters;
  /// True when spans should be pushed over OTLP: traces_exporters lists "otlp", or it is empty
  /// and OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; always false
  /// when sdk_disabled.
  bool otlp_traces_enabled = false;
  /// OTEL_EXPORTER_OTLP_[TRACES_]* (the HTTP endpoint: /v1/traces).
  OtlpExporterOptions otlp_traces;
  /// OTEL_BSP_* (SDK env vars, "Batch Span Processor"); max_export_batch_size is cut to
  /// max_queue_size, with a warning.
  trace::BatchSpanProcessorOptions span_batch;
  /// Counts, 0 to 2^31-1: OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT, and
  /// OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and
  /// OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, each else OTEL_ATTRIBUTE_COUNT_LIMIT; the string length,
  /// at least 1 (unset: no limit): OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, else
  /// OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT.
  trace::SpanLimits span_limits;
  /// OTEL_PROPAGATORS: "tracecontext", "baggage" or {"none"}, in the order given, deduplicated;
  /// {"tracecontext", "baggage"} when unset or nothing listed is usable.
  std::vector<std::string> propagators = {"tracecontext", "baggage"};
  /// OTEL_TRACES_SAMPLER, lowercased (trace/sampler.h: sampler_named() makes it);
  /// "parentbased_always_on" when unset or unknown.
  std::string traces_sampler = "parentbased_always_on";
  /// OTEL_TRACES_SAMPLER_ARG for the traceidratio samplers: 1.0 when unset or not a probability.
  double traces_sampler_ratio = 1.0;
  /// Events (docs/events.md): `level` is CORETEL_LOG as given (its directives are checked, and
  /// their problems reported, by configure_events()), "info" when unset; `otlp` from
  /// OTEL_EXPORTER_OTLP_[LOGS_]* (the logs endpoint: /v1/logs), `batch` from OTEL_BLRP_*;
  /// its.otlp is otlp_logs_enabled, its.console whether logs_exporters lists "console" (true
  /// when it is empty). The provider modes are the defaults, for the caller to change before
  /// configure_events(events).
  events::EventsConfiguration events;
  /// One line per problem, in the order found: "OTEL_X=value: what is wrong; what coretel does
  /// instead". The value is cut to its first 64 bytes (then "..."), made well-formed UTF-8, with
  /// control characters as \xHH; header variables show "<hidden>" instead, as they often carry
  /// credentials, and name the entry by position and key.
  std::vector<std::string> warnings;
};

/// Reads every OTEL_* variable coretel uses (docs/configuration.md lists them) through `lookup`,
/// once each. Never throws over a value (std::bad_alloc and what `lookup` throws pass through).
SdkConfiguration read_sdk_configuration(const EnvironmentLookup& lookup = process_environment());

/// Prints each warning of `config` to stderr as "coretel: <warning>", each distinct text once per
/// process whatever the number of calls. Thread-safe.
void report_configuration_warnings(const SdkConfiguration& config);

/// Decodes the %XX escapes of `text` (RFC 3986 section 2.1, hex digits of either case); every
/// other byte is kept, '+' included. nullopt when a '%' is not followed by two hex digits. The
/// result is bytes: not checked to be UTF-8.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace coretel
