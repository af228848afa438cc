// admin_server.h: AdminServer, the admin HTTP endpoint: Prometheus scrapes, JSON metrics, the
// live schema and health probes.
//
// COLD PATH. Routes (GET and HEAD; other methods on a known path get 405):
//   /metrics                         text exposition 0.0.4 (export/prometheus_text.h)
//   /api/v1/telemetry/metrics        JSON (export/json.h)
//   /api/v1/telemetry/live-schema    JSON (export/live_schema.h)
//   /livez, /readyz                  "ok" (readyz: 503 until start() bound the socket)
// With a bearer token set, every route but the probes needs `Authorization: Bearer <token>`
// (401 with `WWW-Authenticate: Bearer` otherwise). Requests are served on a small pool of
// threads with read/write timeouts (5 s), a 1 MiB payload limit and bounded keep-alive; the
// server records its own AdminMetrics (coretel.admin.*) through a Reporter of the pipeline.
// Thread-safety: start(), stop() and port() from any thread, not concurrently with destruction.
#pragma once

#include <memory>
#include <string>

#include "coretel/collect/pipeline.h"
#include "coretel/resource.h"

namespace coretel {

struct AdminOptions {
  std::string host = "127.0.0.1";  ///< address to bind (IPv4 or IPv6 literal, or a host name)
  int port = 9464;                 ///< 0: any free port (see AdminServer::port())
  std::string bearer_token;        ///< empty: no authentication
};

class AdminServer {
 public:
  /// `pipeline` must outlive the server. Nothing is bound until start().
  AdminServer(AdminOptions options, CollectionPipeline& pipeline, Resource resource);
  ~AdminServer();  // stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Binds and starts serving on a background thread; returns once bound. Throws
  /// std::runtime_error naming the address when it cannot bind. Idempotent while running.
  void start();
  /// Stops serving (in-flight requests finish; waits at most the 5 s I/O timeouts) and hands the
  /// admin self-metrics' last values to the pipeline. Idempotent.
  void stop();
  /// The bound port (the actual one when AdminOptions::port was 0); 0 before start().
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coretel
