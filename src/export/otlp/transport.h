// transport.h (internal): Transport, one OTLP export request sent and its answer classified, the
// part of an exporter that differs between OTLP/HTTP (http_transport.h) and OTLP/gRPC
// (grpc_transport.h). The metrics exporter, and the logs and traces exporters after it, retry,
// count and roll back the same way whatever carries the bytes.
//
// COLD PATH (an exporter's thread). Thread-compatible: one thread sends at a time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace coretel::otlp {

enum class PostOutcome : uint8_t { kSuccess, kRetryable, kPermanent };

struct PostResult {
  PostOutcome outcome = PostOutcome::kPermanent;
  long http_status = 0;  ///< OTLP/HTTP: the status, 0 when no HTTP answer arrived
  /// For people and logs: the status line, the gRPC status or the transport's error text.
  std::string error;
  /// The failure as a low-cardinality `error.type` (semantic conventions, error.type): the HTTP
  /// status ("503"), the gRPC status name ("UNAVAILABLE"), "timeout", "connection_error",
  /// "request_too_large" or "response_too_large"; empty on success.
  std::string error_type;
  /// When the server said to wait: HTTP Retry-After, or gRPC RetryInfo.retry_delay.
  std::optional<std::chrono::milliseconds> retry_after;
  /// The response message on success (an Export*ServiceResponse, for partial_success), in the
  /// request's encoding, at most kMaxResponseBytes.
  std::string body;
};

class Transport {
 public:
  /// The OTLP exporter specification's bounds: a request over 64 MiB is not sent, a response
  /// over 4 MiB is an error.
  static constexpr std::size_t kMaxResponseBytes = 4u << 20;
  static constexpr std::size_t kMaxRequestBytes = 64u << 20;

  virtual ~Transport() = default;
  /// Sends `body` (one encoded Export*ServiceRequest) and waits at most `timeout` (0 = no limit)
  /// for the answer.
  virtual PostResult send(std::string_view body, std::chrono::milliseconds timeout) = 0;
};

/// "coretel/<version>": what coretel's OTLP requests say they come from.
std::string user_agent();

}  // namespace coretel::otlp
