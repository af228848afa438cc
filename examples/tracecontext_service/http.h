// http.h: the HTTP of coretel-tracecontext-service, on Boost.Beast (the library coretel's admin
// endpoint serves with). Header values reach the handler exactly as they arrived: no decoding,
// every line kept, in order (W3C Trace Context needs `traceparent: ...-0%31` to stay invalid and
// two `traceparent` lines to stay two).
//
// Bounds: one request per connection; at most ServerLimits::max_connections at a time (more are
// closed at once); the request's head and body read, and the response written, each within the
// deadline (not per read: a peer sending a byte at a time is cut off); a body over max_body is
// refused with 413, a head over max_header with 431, a request that is not valid HTTP/1.1 (a
// control character in a header value, say) with 400. A call (post()) connects, sends and reads
// within one timeout, to an IP address only (no name lookup to hang on), and reads at most 64 KiB
// of the answer.
//
// Thread-safety: Server::run() on one thread, stop() from any; post() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tracecontext_service {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;
  Headers headers;  ///< every line, in order, names and values as received
  std::string body;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

struct ServerLimits {
  std::size_t max_connections = 64;
  std::size_t max_header = 16 * 1024;
  std::size_t max_body = 1024 * 1024;
  /// To read one request, and again to write its response.
  std::chrono::milliseconds deadline{10000};
};

class Server {
 public:
  using Handler = std::function<Response(const Request&)>;
  /// Binds `address` (an IPv4 or IPv6 address, or "localhost") and `port` (0: any). Throws
  /// std::runtime_error naming what failed.
  Server(const std::string& address, uint16_t port, Handler handler, ServerLimits limits = {});
  ~Server();
  uint16_t port() const noexcept { return port_; }
  /// Accepts connections, each served on a thread of its own, until stop().
  void run();
  /// Stops accepting and waits, at most the deadline, for the requests in progress.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

struct CallResult {
  int status = 0;          ///< the answer's status; 0 when none came
  std::string error;       ///< what failed, for people
  std::string error_type;  ///< "timeout" or "connection_error" (semantic conventions' error.type)
};

/// POSTs `body` (JSON) to http://`address`:`port``target` with `headers` added, all within
/// `timeout`. `address` is an IP address or "localhost".
CallResult post(const std::string& address, uint16_t port, const std::string& target,
                const Headers& headers, const std::string& body, std::chrono::milliseconds timeout);

}  // namespace tracecontext_service
