// grpc_transport.h (internal): GrpcTransport, OTLP/gRPC: one unary call of an OTLP service's
// Export method per request, through gRPC C++ (Debian's libgrpc++), carrying the bytes coretel's
// encoder wrote (a generic stub: no generated message classes on this path).
//
// COLD PATH (an exporter's thread). The endpoint is used as the OTLP exporter specification
// says for gRPC: `http://host:port` without TLS, `https://host:port` with TLS, `host:port` with
// TLS unless `insecure`. TLS trusts `certificate` (PEM; the system's roots when empty) and
// presents `client_certificate` and `client_key` when both are given. Headers become call
// metadata (keys lowercased, as gRPC requires); gzip compresses the message. The status is
// classified per the OTLP specification ("OTLP/gRPC Response", "Failures"): OK is success;
// CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retryable;
// RESOURCE_EXHAUSTED is retryable only when the status carries a google.rpc.RetryInfo, whose
// retry_delay is then honoured; every other code is permanent. Messages over 4 MiB received or
// 64 MiB sent are refused by the channel's limits. A lost connection is re-established within
// 1-5 s (gRPC's reconnect backoff, capped to the exporter's own). Thread-compatible: one thread
// sends at a time.
#pragma once

#include <memory>
#include <string>

#include "coretel/config/environment.h"
#include "transport.h"

namespace coretel::otlp {

class GrpcTransport final : public Transport {
 public:
  /// `method`: the full method name, e.g.
  /// "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export". Throws std::runtime_error
  /// when a TLS file cannot be read.
  GrpcTransport(const OtlpExporterOptions& options, std::string method);
  ~GrpcTransport() override;

  PostResult send(std::string_view body, std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The retry delay of a google.rpc.RetryInfo among the details of a serialized google.rpc.Status
/// (gRPC's error details); nullopt when there is none or it cannot be read.
std::optional<std::chrono::milliseconds> retry_delay_of(std::string_view status_details);

}  // namespace coretel::otlp
