// The admin endpoint on Boost.Beast (HTTP/1.1 parser and serializer) and Boost.Asio (one
// io_context run by one thread). Why this library and how each limit is enforced:
// docs/admin-endpoint.md.
//
// Everything below but start()/stop() runs on the server thread, so connections, the renderer
// and the self-metrics need no locks.
//
// At max_connections a new connection evicts the connection that has waited longest for a
// request to begin or to be complete (`evictable`, in the order those phases began); it is
// admitted once the evicted one is gone, so no more than max_connections ever hold buffers.
// Only when every connection is writing a response is the new one answered 503.
#include "coretel/admin/admin_server.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "../common/ascii.h"
#include "coretel/collect/reporter.h"
#include "coretel/collect/self_metrics.h"
#include "coretel/events/provider.h"
#include "coretel/export/json.h"
#include "coretel/export/live_schema.h"
#include "coretel/export/prometheus_text.h"

namespace coretel {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Reason = telemetry::CoretelAdminRejectionReason;
using AdminRejections = telemetry::CoretelAdminRejectionsByCoretelAdminRejectionReason;

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kPlainContentType = "text/plain; charset=utf-8";
constexpr std::string_view kRoutes[] = {"/metrics",
                                        "/api/v1/telemetry/metrics",
                                        "/api/v1/telemetry/live-schema",
                                        "/api/v1/telemetry/events",
                                        "/livez",
                                        "/readyz"};
// Bytes read from the socket at a time; the buffer never grows past max_header_bytes plus this.
constexpr std::size_t kReadChunk = 4096;
// Backoff when accept() fails for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS):
// retrying at once would spin, the condition clears only when something closes.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

// Written on a connection over max_connections, without reading anything from it.
constexpr std::string_view kBusyResponse =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 21\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Connection: close\r\n"
    "\r\n"
    "too many connections\n";

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}
beast::string_view bsv(std::string_view s) {
  return {s.data(), s.size()};
}

