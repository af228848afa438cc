// http_metrics.h: the HTTP semantic conventions' request durations (http.server.request.duration,
// http.client.request.duration; metric sets generated from the upstream registry into
// coretel/semconv/http.h), recorded by the service's request threads.
//
// Each distinct attribute tuple (method, scheme or server, status, route, error) gets its own
// registration, at most kMaxSeries per metric; beyond that, observations go to an overflow series
// per method (and route), with error.type `_OTHER` and no status, address or port: the series
// stay bounded whatever URLs callers name. Thread-safety: any thread
// (a mutex: the service's request threads are not an engine's hot path, and one Reporter serves one
// thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coretel/collect/pipeline.h"
#include "coretel/collect/reporter.h"
#include "coretel/semconv/http.h"

namespace tracecontext_service {

/// One HTTP exchange, as the conventions' attributes describe it.
struct HttpExchange {
  std::string_view method = {};  ///< http.request.method ("POST")
  int status_code = 0;           ///< http.response.status_code; 0: no response
  std::string_view error = {};  ///< error.type: "" on success, the status ("500") or a failure name
  double seconds = 0;           ///< the duration
};

class HttpMetrics {
 public:
  static constexpr std::size_t kMaxSeries = 64;

  explicit HttpMetrics(coretel::CollectionPipeline& pipeline);
  ~HttpMetrics();

  /// A request this service answered on `route` (http.route; url.scheme "http").
  void record_server(const HttpExchange& exchange, std::string_view route);
  /// A request this service sent to `address`:`port` (server.address, server.port).
  void record_client(const HttpExchange& exchange, std::string_view address, int port);

 private:
  template <class Set>
  using Series = std::vector<std::pair<coretel::Attributes, coretel::Registration<Set>>>;
  // The set of `attributes`, registered at its first use; past kMaxSeries, the overflow series
  // (`overflowed`: `attributes` is one).
  template <class Set>
  Set& series(Series<Set>& sets, const coretel::Attributes& attributes, bool overflowed = false);

  std::mutex mutex_;
  std::unique_ptr<coretel::Reporter> reporter_;
  Series<coretel::semconv::HttpServerRequestMetrics> server_;
  Series<coretel::semconv::HttpClientRequestMetrics> client_;
};

}  // namespace tracecontext_service
