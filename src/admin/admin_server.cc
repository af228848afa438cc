#include "coretel/admin/admin_server.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "coretel/collect/reporter.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/export/json.h"
#include "coretel/export/live_schema.h"
#include "coretel/export/prometheus_text.h"

namespace coretel {

namespace {

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kPlainContentType = "text/plain; charset=utf-8";
constexpr std::string_view kRoutes[] = {"/metrics", "/api/v1/telemetry/metrics",
                                        "/api/v1/telemetry/live-schema", "/livez", "/readyz"};
constexpr std::size_t kServerThreads = 8;

bool known_path(std::string_view path) {
  for (std::string_view route : kRoutes)
    if (route == path) return true;
  return false;
}

// Compares in time that depends only on the lengths, not on where the strings differ.
bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
  }
  return diff == 0;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

void set_text(httplib::Response& res, int status, std::string_view body) {
  res.status = status;
  res.set_content(std::string(body), std::string(kPlainContentType));
}

}  // namespace

struct AdminServer::Impl {
  AdminOptions options;
  CollectionPipeline& pipeline;
  Resource resource;

  httplib::Server server;
  std::mutex lifecycle_mutex;  // start/stop
  std::thread thread;
  std::atomic<bool> ready{false};
  std::atomic<int> port{0};
  std::atomic<bool> listen_ended{false};

  // Self-metrics: httplib serves on several threads, the set and its reporter are single-owner.
  std::mutex metrics_mutex;
  std::unique_ptr<Reporter> reporter;
  Registration<AdminMetrics> metrics;
  std::string metrics_address;

  // Renderers keep caches; one per concurrent scrape, reused.
  std::mutex renderers_mutex;
  std::vector<std::unique_ptr<PrometheusTextRenderer>> renderers;

  Impl(AdminOptions o, CollectionPipeline& p, Resource r)
      : options(std::move(o)), pipeline(p), resource(std::move(r)) {
    configure();
  }

  bool authorized(const httplib::Request& req) const {
    if (options.bearer_token.empty()) return true;
    std::string_view header;
    auto it = req.headers.find("Authorization");
    if (it == req.headers.end()) return false;
    header = it->second;
    constexpr std::string_view kScheme = "Bearer ";
    if (header.size() < kScheme.size() || !iequals(header.substr(0, kScheme.size()), kScheme))
      return false;
    std::string_view token = header.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    return constant_time_equal(token, options.bearer_token);
  }

  // Wraps a handler with the bearer-token check.
  httplib::Server::Handler guarded(httplib::Server::Handler handler) {
    return
        [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
          if (!authorized(req)) {
            res.set_header("WWW-Authenticate", "Bearer");
            set_text(res, 401, "unauthorized\n");
            return;
          }
          handler(req, res);
        };
  }

  std::unique_ptr<PrometheusTextRenderer> take_renderer() {
    std::lock_guard lock(renderers_mutex);
    if (renderers.empty()) return std::make_unique<PrometheusTextRenderer>();
    auto r = std::move(renderers.back());
    renderers.pop_back();
    return r;
  }
  void give_back(std::unique_ptr<PrometheusTextRenderer> r) {
    std::lock_guard lock(renderers_mutex);
    renderers.push_back(std::move(r));
  }

  void serve_metrics(httplib::Response& res) {
    auto begin = std::chrono::steady_clock::now();
    auto views = pipeline.views();
    auto renderer = take_renderer();
    std::string body;
    renderer->render(resource, views, body);
    give_back(std::move(renderer));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    std::size_t size = body.size();
    res.set_content(std::move(body), std::string(kPrometheusTextContentType));
    std::lock_guard lock(metrics_mutex);
    if (metrics) {
      metrics->scrapes.inc();
      metrics->scrape_duration.record(seconds);
      metrics->scrape_bytes.add(size);
    }
  }

  // Called for every response httplib writes, including its own 4xx for malformed requests.
  void record_request(const httplib::Response& res) {
    std::lock_guard lock(metrics_mutex);
    if (!metrics) return;
    metrics->requests.inc();
    if (res.status >= 400 && res.status < 500) metrics->rejected_requests.inc();
    reporter->tick(std::chrono::steady_clock::now());
  }

