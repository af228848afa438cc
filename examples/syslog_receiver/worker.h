// worker.h: Worker, one syslog-receiving engine thread pinned to one core.
//
// Each worker owns a UDP socket and a TCP listening socket bound to the same address with
// SO_REUSEPORT (the kernel spreads datagrams and connections across workers), an epoll loop, its
// TCP connections, and its coretel Reporter and metric sets. Nothing is shared between workers;
// the only cross-thread traffic is the reporter's ring to the collector.
//
// Fairness and bounds (WorkerOptions):
// - Each loop turn, a ready socket is read for at most `read_budget_bytes` (a TCP connection) or
//   that many bytes and kMaxDatagramsPerTurn datagrams (the UDP socket); at most
//   kMaxAcceptsPerTurn connections are accepted. A socket with more waiting is served again on
//   the next turn (epoll is level-triggered), after the other ready sockets: one sender cannot
//   starve the others, and the reporter is ticked after every socket served, so its cadence holds
//   under load.
// - At most `max_connections` connections per worker; one more is accepted and closed at once,
//   counted as refused (connection_limit).
// - accept4() failing with EMFILE/ENFILE: the worker holds one spare descriptor (on /dev/null),
//   closes it, accepts the pending connection on the freed slot, closes that connection (counted
//   as refused, descriptor_limit) and reopens the spare. When that does not free a slot either
//   (or on ENOMEM/ENOBUFS), the listening socket is taken out of epoll for kAcceptPause: a
//   level-triggered listener that cannot be accepted from would otherwise wake the loop forever.
//   A spare lost to another thread is reopened when the listener resumes.
// - A connection with nothing received for `idle_timeout` is closed (idle_timeout).
// - Shutdown: see run().
// - Events (registry/syslog_receiver/events.yaml), on the `engine` aspect: worker.start (info),
//   connection.accept and connection.close (debug), parse.fail (warn, at most one per second
//   per worker; the suppressed ones are counted on the next).
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "coretel/collect/pipeline.h"
#include "receiver_metrics.h"
#include "stream_framer.h"
#include "syslog_message.h"

namespace coretel_demo {

enum class Transport : uint8_t { kUdp, kTcp };

struct WorkerOptions {
  /// Bytes one socket may deliver per loop turn (>= 1). The demo's --read-budget-bytes.
  std::size_t read_budget_bytes = 64 * 1024;
  /// TCP connections one worker holds at most; more are refused. The demo's --max-connections.
  std::size_t max_connections = 1024;
  /// A TCP connection with nothing received for this long is closed; 0 disables it. The demo's
  /// --idle-timeout-ms.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  /// How long stopping may spend draining the sockets. The demo's --drain-timeout-ms.
  std::chrono::milliseconds drain_timeout{1000};
  /// Whether the worker records every message (process_record(): counted by severity or error
  /// reason, one in kTimingSample timed). Off, each message is parsed exactly as with it on,
  /// without the clock reads and the records.
  /// Per-read byte counts and connection-level counts are recorded either way.
  bool record = true;
  /// Whether the worker reports its sets (tick() in the loop, report_all() at the end). Off,
  /// recorded values stay in the sets and never reach the collector. The demo's --telemetry
  /// (on: both; unreported: record only; off: neither) sets these two for
  /// bench/demo_throughput.sh.
  bool report = true;
};

/// What one worker processed, for the demo's throughput line.
struct WorkerThroughput {
  uint64_t records = 0;      ///< records (messages) processed, valid or not
  double cpu_seconds = 0.0;  ///< the worker thread's CPU time in run() (CLOCK_THREAD_CPUTIME_ID)
};

/// UDP datagrams read per loop turn at most (besides the byte budget).
inline constexpr int kMaxDatagramsPerTurn = 256;
/// One message in this many is timed into syslog.receiver.processing.duration and
/// .duration_distribution, per worker and transport (the first one included). Two clock reads
/// (about 27 ns each on a KVM guest) cost a quarter of a parse: one in 256 keeps them under
/// 0.2 % of the engine's time and still times tens of thousands of messages per second on a
/// busy core (BENCHMARKS.md, "What an engine pays in total").
inline constexpr uint32_t kTimingSample = 256;
/// Connections accepted (or refused) per loop turn at most.
inline constexpr int kMaxAcceptsPerTurn = 64;
/// How long the listening socket rests after accept4() failed for lack of descriptors or memory.
inline constexpr std::chrono::milliseconds kAcceptPause{100};

class Worker {
 public:
  /// Binds the sockets now (on the caller's thread) so that a bad address fails at start-up.
  /// Throws std::system_error naming the address and the call that failed.
  Worker(int cpu, const sockaddr_in& listen, coretel::CollectionPipeline& pipeline,
         WorkerOptions options = {});
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// The engine loop; runs on its own thread until `stop` is set. Then it drains, within
  /// `drain_timeout`: it accepts the connections already queued on its listening socket (up to
  /// the cap), reads the datagrams already queued, sends FIN on every connection
  /// (shutdown(SHUT_WR)) and reads each until the sender closes, so records still in the
  /// sockets are counted and closes are orderly (no RST). At the deadline, what is readable is
  /// read once more (up to the budget) and the remaining connections are closed; a sender still
  /// sending then may see a reset. Connections closed this way count as close reason `shutdown`.
  /// Finally it reports its sets one last time. The sets stay registered until the Worker is
  /// destroyed, so that their series outlive the final collection and export.
  void run(const std::atomic<bool>& stop);

