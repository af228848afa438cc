// admin_server.h: AdminServer, the admin HTTP endpoint: Prometheus scrapes, JSON metrics, the
// live schema and health probes.
//
// COLD PATH. Routes (GET and HEAD; other methods on a known path get 405, elsewhere 404):
//   /metrics                         text exposition 0.0.4 (export/prometheus_text.h)
//   /api/v1/telemetry/metrics        JSON (export/json.h)
//   /api/v1/telemetry/live-schema    JSON (export/live_schema.h)
//   /api/v1/telemetry/events         JSON: the its provider's recent events, newest last
//                                    (events/provider.h: recent_events_json); ?limit=N
//   /livez, /readyz                  "ok" (readyz: 503 until start() bound the socket)
// With a bearer token set, every route but the probes needs `Authorization: Bearer <token>`
// (401 with `WWW-Authenticate: Bearer` otherwise).
//
// Bounded under hostile clients (docs/admin-endpoint.md): HTTP/1.1 (Boost.Beast) served by one
// thread from an event loop, so a slow or idle client holds a connection slot and its buffers,
// never a thread. Every resource a client can make the server hold has a limit in AdminOptions:
// connections (at the limit a new one evicts an idle or incomplete one, and is answered 503 only
// when every connection is writing a response), request line + header bytes (431/414),
// body bytes, declared or chunked (413, refused before the rest is read), the time to send a
// whole request (a deadline from its first byte, not reset by each byte), the idle time between
// requests, and the time to read a response. Each closure by a limit is counted in
// coretel.admin.rejected_connections{coretel.admin.rejection.reason}; the server records its
// self-metrics (coretel.admin.*) through a Reporter of the pipeline.
// Thread-safety: start(), stop() and port() from any thread, not concurrently with destruction.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "coretel/collect/pipeline.h"
#include "coretel/resource.h"

namespace coretel {

/// Where the admin endpoint listens and the limits that bound what a client can make it hold.
/// Worst-case memory held for clients is about max_connections * (max_header_bytes +
/// max_body_bytes) plus the responses being written.
struct AdminOptions {
  std::string host = "127.0.0.1";  ///< address to bind (IPv4 or IPv6 literal, or a host name)
  int port = 9464;                 ///< 0: any free port (see AdminServer::port())
  std::string bearer_token;        ///< empty: no authentication

  /// Connections open at once. Must be >= 1. When a new connection arrives with this many open,
  /// the server closes the open connection that is not writing a response and whose current
  /// phase began earliest: waiting for a request to begin (since accept or since its last
  /// response) or receiving a request not yet complete (since the request's first byte). That
  /// one is counted with reason `evicted`, and the new connection is served once its cancelled
  /// operations have finished, so never more than this many are open. Idle or trickling clients
  /// therefore cannot lock scrapes out. Only when every open connection is writing a response
  /// is the new one answered `503 Service Unavailable` and closed (reason `connection_limit`).
  std::size_t max_connections = 64;
  /// Pending connections the kernel queues before accept (listen(2) backlog).
  int listen_backlog = 64;
  /// Request line plus header fields, in bytes (this also bounds the number of fields). Over it:
  /// 414 when the request line alone is longer, 431 otherwise; the connection is closed.
  std::size_t max_header_bytes = 8 * 1024;
  /// Request body in bytes, whether declared by Content-Length or sent chunked. No route takes a
  /// body; a larger one is answered 413 and the connection closed after reading at most this
  /// much of it.
  std::size_t max_body_bytes = 64 * 1024;
  /// Time a connection may stay open without starting a request (a new connection, or a kept-
  /// alive one between requests); then it is closed.
  std::chrono::milliseconds idle_timeout{15000};
  /// Deadline for a whole request (line, header and body), measured from its first byte: a
  /// client trickling bytes is closed when it passes, however often bytes arrive.
  std::chrono::milliseconds request_timeout{5000};
  /// Time the client has to read a response; then the connection is closed.
  std::chrono::milliseconds write_timeout{10000};
  /// false: the metric routes export nothing, as a no-op exporter would: `/metrics` answers an
  /// empty exposition and `/api/v1/telemetry/metrics` a document without metric sets; the
  /// health routes and the live schema are unchanged. Set it from
  /// `!SdkConfiguration::sdk_disabled` to honour OTEL_SDK_DISABLED (config/environment.h).
  bool metrics_enabled = true;
};

class AdminServer {
 public:
  /// `pipeline` must outlive the server. Nothing is bound until start().
  AdminServer(AdminOptions options, CollectionPipeline& pipeline, Resource resource);
  ~AdminServer();  // stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Binds and starts serving on a background thread; returns once bound. Throws
  /// std::runtime_error naming the address when it cannot bind, std::invalid_argument when
  /// max_connections is 0. Idempotent while running.
  void start();
  /// Stops serving: closes the listening socket and every connection (responses not yet written
  /// are cut), without waiting for clients; returns once the server thread finishes the
  /// response it may be rendering (well under 1 s; clients cannot delay it). Hands the admin
  /// self-metrics' last values to the pipeline. Idempotent.
  void stop();
  /// The bound port (the actual one when AdminOptions::port was 0); 0 before start().
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coretel
