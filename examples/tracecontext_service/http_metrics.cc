#include "http_metrics.h"

#include <utility>
#include <vector>

#include "coretel/semconv/error.h"
#include "coretel/semconv/network.h"
#include "coretel/semconv/server.h"
#include "coretel/semconv/url.h"

namespace tracecontext_service {

namespace sc = coretel::semconv;
using coretel::Attribute;
using coretel::Attributes;

namespace {

// http.request.method: a known method as is, any other `_OTHER` (HTTP semantic conventions).
std::string known_method(std::string_view method) {
  for (std::string_view known :
       {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"})
    if (method == known) return std::string(method);
  return "_OTHER";
}

// The attributes both metrics share; error.type only on failure, the status only with a response.
std::vector<Attribute> common(const HttpExchange& e) {
  std::vector<Attribute> out{
      {std::string(sc::attributes::kHttpRequestMethod), known_method(e.method)},
      {std::string(sc::attributes::kNetworkProtocolVersion), std::string("1.1")}};
  if (e.status_code > 0)
    out.push_back({std::string(sc::attributes::kHttpResponseStatusCode), int64_t{e.status_code}});
  if (!e.error.empty())
    out.push_back({std::string(sc::attributes::kErrorType), std::string(e.error)});
  return out;
}

// The series of every tuple beyond kMaxSeries: only what has a bounded set of values is kept
// (the method, one of 11, the scheme, the route, the protocol version), error.type `_OTHER`; the
// status, the error and a client's server.address and server.port go.
Attributes overflow(const Attributes& attributes) {
  std::vector<Attribute> out;
  for (const Attribute& a : attributes.to_vector()) {
    if (a.key == sc::attributes::kHttpResponseStatusCode || a.key == sc::attributes::kErrorType ||
        a.key == sc::attributes::kServerAddress || a.key == sc::attributes::kServerPort)
      continue;
    out.push_back(a);
  }
  out.push_back({std::string(sc::attributes::kErrorType), std::string("_OTHER")});
  return Attributes(std::move(out));
}

}  // namespace

HttpMetrics::HttpMetrics(coretel::CollectionPipeline& pipeline)
    : reporter_(pipeline.make_reporter(coretel::kUnpinned)) {}

HttpMetrics::~HttpMetrics() {
  std::lock_guard lock(mutex_);
  server_.clear();  // the registrations go before their reporter
  client_.clear();
}

template <class Set>
Set& HttpMetrics::series(Series<Set>& sets, const Attributes& attributes, bool overflowed) {
  for (auto& [kept, registration] : sets)
    if (kept == attributes) return *registration;
  if (!overflowed && sets.size() >= kMaxSeries) return series(sets, overflow(attributes), true);
  sets.emplace_back(attributes, reporter_->register_set<Set>({}, attributes));
  return *sets.back().second;
}

void HttpMetrics::record_server(const HttpExchange& exchange, std::string_view route) {
  std::vector<Attribute> a = common(exchange);
  a.push_back({std::string(sc::attributes::kUrlScheme), std::string("http")});
  a.push_back({std::string(sc::attributes::kHttpRoute), std::string(route)});
  std::lock_guard lock(mutex_);
  auto& set = series(server_, Attributes(std::move(a)));
  set.duration.record(exchange.seconds);
  reporter_->report_all();
}

void HttpMetrics::record_client(const HttpExchange& exchange, std::string_view address, int port) {
  std::vector<Attribute> a = common(exchange);
  a.push_back({std::string(sc::attributes::kServerAddress), std::string(address)});
  a.push_back({std::string(sc::attributes::kServerPort), int64_t{port}});
  std::lock_guard lock(mutex_);
  auto& set = series(client_, Attributes(std::move(a)));
  set.duration.record(exchange.seconds);
  reporter_->report_all();
}

}  // namespace tracecontext_service
