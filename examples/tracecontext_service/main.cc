// coretel-tracecontext-service: the service of the W3C trace-context test suite
// (https://github.com/w3c/trace-context/tree/main/test, "service" protocol), built on coretel's
// traces: it proves that coretel's propagators, samplers and spans interoperate.
//
//   coretel-tracecontext-service --listen 127.0.0.1:5000
//   POST /test   body: [{"url": "http://127.0.0.1:7777/callback/x.0", "arguments": [...]}, ...]
//
// For each request to /test it extracts the trace context of the incoming headers
// (OTEL_PROPAGATORS: W3C traceparent/tracestate and baggage by default), starts a server span
// "POST /test" with it as the parent, and then, for each element of the JSON array in order,
// POSTs `arguments` (JSON) to `url` inside a client span "POST" that is a child of the server
// span, injecting that span's context into the request's headers. It answers 200 with what each
// call returned: {"calls": [{"url": ..., "status": 200} | {"url": ..., "error": "..."}]}; 400
// for a body that is not such an array (or has more than --max-calls elements); 404 elsewhere.
//
// Telemetry, by the standard variables (docs/traces.md): spans go where OTEL_TRACES_EXPORTER /
// OTEL_EXPORTER_OTLP_[TRACES_]* say (batched, OTEL_BSP_*), sampled by OTEL_TRACES_SAMPLER; the
// HTTP semantic conventions' http.server.request.duration and http.client.request.duration are
// pushed over OTLP when OTEL_METRICS_EXPORTER / OTEL_EXPORTER_OTLP_[METRICS_]* say, and served
// for Prometheus at --admin when given.
//
// Safety: it listens on loopback by default; HTTP is Boost.Beast's (http.h: header values as
// received, one deadline per request, bounded head and body, at most 64 connections); a request
// body nests JSON at most 64 deep; a call goes only to an http:// URL with an IP address (or
// localhost) and a path without spaces or control characters, within --call-timeout-ms for
// connecting, sending and reading together. It sends requests where it is told to: run it only
// where its callers are trusted (a test harness), never facing a network.
#include <arpa/inet.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "coretel/admin/admin_server.h"
#include "coretel/collect/pipeline.h"
#include "coretel/config/environment.h"
#include "coretel/export/otlp_metric_exporter.h"
#include "coretel/export/periodic_exporting_reader.h"
#include "coretel/resource.h"
#include "coretel/semconv/http.h"
#include "coretel/semconv/network.h"
#include "coretel/semconv/server.h"
#include "coretel/semconv/url.h"
#include "coretel/semconv/user_agent.h"
#include "coretel/trace/configure.h"
#include "coretel/trace/propagation.h"
#include "http.h"
#include "http_metrics.h"

namespace {

namespace tr = coretel::trace;
namespace sc = coretel::semconv::attributes;
using tracecontext_service::HttpExchange;
using tracecontext_service::HttpMetrics;

struct Options {
  std::string listen = "127.0.0.1:8080";
  std::string admin;  // empty: no admin endpoint
  std::size_t max_calls = 16;
  int call_timeout_ms = 5000;
};

// host:port, with the host a name, an IPv4 address or a bracketed IPv6 address.
bool split_host_port(std::string_view text, std::string& host, int& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = std::string(text.substr(0, colon));
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string digits(text.substr(colon + 1));
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 5)
    return false;
  port = std::stoi(digits);
  return port <= 65535;
}

