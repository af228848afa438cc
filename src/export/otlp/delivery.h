// delivery.h (internal): one encoded export request sent until the server takes it, refuses it
// for good, or the time runs out: the retry rules every OTLP exporter shares (OTLP/HTTP
// "Retryable Response Codes", OTLP/gRPC "Failures"; protocol/exporter.md, "Retry").
// A retryable answer (Transport classifies it) is sent again after the server's Retry-After
// or RetryInfo when it gave one, else after an exponential backoff with jitter (1 s, x1.5, at
// most 5 s, each wait scaled by a random 0.8-1.2), while the deadline allows.
// COLD PATH (an exporter's thread). Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "transport.h"

namespace coretel::otlp {

struct Delivery {
  /// The last attempt's answer: kSuccess, kPermanent, or kRetryable when the deadline or an
  /// interruption ended the retries.
  PostResult result;
  uint32_t requests = 0;  ///< attempts made (a first send and its retries)
};

/// Sends `body` through `transport`, each attempt bounded by `request_timeout` (0: only the
/// deadline) and the time left. `wait(d)` sleeps d before a retry and returns false when the
/// exporter was interrupted (the retries stop); `on_request(retry)` runs before each attempt.
Delivery deliver(Transport& transport, std::string_view body,
                 std::chrono::milliseconds request_timeout,
                 std::chrono::steady_clock::time_point deadline,
                 const std::function<bool(std::chrono::milliseconds)>& wait,
                 const std::function<void(bool retry)>& on_request = {});

/// An Export*ServiceResponse's partial_success (field 1 of every signal's response: the count of
/// rejected items as field 1, int64, and error_message as field 2; OTLP "Partial Success").
struct PartialSuccess {
  int64_t rejected = 0;
  std::string message;  ///< at most 1024 bytes of it
};
/// Reads partial_success from a response `body` in protobuf, or in OTLP/JSON when `json` (where
/// the count is `json_count_key`: "rejectedDataPoints", "rejectedLogRecords"; an int64 as a
/// string or a number). nullopt when absent or unreadable.
std::optional<PartialSuccess> read_partial_success(std::string_view body, bool json,
                                                   std::string_view json_count_key);

/// For a successful answer to a request of `items` items: how many the server rejected in a
/// partial success (0 without one, at most `items`), said on stderr when there were some or a
/// message: "coretel: OTLP <signal> export to <endpoint>: partial success, R of N <unit>
/// rejected: <message>".
uint64_t rejected_items(const PostResult& result, bool json, std::string_view json_count_key,
                        uint64_t items, std::string_view signal, std::string_view endpoint,
                        std::string_view unit);

}  // namespace coretel::otlp