  void configure() {
    server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    // httplib's default sets SO_REUSEPORT, which would let a second process share (and silently
    // split) the port; SO_REUSEADDR alone still allows a quick restart.
    server.set_socket_options([](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    server.set_read_timeout(5, 0);
    server.set_write_timeout(5, 0);
    server.set_keep_alive_timeout(5);
    server.set_keep_alive_max_count(100);
    server.set_payload_max_length(std::size_t{1} << 20);
    server.set_default_headers(
        {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}});

    server.Get("/metrics", guarded([this](const httplib::Request&, httplib::Response& res) {
                 serve_metrics(res);
               }));
    server.Get("/api/v1/telemetry/metrics",
               guarded([this](const httplib::Request&, httplib::Response& res) {
                 auto views = pipeline.views();
                 res.set_content(render_metrics_json(resource, views),
                                 std::string(kJsonContentType));
               }));
    server.Get("/api/v1/telemetry/live-schema",
               guarded([this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(render_live_schema(pipeline.registry()),
                                 std::string(kJsonContentType));
               }));
    server.Get("/livez",
               [](const httplib::Request&, httplib::Response& res) { set_text(res, 200, "ok\n"); });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      if (ready.load()) {
        set_text(res, 200, "ok\n");
      } else {
        set_text(res, 503, "not ready\n");
      }
    });
    server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
      set_text(res, 404, "not found\n");
    });
    // Other methods: 405 on a known path, 404 elsewhere. These handlers run after httplib read
    // (and bounded) the body, so the connection stays in sync for keep-alive.
    auto other_method = [](const httplib::Request& req, httplib::Response& res) {
      if (known_path(req.path)) {
        res.set_header("Allow", "GET, HEAD");
        set_text(res, 405, "method not allowed\n");
      } else {
        set_text(res, 404, "not found\n");
      }
    };
    server.Post(".*", other_method);
    server.Put(".*", other_method);
    server.Patch(".*", other_method);
    server.Delete(".*", other_method);
    server.Options(".*", other_method);
    // Methods httplib parses but does not route (TRACE, CONNECT, PRI): answered before any body.
    server.set_pre_routing_handler(
        [other_method](const httplib::Request& req, httplib::Response& res) {
          const std::string& m = req.method;
          if (m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" ||
              m == "DELETE" || m == "OPTIONS")
            return httplib::Server::HandlerResponse::Unhandled;
          other_method(req, res);
          res.set_header("Connection", "close");
          return httplib::Server::HandlerResponse::Handled;
        });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          set_text(res, 500, "internal error\n");
        });
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          // httplib's own errors (400, 413, 414, ...) come without a body.
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          res.set_content(fmt::format("{} {}\n", res.status, reason_phrase(res.status)),
                          std::string(kPlainContentType));
          return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_post_routing_handler(
        [this](const httplib::Request&, httplib::Response& res) { record_request(res); });
  }

  void start() {
    std::lock_guard lifecycle(lifecycle_mutex);
    if (thread.joinable()) return;
    int bound = -1;
    if (options.port == 0) {
      bound = server.bind_to_any_port(options.host);
    } else if (server.bind_to_port(options.host, options.port)) {
      bound = options.port;
    }
    bool ipv6 = options.host.find(':') != std::string::npos;
    if (bound <= 0)
      throw std::runtime_error(fmt::format("coretel admin server: cannot bind {}{}{}:{}",
                                           ipv6 ? "[" : "", options.host, ipv6 ? "]" : "",
                                           options.port));
    port.store(bound);
    std::string address =
        fmt::format("{}{}{}:{}", ipv6 ? "[" : "", options.host, ipv6 ? "]" : "", bound);
    {
      // One registration per address, kept across stop()/start() on the same address so that
      // its counters keep counting; a new address gets a new series.
      std::lock_guard lock(metrics_mutex);
      if (!metrics || address != metrics_address) {
        metrics.reset();
        reporter.reset();
        reporter = pipeline.make_reporter(-1, {{"coretel.admin.address", address}});
        metrics = reporter->register_set<AdminMetrics>({{"coretel.admin.address", address}});
        metrics_address = address;
      }
    }
    listen_ended.store(false);
    thread = std::thread([this] {
      server.listen_after_bind();
      listen_ended.store(true);
    });
    // stop() is a no-op until the listen loop runs: wait for it, so stop() always ends it.
    while (!server.is_running() && !listen_ended.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (listen_ended.load()) {
      thread.join();
      throw std::runtime_error("coretel admin server: cannot listen on " + address);
    }
    ready.store(true);
  }

  void stop() {
    std::lock_guard lifecycle(lifecycle_mutex);
    ready.store(false);
    if (!thread.joinable()) return;
    server.stop();
    thread.join();
    std::lock_guard lock(metrics_mutex);
    if (reporter) reporter->report_all();
  }

  ~Impl() {
    stop();
    std::lock_guard lock(metrics_mutex);
    metrics.reset();  // hands the last values to the collector
    reporter.reset();
  }
};

AdminServer::AdminServer(AdminOptions options, CollectionPipeline& pipeline, Resource resource)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, std::move(resource))) {}

AdminServer::~AdminServer() = default;  // Impl's destructor stops

void AdminServer::start() {
  impl_->start();
}
void AdminServer::stop() {
  impl_->stop();
}
int AdminServer::port() const {
  return impl_->port.load();
}

}  // namespace coretel