// An http:// URL: its host, port (80 when absent) and path (/ when absent); nullopt when it is
// not one, or when it holds a space or a control character (they would go out raw in the
// request line).
struct Url {
  std::string host;
  int port = 80;
  std::string path = "/";
};
std::optional<Url> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  Url out;
  if (slash != std::string_view::npos) out.path = std::string(url.substr(slash));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  const bool has_port =
      authority.back() != ']' && authority.find(':') != std::string_view::npos &&
      (authority.front() != '[' || authority.find("]:") != std::string_view::npos);
  if (has_port) {
    if (!split_host_port(authority, out.host, out.port) || out.port == 0) return std::nullopt;
  } else {
    out.host = std::string(authority);
    if (out.host.front() == '[' && out.host.back() == ']')
      out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

// `body` parsed, nullopt when it nests arrays and objects deeper than `limit` (nlohmann's parser
// does not recurse, but dumping a value does: a deep body would overflow a thread's stack). A
// body that is not JSON is a discarded value.
std::optional<nlohmann::json> parse_shallow(std::string_view body, int limit) {
  bool too_deep = false;
  nlohmann::json out = nlohmann::json::parse(
      body,
      [&too_deep, limit](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > limit) too_deep = true;
        return !too_deep;  // past the limit nothing more is kept
      },
      false);
  if (too_deep) return std::nullopt;
  return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class Service {
 public:
  Service(const Options& options, tr::Tracer tracer,
          std::shared_ptr<const tr::TextMapPropagator> propagator, HttpMetrics& metrics,
          std::string address, int port)
      : options_(options),
        tracer_(std::move(tracer)),
        propagator_(std::move(propagator)),
        metrics_(metrics),
        address_(std::move(address)),
        port_(port) {}

  tracecontext_service::Response handle(const tracecontext_service::Request& request) {
    const std::string_view path =
        std::string_view(request.target).substr(0, std::string_view(request.target).find('?'));
    if (path != "/test") return {404, "{\"error\":\"not found: POST /test\"}\n"};
    if (request.method != "POST") return {405, "{\"error\":\"POST /test\"}\n"};
    return handle_test(request, path);
  }

  tracecontext_service::Response handle_test(const tracecontext_service::Request& request,
                                             std::string_view path) {
    const auto start = std::chrono::steady_clock::now();
    // The incoming trace context: every header line, as received, names compared
    // case-insensitively by the carrier.
    const tr::HeaderCarrier in(request.headers);
    const tr::Context incoming = propagator_->extract(in, {});
    std::vector<coretel::Attribute> attributes{
        {std::string(sc::kHttpRequestMethod), request.method},
        {std::string(sc::kUrlScheme), std::string("http")},
        {std::string(sc::kUrlPath), std::string(path)},
        {std::string(sc::kHttpRoute), std::string("/test")},
        {std::string(sc::kServerAddress), address_},
        {std::string(sc::kServerPort), int64_t{port_}},
        {std::string(sc::kNetworkProtocolVersion), std::string("1.1")}};
    for (const auto& [name, value] : request.headers)
      if (ascii_iequals(name, "user-agent"))
        attributes.push_back({std::string(sc::kUserAgentOriginal), value});
    tr::Span server = tracer_.start_span(
        "POST /test",
        {.kind = tr::SpanKind::kServer, .parent = &incoming, .attributes = std::move(attributes)});

    tracecontext_service::Response response;
    const std::optional<nlohmann::json> body = parse_shallow(request.body, kMaxDepth);
    if (!body || !body->is_array() || body->size() > options_.max_calls) {
      response.status = 400;
      response.body = fmt::format(
          "{{\"error\":\"the body must be a JSON array of at most {} {{\\\"url\\\", "
          "\\\"arguments\\\"}} objects, nested at most {} deep\"}}\n",
          options_.max_calls, kMaxDepth);
    } else {
      nlohmann::json calls = nlohmann::json::array();
      const tr::Context parent{server.context(), incoming.baggage};
      for (const nlohmann::json& action : *body) calls.push_back(call(action, parent));
      response.body = nlohmann::json{{"calls", calls}}.dump() + "\n";
    }
    server.set_attribute(sc::kHttpResponseStatusCode, int64_t{response.status});
    metrics_.record_server({.method = request.method,
                            .status_code = response.status,
                            .error = "",  // a 4xx is the caller's error, not the server's
                            .seconds = seconds_since(start)},
                           "/test");
    return response;
  }

 private:
  // One element of the array: a client span, a POST with its context, what came back.
  nlohmann::json call(const nlohmann::json& action, const tr::Context& parent) {
    const auto start = std::chrono::steady_clock::now();
    nlohmann::json result = nlohmann::json::object();
    const auto url_it = action.is_object() ? action.find("url") : action.end();
    if (url_it == action.end() || !url_it->is_string()) {
      result["error"] = "no \"url\" string";
      return result;
    }
    const std::string url = url_it->get<std::string>();
    result["url"] = url;
    const std::optional<Url> target = parse_http_url(url);
    if (!target) {
      result["error"] = "not an http:// URL";
      return result;
    }
    const auto arguments_it = action.find("arguments");
    const std::string arguments = arguments_it != action.end() && !arguments_it->is_null()
                                      ? arguments_it->dump()
                                      : std::string("[]");

    tr::Span client = tracer_.start_span(
        "POST", {.kind = tr::SpanKind::kClient,
                 .parent = &parent,
                 .attributes = {{std::string(sc::kHttpRequestMethod), std::string("POST")},
                                {std::string(sc::kServerAddress), target->host},
                                {std::string(sc::kServerPort), int64_t{target->port}},
                                {std::string(sc::kUrlFull), url},
                                {std::string(sc::kNetworkProtocolVersion), std::string("1.1")}}});
    tr::HeaderCarrier out;
    propagator_->inject(tr::Context{client.context(), parent.baggage}, out);
    const tracecontext_service::CallResult answer = tracecontext_service::post(
        target->host, static_cast<uint16_t>(target->port), target->path, out.headers(), arguments,
        std::chrono::milliseconds(options_.call_timeout_ms));
    HttpExchange exchange{.method = "POST"};
    std::string error = answer.error_type;
    if (answer.status != 0) {
      exchange.status_code = answer.status;
      result["status"] = answer.status;
      client.set_attribute(sc::kHttpResponseStatusCode, int64_t{answer.status});
      if (error.empty() && answer.status >= 400) error = std::to_string(answer.status);
    }
    if (!answer.error.empty()) result["error"] = answer.error;
    if (!error.empty()) {
      client.set_attribute(coretel::semconv::attributes::kErrorType, error);
      client.set_status(tr::StatusCode::kError, answer.error);
    }
    exchange.error = error;
    exchange.seconds = seconds_since(start);
    metrics_.record_client(exchange, target->host, target->port);
    return result;
  }

  static constexpr int kMaxDepth = 64;
  const Options& options_;
  tr::Tracer tracer_;
  std::shared_ptr<const tr::TextMapPropagator> propagator_;
  HttpMetrics& metrics_;
  std::string address_;
  int port_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"coretel-tracecontext-service: the W3C trace-context test suite's service"};
  app.add_option("--listen", options.listen, "HOST:PORT to serve POST /test on (port 0: any)")
      ->capture_default_str();
  app.add_option("--admin", options.admin,
                 "HOST:PORT of the admin endpoint (/metrics, /api/v1/telemetry/...); none when "
                 "empty")
      ->capture_default_str();
  app.add_option("--max-calls", options.max_calls, "Elements one /test request may ask for")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--call-timeout-ms", options.call_timeout_ms,
                 "Connection and answer timeout of each call")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::string host;
  int port = 0;
  if (!split_host_port(options.listen, host, port)) {
    fmt::print(stderr, "coretel-tracecontext-service: --listen {}: not HOST:PORT\n",
               options.listen);
    return 2;
  }
  std::string admin_host;
  int admin_port = 0;
  if (!options.admin.empty() && !split_host_port(options.admin, admin_host, admin_port)) {
    fmt::print(stderr, "coretel-tracecontext-service: --admin {}: not HOST:PORT\n", options.admin);
    return 2;
  }

  // SIGINT and SIGTERM are taken by sigwait() below, on no other thread: blocked before any
  // thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    const coretel::SdkConfiguration config = coretel::read_sdk_configuration();
    coretel::report_configuration_warnings(config);
    const coretel::Resource resource =
        coretel::Resource::detect("coretel-tracecontext-service", config);
    tr::TracerProvider provider(tr::tracer_provider_options(config, resource));
    const auto propagator = tr::propagator_for(config.propagators);

    coretel::CollectionPipeline pipeline;
    HttpMetrics metrics(pipeline);
    pipeline.start();
    std::unique_ptr<coretel::OtlpMetricExporter> otlp;
    std::unique_ptr<coretel::PeriodicExportingMetricReader> reader;
    if (config.otlp_metrics_enabled) {
      if (config.otlp_metrics.temporality != coretel::TemporalityPreference::kCumulative)
        fmt::print(stderr,
                   "coretel-tracecontext-service: pushing cumulative metrics (this service "
                   "keeps no delta consumer)\n");
      coretel::OtlpExporterOptions cumulative = config.otlp_metrics;
      cumulative.temporality = coretel::TemporalityPreference::kCumulative;
      otlp = std::make_unique<coretel::OtlpMetricExporter>(pipeline, resource, cumulative);
      reader =
          std::make_unique<coretel::PeriodicExportingMetricReader>(*otlp, config.metric_reader);
      reader->start();
    }
    std::unique_ptr<coretel::AdminServer> admin;
    if (!options.admin.empty()) {
      coretel::AdminOptions admin_options;
      admin_options.host = admin_host;
      admin_options.port = static_cast<uint16_t>(admin_port);
      admin_options.metrics_enabled = !config.sdk_disabled;
      admin = std::make_unique<coretel::AdminServer>(admin_options, pipeline, resource);
      admin->start();
    }

    std::unique_ptr<Service> service;
    tracecontext_service::Server server(host, static_cast<uint16_t>(port),
                                        [&service](const tracecontext_service::Request& request) {
                                          return service->handle(request);
                                        });
    service = std::make_unique<Service>(options, provider.tracer("coretel.tracecontext_service"),
                                        propagator, metrics, host, server.port());
    std::thread serving([&server] { server.run(); });
    fmt::print(stderr, "coretel-tracecontext-service: POST http://{}:{}/test{}\n", host,
               server.port(),
               admin ? fmt::format("; metrics at http://{}:{}/metrics", admin_host, admin->port())
                     : std::string());
    std::fflush(stderr);

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    server.stop();
    serving.join();
    // The batch processor's last spans: up to one export's time, retries included.
    const auto export_time = config.span_batch.export_timeout.count() > 0
                                 ? config.span_batch.export_timeout
                                 : std::chrono::milliseconds(30000);
    if (!provider.shutdown(export_time + std::chrono::seconds(1))) {
      fmt::print(stderr, "coretel-tracecontext-service: spans still unexported at exit\n");
      std::fflush(stderr);
      std::_Exit(1);  // the export thread is still running: no static destruction under it
    }
    if (admin) admin->stop();
    pipeline.stop();                 // its final collection publishes the last values
    if (reader) reader->shutdown();  // the final export
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "coretel-tracecontext-service: {}\n", e.what());
    return 1;
  }
}