bool known_path(std::string_view path) {
  return std::find(std::begin(kRoutes), std::end(kRoutes), path) != std::end(kRoutes);
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

using ascii::iequals;

std::string format_address(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

}  // namespace

struct AdminServer::Impl {
  class Connection;

  AdminOptions options;
  CollectionPipeline& pipeline;
  Resource resource;

  std::mutex lifecycle_mutex;  // start/stop
  std::atomic<bool> ready{false};
  std::atomic<int> port{0};

  // One io_context per start(), run by `thread`; destroyed by stop().
  std::unique_ptr<asio::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_backoff;
  std::thread thread;
  bool stopping = false;                        // server thread only
  std::unordered_set<Connection*> connections;  // every live one; server thread only
  // Open connections not writing a response, in the order their phase (waiting for a request,
  // receiving one) began: front() is the one evicted first. Server thread only.
  std::list<Connection*> evictable;
  // Connections closed whose handlers have not finished yet: they still count in `connections`.
  std::size_t closing = 0;
  // A connection accepted at the limit, admitted when a closing one is gone; accept() is not
  // re-armed meanwhile, so there is at most one.
  std::optional<tcp::socket> waiting;

  // Self-metrics, recorded on the server thread; one registration per address, kept across
  // stop()/start() on the same address so that its counters keep counting.
  std::unique_ptr<Reporter> reporter;
  Registration<AdminMetrics> metrics;
  Registration<AdminRejections> rejections;
  std::string metrics_address;

  PrometheusTextRenderer renderer;  // keeps caches between scrapes

  Impl(AdminOptions o, CollectionPipeline& p, Resource r)
      : options(std::move(o)), pipeline(p), resource(std::move(r)) {}

  void tick() { reporter->tick(std::chrono::steady_clock::now()); }

  void reject(Reason reason) {
    rejections->with(reason).connections.inc();
    tick();
  }

  void record_response(int status) {
    metrics->requests.inc();
    if (status >= 400 && status < 500) metrics->rejected_requests.inc();
    tick();
  }

  bool authorized(const http::request<http::string_body>& req) const {
    if (options.bearer_token.empty()) return true;
    auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    std::string_view header = sv(it->value());
    constexpr std::string_view kScheme = "Bearer ";
    if (header.size() < kScheme.size() || !iequals(header.substr(0, kScheme.size()), kScheme))
      return false;
    std::string_view token = header.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    return constant_time_equal(token, options.bearer_token);
  }

  std::string render_metrics() {
    if (!options.metrics_enabled) return {};
    auto begin = std::chrono::steady_clock::now();
    auto views = pipeline.views();
    std::string body;
    renderer.render(resource, views, body);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    metrics->scrapes.inc();
    metrics->scrape_duration.record(seconds);
    metrics->scrape_bytes.add(body.size());
    return body;
  }

  // Routes one complete request; fills status, headers and body of `res`.
  void route(const http::request<http::string_body>& req, http::response<http::string_body>& res) {
    auto text = [&](http::status status, std::string_view body) {
      res.result(status);
      res.set(http::field::content_type, bsv(kPlainContentType));
      res.body() = std::string(body);
    };
    std::string_view target = sv(req.target());
    std::string_view path = target.substr(0, target.find('?'));
    bool read_only = req.method() == http::verb::get || req.method() == http::verb::head;
    if (!known_path(path)) {
      text(http::status::not_found, "not found\n");
    } else if (!read_only) {
      res.set(http::field::allow, "GET, HEAD");
      text(http::status::method_not_allowed, "method not allowed\n");
    } else if (path == "/livez") {
      text(http::status::ok, "ok\n");
    } else if (path == "/readyz") {
      if (ready.load())
        text(http::status::ok, "ok\n");
      else
        text(http::status::service_unavailable, "not ready\n");
    } else if (!authorized(req)) {
      res.set(http::field::www_authenticate, "Bearer");
      text(http::status::unauthorized, "unauthorized\n");
    } else if (path == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, bsv(kPrometheusTextContentType));
      res.body() = render_metrics();
    } else if (path == "/api/v1/telemetry/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, bsv(kJsonContentType));
      res.body() = render_metrics_json(
          resource, options.metrics_enabled ? pipeline.views() : std::vector<MetricsViewPtr>{});
    } else if (path == "/api/v1/telemetry/events") {
      // ?limit=N: the newest N (1 to 65536) of the view.
      std::size_t limit = 65536;
      const std::string_view query =
          path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
      if (!query.empty()) {
        std::size_t n = 0;
        const bool numeric =
            query.starts_with("limit=") && query.size() > 6 &&
            std::from_chars(query.data() + 6, query.data() + query.size(), n).ptr ==
                query.data() + query.size();
        if (!numeric || n < 1 || n > 65536) {
          text(http::status::bad_request, "the only parameter is limit=N, N from 1 to 65536\n");
          return;
        }
        limit = n;
      }
      res.result(http::status::ok);
      res.set(http::field::content_type, bsv(kJsonContentType));
      res.body() = events::recent_events_json(limit);
    } else {  // /api/v1/telemetry/live-schema
      res.result(http::status::ok);
      res.set(http::field::content_type, bsv(kJsonContentType));
      res.body() = render_live_schema(pipeline.registry());
    }
  }

  // One client connection: wait for a request (idle_timeout), read it whole under one deadline
  // (request_timeout), answer it (write_timeout), and again while the client keeps it alive.
  class Connection : public std::enable_shared_from_this<Connection> {
   public:
    Connection(Impl& server, tcp::socket socket)
        : server_(server),
          stream_(std::move(socket)),
          buffer_(server.options.max_header_bytes + kReadChunk) {
      server_.connections.insert(this);
    }
    ~Connection() {
      leave_evictable();
      if (closed_) --server_.closing;
      server_.connections.erase(this);
      server_.connection_gone();
    }

    void start() { wait_for_request(); }

    // Ends every pending operation on this connection now; their handlers then run with an
    // error and the connection is destroyed. Idempotent.
    void close() {
      if (!closed_) {
        closed_ = true;
        leave_evictable();
        ++server_.closing;
      }
      error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
    }

    // Closed to make room for a new connection (Impl::accept()).
    void evict() {
      server_.reject(Reason::kEvicted);
      close();
    }

   private:
    const AdminOptions& options() const { return server_.options; }

    // A phase that may be evicted begins (waiting for a request, receiving one): this connection
    // becomes the last to be evicted.
    void enter_evictable() {
      if (closed_) return;
      if (place_)
        server_.evictable.splice(server_.evictable.end(), server_.evictable, *place_);
      else
        place_ = server_.evictable.insert(server_.evictable.end(), this);
    }
    // Writing a response, closed or gone: never evicted.
    void leave_evictable() {
      if (!place_) return;
      server_.evictable.erase(*place_);
      place_.reset();
    }

    // Counts a limit that closed this connection, unless it was closed already (evicted: its
    // handler may still complete with a timeout or an error).
    void close_for(Reason reason) {
      if (!closed_) server_.reject(reason);
      close();
    }

    // Idle phase: nothing of the next request has arrived yet.
    void wait_for_request() {
      if (server_.stopping || closed_) return;
      if (buffer_.size() > 0) return read_header();  // pipelined bytes already here
      enter_evictable();
      stream_.expires_after(options().idle_timeout);
      stream_.async_read_some(buffer_.prepare(kReadChunk),
                              [self = shared_from_this()](error_code ec, std::size_t n) {
                                if (self->closed_) return self->close();  // evicted
                                if (ec) {
                                  if (ec == beast::error::timeout)
                                    return self->close_for(Reason::kIdleTimeout);
                                  return self->close();
                                }
                                self->buffer_.commit(n);
                                self->read_header();
                              });
    }

    // Request phase: one deadline for line, header and body, from the first byte.
    void read_header() {
      enter_evictable();
      stream_.expires_after(options().request_timeout);
      parser_.emplace();
      parser_->header_limit(static_cast<std::uint32_t>(
          std::min<std::size_t>(options().max_header_bytes, UINT32_MAX)));
      parser_->body_limit(options().max_body_bytes);
      http::async_read_header(stream_, buffer_, *parser_,
                              [self = shared_from_this()](error_code ec, std::size_t) {
                                if (ec || self->closed_) return self->read_failed(ec);
                                self->read_body();
                              });
    }

    void read_body() {
      if (closed_) return close();  // evicted
      if (parser_->is_done()) return respond();
      // No route takes a body, but reading it (at most body_limit, freed with the parser)
      // keeps a kept-alive connection in sync for the next request.
      http::async_read(stream_, buffer_, *parser_,
                       [self = shared_from_this()](error_code ec, std::size_t) {
                         if (ec || self->closed_) return self->read_failed(ec);
                         self->respond();
                       });
    }

    void read_failed(error_code ec) {
      if (closed_) return close();  // evicted
      if (ec == beast::error::timeout)
        return close_for(Reason::kRequestTimeout);  // tcp_stream closed the socket already
      if (ec == http::error::body_limit ||
          (ec == http::error::buffer_overflow && parser_->is_header_done()))
        return refuse(http::status::payload_too_large, Reason::kBodyTooLarge);
      if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        // 414 when not even the request line fits (the parser has no target yet), 431 when the
        // header fields do not.
        bool line_parsed = !parser_->get().target().empty();
        return refuse(line_parsed ? http::status::request_header_fields_too_large
                                  : http::status::uri_too_long,
                      Reason::kHeaderTooLarge);
      }
      if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
          ec == asio::error::eof || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
        return close();  // the client went away, or stop()
      refuse(http::status::bad_request, Reason::kMalformed);
    }

    // Answers a request that broke a limit and closes: the rest of it is never read.
    void refuse(http::status status, Reason reason) {
      server_.reject(reason);
      response_ = http::response<http::string_body>{};
      response_.version(11);
      response_.result(status);
      response_.set(http::field::content_type, bsv(kPlainContentType));
      response_.body() =
          fmt::format("{} {}\n", static_cast<int>(status), sv(http::obsolete_reason(status)));
      response_.keep_alive(false);
      write(false);
    }

    void respond() {
      const auto& req = parser_->get();
      response_ = http::response<http::string_body>{};
      response_.version(req.version());
      try {
        server_.route(req, response_);
      } catch (const std::exception&) {  // e.g. bad_alloc while rendering: this request fails
        response_ = http::response<http::string_body>{};
        response_.version(req.version());
        response_.result(http::status::internal_server_error);
        response_.set(http::field::content_type, bsv(kPlainContentType));
        response_.body() = "internal error\n";
      }
      response_.keep_alive(req.keep_alive());
      if (req.method() == http::verb::head) {
        // The headers GET would send, Content-Length included, without the body.
        response_.content_length(response_.body().size());
        response_.body().clear();
      } else {
        response_.prepare_payload();
      }
      write(response_.keep_alive());
    }

    void write(bool keep_alive) {
      leave_evictable();  // busy until the response is written (or write_timeout)
      response_.set(http::field::cache_control, "no-store");
      response_.set("X-Content-Type-Options", "nosniff");
      if (response_.find(http::field::content_length) == response_.end())
        response_.prepare_payload();
      server_.record_response(response_.result_int());
      stream_.expires_after(options().write_timeout);
      http::async_write(stream_, response_,
                        [self = shared_from_this(), keep_alive](error_code ec, std::size_t) {
                          if (ec) {
                            if (ec == beast::error::timeout)
                              return self->close_for(Reason::kWriteTimeout);
                            return self->close();
                          }
                          if (!keep_alive) {
                            // FIN after the response; the client reads it before the close.
                            error_code ignored;
                            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                            return self->close();
                          }
                          self->parser_.reset();
                          self->wait_for_request();
                        });
    }

    Impl& server_;
    bool closed_ = false;
    std::optional<std::list<Connection*>::iterator> place_;  // in server_.evictable
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;  // bounded: max_header_bytes + kReadChunk
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
  };

  void accept() {
    acceptor->async_accept([this](error_code ec, tcp::socket socket) {
      if (stopping || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors or memory: wait for some to be released instead of spinning.
        accept_backoff->expires_after(kAcceptBackoff);
        accept_backoff->async_wait([this](error_code wait_ec) {
          if (!wait_ec && !stopping) accept();
        });
        return;
      }
      if (connections.size() < options.max_connections) {
        std::make_shared<Connection>(*this, std::move(socket))->start();
      } else if (!evictable.empty() || closing > 0) {
        // Make room: evict the connection least likely to be a scrape in progress, then admit
        // this one once a slot is free (connection_gone()); accept() resumes then.
        if (!evictable.empty()) evictable.front()->evict();
        waiting.emplace(std::move(socket));
        return;
      } else {  // every connection is writing a response
        refuse_connection(std::move(socket));
      }
      accept();
    });
  }

  // A connection was destroyed: admit the one waiting for its slot, from the event loop (not
  // from inside the destructor).
  void connection_gone() {
    if (!waiting || stopping) return;
    asio::post(*io, [this] {
      // Another connection_gone() may have admitted it already, and accept() may have put a new
      // one here since, whose slot is not free yet (that frees when its evicted one is gone).
      if (!waiting || stopping || connections.size() >= options.max_connections) return;
      tcp::socket socket = std::move(*waiting);
      waiting.reset();
      std::make_shared<Connection>(*this, std::move(socket))->start();
      accept();
    });
  }

  // Over max_connections: one non-blocking write of a fixed 503 into the fresh socket's empty
  // send buffer, then close; nothing is read or kept.
  void refuse_connection(tcp::socket socket) {
    reject(Reason::kConnectionLimit);
    error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(kBusyResponse.data(), kBusyResponse.size()), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  void start() {
    std::lock_guard lifecycle(lifecycle_mutex);
    if (thread.joinable()) return;
    if (options.max_connections == 0)
      throw std::invalid_argument("coretel admin server: max_connections must be >= 1");
    auto context = std::make_unique<asio::io_context>(1);
    tcp::acceptor bound_acceptor(*context);
    error_code ec;
    tcp::resolver resolver(*context);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    bool bound = false;
    if (!ec) {
      for (const auto& entry : endpoints) {
        error_code attempt;
        bound_acceptor.open(entry.endpoint().protocol(), attempt);
        // SO_REUSEADDR allows a quick restart; no SO_REUSEPORT, which would let a second
        // process share (and silently split) the port.
        if (!attempt) bound_acceptor.set_option(tcp::acceptor::reuse_address(true), attempt);
        if (!attempt) bound_acceptor.bind(entry.endpoint(), attempt);
        if (!attempt) bound_acceptor.listen(options.listen_backlog, attempt);
        if (!attempt) {
          bound = true;
          break;
        }
        error_code ignored;
        bound_acceptor.close(ignored);
      }
    }
    if (!bound)
      throw std::runtime_error("coretel admin server: cannot bind " +
                               format_address(options.host, options.port));
    int bound_port = bound_acceptor.local_endpoint().port();
    port.store(bound_port);
    std::string address = format_address(options.host, bound_port);
    if (!metrics || address != metrics_address) {
      rejections.reset();
      metrics.reset();
      reporter.reset();
      const Attributes entity{{std::string(telemetry::attributes::kCoretelAdminAddress), address}};
      reporter = pipeline.make_reporter(kUnpinned, entity);
      metrics = reporter->register_set<AdminMetrics>(entity);
      rejections = reporter->register_set<AdminRejections>(entity);
      metrics_address = address;
    }
    io = std::move(context);
    acceptor.emplace(std::move(bound_acceptor));
    accept_backoff.emplace(*io);
    stopping = false;
    accept();
    thread = std::thread([this] {
      events::set_thread_aspect(events::Aspect::kAdmin);
      io->run();
    });
    ready.store(true);
  }

  void stop() {
    std::lock_guard lifecycle(lifecycle_mutex);
    ready.store(false);
    if (!thread.joinable()) return;
    // On the server thread: no new connections, every open one closed; their handlers then
    // complete at once (operation_aborted) and run() returns with no work left.
    asio::post(*io, [this] {
      stopping = true;
      error_code ignored;
      acceptor->close(ignored);
      accept_backoff->cancel();
      waiting.reset();  // closes it
      // close() edits `evictable`, not `connections`.
      for (Connection* connection : connections) connection->close();
    });
    thread.join();
    accept_backoff.reset();
    acceptor.reset();
    io.reset();
    if (reporter) reporter->report_all();
  }

  ~Impl() {
    stop();
    rejections.reset();  // hands the last values to the collector
    metrics.reset();
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
