// worker.h: Worker, one syslog-receiving engine thread pinned to one core.
//
// Each worker owns a UDP socket and a TCP listening socket bound to the same address with
// SO_REUSEPORT (the kernel spreads datagrams and connections across workers), an epoll loop, its
// TCP connections, and its coretel Reporter and metric sets. Nothing is shared between workers;
// the only cross-thread traffic is the reporter's ring to the collector.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include "coretel/collect/pipeline.h"
#include "receiver_metrics.h"
#include "stream_framer.h"

namespace coretel_demo {

enum class Transport : uint8_t { kUdp, kTcp };

class Worker {
 public:
  /// Binds the sockets now (on the caller's thread) so that a bad address fails at start-up.
  /// Throws std::system_error naming the address and the call that failed.
  Worker(int cpu, const sockaddr_in& listen, coretel::CollectionPipeline& pipeline);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// The engine loop; runs on its own thread until `stop` is set, then closes its connections
  /// (delivering their last records) and reports its sets one last time. The sets stay
  /// registered until the Worker is destroyed, so that their series outlive the final
  /// collection and export.
  void run(const std::atomic<bool>& stop);

 private:
  struct Connection {
    int fd;
    StreamFramer framer;
  };
  struct TransportSets {
    coretel::Registration<ReceiverMetrics> receiver;
    coretel::Registration<MessagesBySeverity> messages;
    coretel::Registration<ParseErrorsByReason> errors;
  };

  void register_sets(coretel::Reporter& reporter);
  void read_datagrams();
  void accept_connections();
  void read_connection(Connection& connection);
  void close_connection(int fd);
  void process_record(TransportSets& sets, std::string_view record);
  void count_error(TransportSets& sets, ParseError error);

  int cpu_;
  coretel::CollectionPipeline& pipeline_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  int epoll_fd_ = -1;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::unique_ptr<char[]> read_buffer_;
  // Made on the worker's thread in run(). Declared before the sets: destroyed after them.
  std::unique_ptr<coretel::Reporter> reporter_;
  TransportSets udp_;
  TransportSets tcp_;
};

/// Formats "a.b.c.d:port".
std::string to_string(const sockaddr_in& address);
/// Parses "a.b.c.d:port"; throws std::invalid_argument with the reason.
sockaddr_in parse_address(const std::string& text);

}  // namespace coretel_demo