  /// Records processed so far. Any thread (published after every socket served).
  uint64_t records_processed() const noexcept {
    return records_published_.load(std::memory_order_relaxed);
  }
  /// Records and CPU time of the finished run(). Call after the thread running run() joined.
  WorkerThroughput throughput() const noexcept { return {records_, cpu_seconds_}; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    int fd;
    StreamFramer framer;
    Clock::time_point last_read;
  };
  struct TransportSets {
    coretel::Registration<ReceiverMetrics> receiver;
    coretel::Registration<MessagesBySeverity> messages;
    coretel::Registration<ParseErrorsByReason> errors;
    uint32_t until_timed = 0;  // messages until the next timed one (process_record)
  };
  enum class ReadResult : uint8_t { kDrained, kBudgetSpent, kClosed };

  void register_sets(coretel::Reporter& reporter);
  /// Returns the datagrams read.
  int read_datagrams(std::size_t budget_bytes, int budget_datagrams);
  void accept_connections(int budget);
  void refuse(int fd, RefusalReason reason);
  void pause_listener();
  void resume_listener();
  ReadResult read_connection(Connection& connection, std::size_t budget, CloseReason at_eof);
  void close_idle_connections();
  void drain();
  void close_connection(int fd, CloseReason reason);
  void process_record(TransportSets& sets, std::string_view record);
  void count(TransportSets& sets, const ParseResult& result);
  void count_error(TransportSets& sets, ParseError error);

  int cpu_;
  coretel::CollectionPipeline& pipeline_;
  WorkerOptions options_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  int epoll_fd_ = -1;
  int spare_fd_ = -1;  // reserved for accepting (and refusing) under EMFILE/ENFILE
  bool listener_paused_ = false;
  Clock::time_point listener_resume_{};
  Clock::time_point now_{};  // the current loop turn's time
  // The parse-failure event's rate limit: the next time one may be emitted, and how many were
  // not since the last.
  Clock::time_point next_parse_event_{};
  uint64_t parse_events_suppressed_ = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::unique_ptr<char[]> read_buffer_;
  uint64_t records_ = 0;    // owned by the worker thread
  uint64_t parsed_ok_ = 0;  // --telemetry off: keeps the parse's result used
  std::atomic<uint64_t> records_published_{0};
  double cpu_seconds_ = 0.0;
  // Made on the worker's thread in run(). Declared before the sets: destroyed after them.
  std::unique_ptr<coretel::Reporter> reporter_;
  TransportSets udp_;
  TransportSets tcp_;
  coretel::Registration<RefusalsByReason> refusals_;  // tcp only
  coretel::Registration<ClosesByReason> closes_;      // tcp only
};

/// Formats "a.b.c.d:port".
std::string to_string(const sockaddr_in& address);
/// The dotted IPv4 address alone.
std::string host_of(const sockaddr_in& address);
/// Parses "a.b.c.d:port"; throws std::invalid_argument with the reason.
sockaddr_in parse_address(const std::string& text);

}  // namespace coretel_demo
