// otlp_options.h: the options of an OTLP exporter (OTLP specification, protocol/exporter.md,
// "Configuration Options"), as read_sdk_configuration() fills them from OTEL_EXPORTER_OTLP_*
// (environment.h) or as code sets them. Values, thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coretel {

/// OTEL_EXPORTER_OTLP_[METRICS_]PROTOCOL (OTLP exporter, "Specify Protocol").
enum class OtlpProtocol : uint8_t { kHttpProtobuf, kHttpJson, kGrpc };
/// OTEL_EXPORTER_OTLP_[METRICS_]COMPRESSION (OTLP exporter, "Configuration Options").
enum class OtlpCompression : uint8_t { kNone, kGzip };
/// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (metrics/sdk_exporters/otlp.md).
enum class TemporalityPreference : uint8_t { kCumulative, kDelta, kLowMemory };

/// The value as the variable spells it: "http/protobuf", "http/json", "grpc".
std::string_view to_string(OtlpProtocol protocol) noexcept;
/// "none", "gzip".
std::string_view to_string(OtlpCompression compression) noexcept;
/// "cumulative", "delta", "lowmemory".
std::string_view to_string(TemporalityPreference preference) noexcept;

/// An OTLP exporter's options: OTEL_EXPORTER_OTLP_[SIGNAL_]* (OTLP exporter, "Configuration
/// Options"). The member defaults are the metrics exporter's for http/protobuf; the logs
/// exporter's endpoint default is http://localhost:4318/v1/logs.
struct OtlpExporterOptions {
  /// The full URL the exporter sends to. HTTP protocols: a URL ending in the signal's path
  /// (default http://localhost:4318/v1/metrics, or /v1/logs for logs). grpc: the target as given
  /// (default http://localhost:4317; also a scheme-less host:port).
  std::string endpoint = "http://localhost:4318/v1/metrics";
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  /// Headers added to every request, in the order given, percent-decoded; a key may repeat.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Per request; 0 = no limit (SDK env vars, "Timeout").
  std::chrono::milliseconds timeout{10000};
  OtlpCompression compression = OtlpCompression::kNone;
  /// PEM file paths as given (not opened here); empty = none. `certificate`: the trusted CA for
  /// the server; `client_key`, `client_certificate`: the client's, for mTLS.
  std::string certificate, client_key, client_certificate;
  /// grpc only: no transport security for a scheme-less endpoint (an https:// endpoint wins).
  bool insecure = false;
  TemporalityPreference temporality = TemporalityPreference::kCumulative;
};

}  // namespace coretel
