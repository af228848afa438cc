// http_transport.h: HttpTransport, one OTLP/HTTP POST at a time over libcurl, shared by the
// metrics, logs and traces exporters (protocol/exporter.md; OTLP specification, "OTLP/HTTP").
//
// COLD PATH (an exporter's thread). One transport keeps one libcurl handle, so consecutive
// posts reuse the connection (the OTLP/HTTP "keep connections alive" advice). It sends the
// options' headers, `Content-Type`, `User-Agent: coretel/<version>` and, with gzip compression,
// `Content-Encoding: gzip` (zlib). Every post is bounded: by its timeout (connection included)
// and by kMaxResponseBytes of response body (the specification's 4 MiB; a larger response is
// cut off and is a permanent error). It classifies the answer per the OTLP/HTTP rules:
//  * 2xx: success (the body, an Export*ServiceResponse, is returned for partial_success);
//  * 429, 502, 503, 504, and no answer at all (no connection, a timeout, a reset, a failed TLS
//    handshake): retryable, with the server's `Retry-After` (seconds or an HTTP-date) when
//    given; nothing says the data was bad, so it is kept for the next export;
//  * any other status, a response over the limit, a request over kMaxRequestBytes (64 MiB, not
//    sent) or a URL libcurl cannot use: permanent.
// Thread-compatible: one thread posts at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "coretel/config/environment.h"
#include "transport.h"

namespace coretel::otlp {

class HttpTransport final : public Transport {
 public:
  /// `content_type`: "application/x-protobuf" or "application/json". Uses options.endpoint,
  /// headers, compression and the TLS files (certificate: the CA bundle to trust; client_key
  /// and client_certificate: mutual TLS). Throws std::runtime_error if libcurl cannot start.
  HttpTransport(const OtlpExporterOptions& options, std::string content_type);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  /// POSTs `body` (compressed here when the options say gzip) and waits at most `timeout`
  /// (0 = no limit) for the whole exchange.
  PostResult send(std::string_view body, std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// gzip (RFC 1952) of `in`, via zlib. Throws std::runtime_error if zlib fails.
std::string gzip_compress(std::string_view in);

/// A Retry-After value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date turned into the wait
/// from `now`. nullopt when malformed; a date in the past is a wait of 0.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace coretel::otlp
