#include "worker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "coretel/events/emit.h"

namespace coretel_demo {

namespace {

namespace ev = coretel::events;

constexpr std::size_t kReadBufferBytes = 64 * 1024;
// epoll_event.data.u64 tags: the two listening sockets; connections use their fd.
constexpr uint64_t kUdpTag = ~uint64_t{0};
constexpr uint64_t kTcpListenTag = ~uint64_t{0} - 1;

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int bound_socket(int type, const sockaddr_in& address) {
  int fd = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    ::close(fd);
    fail("setsockopt(SO_REUSEPORT)");
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    fail(fmt::format("bind {} {}", type == SOCK_DGRAM ? "udp" : "tcp", to_string(address)));
  }
  return fd;
}

// The sender of connection `fd` (for the accept event, built only when it is enabled).
sockaddr_in peer_of(int fd) {
  sockaddr_in peer{};
  socklen_t length = sizeof(peer);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) peer = {};
  return peer;
}
std::string peer_address(int fd) {
  return host_of(peer_of(fd));
}
int peer_port(int fd) {
  return ntohs(peer_of(fd).sin_port);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string host_of(const sockaddr_in& address) {
  char host[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address.sin_addr, host, sizeof(host));
  return host;
}

std::string to_string(const sockaddr_in& address) {
  return fmt::format("{}:{}", host_of(address), ntohs(address.sin_port));
}

sockaddr_in parse_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("'" + text + "': expected HOST:PORT");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  std::string host = text.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
    throw std::invalid_argument("'" + text + "': host is not an IPv4 address");
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("'" + text + "': bad port");
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

Worker::Worker(int cpu, const sockaddr_in& listen, coretel::CollectionPipeline& pipeline,
               WorkerOptions options)
    : cpu_(cpu), pipeline_(pipeline), options_(options), read_buffer_(new char[kReadBufferBytes]) {
  if (options_.read_budget_bytes == 0) throw std::invalid_argument("read budget must be >= 1");
  udp_fd_ = bound_socket(SOCK_DGRAM, listen);
  tcp_fd_ = bound_socket(SOCK_STREAM, listen);
  if (::listen(tcp_fd_, 128) != 0) fail("listen " + to_string(listen));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("epoll_create1");
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (spare_fd_ < 0) fail("open /dev/null (spare descriptor)");
  epoll_event udp{EPOLLIN, {.u64 = kUdpTag}};
  epoll_event tcp{EPOLLIN, {.u64 = kTcpListenTag}};
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, udp_fd_, &udp) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tcp_fd_, &tcp) != 0)
    fail("epoll_ctl");
}

Worker::~Worker() {
  for (auto& [fd, connection] : connections_) ::close(fd);
  for (int fd : {udp_fd_, tcp_fd_, epoll_fd_, spare_fd_})
    if (fd >= 0) ::close(fd);
}

void Worker::register_sets(coretel::Reporter& reporter) {
  auto sets_for = [&](telemetry::NetworkTransport transport) {
    const coretel::Attributes entity = WorkerAttributes{int64_t{cpu_}, transport}.attributes();
    return TransportSets{reporter.register_set<ReceiverMetrics>(entity),
                         reporter.register_set<MessagesBySeverity>(entity),
                         reporter.register_set<ParseErrorsByReason>(entity)};
  };
  udp_ = sets_for(telemetry::NetworkTransport::kUdp);
  tcp_ = sets_for(telemetry::NetworkTransport::kTcp);
  const coretel::Attributes tcp =
      WorkerAttributes{int64_t{cpu_}, telemetry::NetworkTransport::kTcp}.attributes();
  refusals_ = reporter.register_set<RefusalsByReason>(tcp);
  closes_ = reporter.register_set<ClosesByReason>(tcp);
}

void Worker::run(const std::atomic<bool>& stop) {
  coretel::events::set_thread_aspect(coretel::events::Aspect::kEngine);
  if (cpu_ >= 0) coretel::pin_current_thread({cpu_});
  // Made and registered here, on the worker's own thread: the sets are first touched by the
  // core that owns them.
  reporter_ = cpu_ >= 0 ? pipeline_.make_reporter(coretel::CpuId{static_cast<unsigned>(cpu_)})
                        : pipeline_.make_reporter(coretel::kUnpinned);
  register_sets(*reporter_);
  CORETEL_EMIT(ev::Severity::kInfo, telemetry::SyslogReceiverWorkerStartEvent, cpu_);

  const auto idle_scan_period = std::clamp<Clock::duration>(
      options_.idle_timeout / 8, std::chrono::milliseconds(10), std::chrono::seconds(1));
  Clock::time_point next_idle_scan = Clock::now() + idle_scan_period;
  epoll_event events[64];
  while (!stop.load(std::memory_order_relaxed)) {
    int timeout_ms = 50;
    if (listener_paused_) {
      auto rest = std::chrono::ceil<std::chrono::milliseconds>(listener_resume_ - Clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(rest.count(), 0, timeout_ms));
    }
    int n = ::epoll_wait(epoll_fd_, events, 64, timeout_ms);
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kUdpTag) {
        read_datagrams(options_.read_budget_bytes, kMaxDatagramsPerTurn);
      } else if (tag == kTcpListenTag) {
        accept_connections(kMaxAcceptsPerTurn);
      } else {
        auto it = connections_.find(static_cast<int>(tag));
        if (it != connections_.end())
          read_connection(*it->second, options_.read_budget_bytes, CloseReason::kPeerClosed);
      }
      // After every socket served, not once per turn: a turn serves up to 64 sockets, each up
      // to its budget, and the reporter's cadence must not depend on how busy they are.
      now_ = Clock::now();
      if (options_.report) reporter_->tick(now_);
      records_published_.store(records_, std::memory_order_relaxed);
    }
    if (listener_paused_ && now_ >= listener_resume_) resume_listener();
    if (options_.idle_timeout.count() > 0 && now_ >= next_idle_scan) {
      close_idle_connections();
      next_idle_scan = now_ + idle_scan_period;
    }
    if (options_.report) reporter_->tick(now_);
  }

  drain();
  if (options_.report) reporter_->report_all();
  records_published_.store(records_, std::memory_order_relaxed);
  timespec cpu{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  cpu_seconds_ = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9;
}

int Worker::read_datagrams(std::size_t budget_bytes, int budget_datagrams) {
  int i = 0;
  for (; i < budget_datagrams && budget_bytes > 0; ++i) {
    ssize_t n = ::recv(udp_fd_, read_buffer_.get(), kReadBufferBytes, MSG_TRUNC);
    if (n < 0) return i;  // EAGAIN: drained
    budget_bytes -= std::min(budget_bytes, static_cast<std::size_t>(n));
    udp_.receiver->bytes.add(static_cast<uint64_t>(n));
    if (static_cast<std::size_t>(n) > kMaxMessageBytes) {
      count_error(udp_, ParseError::kMessageTooLong);
      continue;
    }
    process_record(udp_, std::string_view(read_buffer_.get(), static_cast<std::size_t>(n)));
  }
  return i;
}

void Worker::accept_connections(int budget) {
  for (int i = 0; i < budget; ++i) {
    int fd = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
          return;
        case EINTR:
        case ECONNABORTED:  // the connection failed in the queue: the next one may be fine
        case EPROTO:
          continue;
        case EMFILE:
        case ENFILE:
          // No descriptor for it: free the spare, take the connection on it and refuse it, so
          // that the queue empties and epoll stops reporting the listener ready.
          if (spare_fd_ >= 0) {
            ::close(spare_fd_);
            fd = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            const int accept_errno = errno;
            if (fd >= 0) refuse(fd, RefusalReason::kDescriptorLimit);
            spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (spare_fd_ >= 0 && fd >= 0) continue;
            if (spare_fd_ >= 0 && (accept_errno == EAGAIN || accept_errno == EWOULDBLOCK)) return;
          }
          pause_listener();  // another thread took the slot, or no spare: rest, then retry
          return;
        default:  // ENOMEM, ENOBUFS, ...: nothing this turn can fix
          pause_listener();
          return;
      }
    }
    if (connections_.size() >= options_.max_connections) {  // bounded: refuse, never grow
      refuse(fd, RefusalReason::kConnectionLimit);
      continue;
    }
    epoll_event event{EPOLLIN | EPOLLRDHUP, {.u64 = static_cast<uint64_t>(fd)}};
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {  // ENOMEM, ENOSPC
      refuse(fd, RefusalReason::kDescriptorLimit);
      continue;
    }
    connections_.emplace(fd, std::make_unique<Connection>(Connection{fd, {}, now_}));
    CORETEL_EMIT(ev::Severity::kDebug, telemetry::SyslogReceiverConnectionAcceptEvent, cpu_,
                 peer_address(fd), peer_port(fd));
    tcp_.receiver->connections_accepted.inc();
    tcp_.receiver->connections_open.inc();
  }
}

void Worker::refuse(int fd, RefusalReason reason) {
  ::close(fd);
  refusals_->with(reason).refused.inc();
}

void Worker::pause_listener() {
  if (!listener_paused_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, tcp_fd_, nullptr);
  listener_paused_ = true;
  listener_resume_ = Clock::now() + kAcceptPause;
}

void Worker::resume_listener() {
  // The spare is lost when another thread took the freed slot: try again for it before the
  // listener can hit EMFILE again, or every later refusal would wait for a pause instead.
  if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_event tcp{EPOLLIN, {.u64 = kTcpListenTag}};
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tcp_fd_, &tcp);
  listener_paused_ = false;
}

Worker::ReadResult Worker::read_connection(Connection& connection, std::size_t budget,
                                           CloseReason at_eof) {
  while (budget > 0) {
    ssize_t n = ::recv(connection.fd, read_buffer_.get(), std::min(kReadBufferBytes, budget), 0);
    if (n > 0) {
      budget -= static_cast<std::size_t>(n);
      connection.last_read = now_;
      tcp_.receiver->bytes.add(static_cast<uint64_t>(n));
      connection.framer.feed(
          std::string_view(read_buffer_.get(), static_cast<std::size_t>(n)),
          [&](std::string_view record) { process_record(tcp_, record); },
          [&](ParseError error) { count_error(tcp_, error); });
      if (connection.framer.failed()) {  // an oversize octet count: see StreamFramer
        close_connection(connection.fd, CloseReason::kFrameTooLong);
        return ReadResult::kClosed;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::kDrained;
    if (n < 0 && errno == EINTR) continue;
    close_connection(connection.fd, n == 0 ? at_eof : CloseReason::kPeerReset);
    return ReadResult::kClosed;
  }
  return ReadResult::kBudgetSpent;
}

void Worker::close_idle_connections() {
  const Clock::time_point oldest = now_ - options_.idle_timeout;
  for (auto it = connections_.begin(); it != connections_.end();) {
    const int fd = it->first;
    const bool idle = it->second->last_read <= oldest;
    ++it;  // close_connection erases fd's entry
    if (idle) close_connection(fd, CloseReason::kIdleTimeout);
  }
}

void Worker::drain() {
  const Clock::time_point deadline = Clock::now() + options_.drain_timeout;
  now_ = Clock::now();
  // Connections the kernel completed but nobody accepted yet hold records too.
  if (listener_paused_) resume_listener();
  while (now_ < deadline && !listener_paused_) {
    const std::size_t before = connections_.size();
    accept_connections(kMaxAcceptsPerTurn);
    now_ = Clock::now();
    if (connections_.size() == before) break;  // queue empty (or every new one refused)
  }
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, tcp_fd_, nullptr);
  for (;;) {  // datagrams already queued
    const int read = read_datagrams(options_.read_budget_bytes, kMaxDatagramsPerTurn);
    now_ = Clock::now();
    if (read == 0 || now_ >= deadline) break;
  }
  // FIN to every sender (no more will be read after the deadline), then read each connection
  // until its sender closes too.
  for (auto& [fd, connection] : connections_) ::shutdown(fd, SHUT_WR);
  epoll_event events[64];
  while (!connections_.empty() && now_ < deadline) {
    auto rest = std::chrono::ceil<std::chrono::milliseconds>(deadline - now_);
    int n =
        ::epoll_wait(epoll_fd_, events, 64, static_cast<int>(std::min<int64_t>(rest.count(), 50)));
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kUdpTag) {
        read_datagrams(options_.read_budget_bytes, kMaxDatagramsPerTurn);
        continue;
      }
      auto it = connections_.find(static_cast<int>(tag));
      if (it != connections_.end())
        read_connection(*it->second, options_.read_budget_bytes, CloseReason::kShutdown);
    }
  }
  // Deadline: one more budget of what is readable, then close (a sender still sending may see a
  // reset).
  while (!connections_.empty()) {
    const int fd = connections_.begin()->first;
    if (read_connection(*connections_.begin()->second, options_.read_budget_bytes,
                        CloseReason::kShutdown) != ReadResult::kClosed)
      close_connection(fd, CloseReason::kShutdown);
  }
}

void Worker::close_connection(int fd, CloseReason reason) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  it->second->framer.finish([&](std::string_view record) { process_record(tcp_, record); },
                            [&](ParseError error) { count_error(tcp_, error); });
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(it);
  tcp_.receiver->connections_open.dec();
  closes_->with(reason).closed.inc();
  CORETEL_EMIT(ev::Severity::kDebug, telemetry::SyslogReceiverConnectionCloseEvent, cpu_, reason);
}

void Worker::process_record(TransportSets& sets, std::string_view record) {
  ++records_;
  if (options_.record) sets.receiver->message_size.record(static_cast<double>(record.size()));
  // One message in kTimingSample is timed, the first one included: two clock reads cost about
  // half as much as the parse itself, so timing every message would make the instrumentation
  // most of the engine's cost (bench/demo_throughput.sh). Messages are all counted.
  if (options_.record && sets.until_timed-- == 0) [[unlikely]] {
    sets.until_timed = kTimingSample - 1;
    auto start = std::chrono::steady_clock::now();
    ParseResult result = parse_syslog(record);
    double seconds = seconds_since(start);
    sets.receiver->processing_time.record(seconds);
    sets.receiver->processing_time_distribution.record(seconds);
    count(sets, result);
    return;
  }
  ParseResult result = parse_syslog(record);
  if (options_.record) {
    count(sets, result);
  } else {
    parsed_ok_ += result.ok ? 1 : 0;  // --telemetry off: the same parse, nothing recorded
  }
}

void Worker::count(TransportSets& sets, const ParseResult& result) {
  if (result.ok)
    sets.messages->with(result.message.severity).messages.inc();
  else
    count_error(sets, result.error);
}

void Worker::count_error(TransportSets& sets, ParseError error) {
  sets.errors->with(error).errors.inc();
  // Bad traffic must not flood the events: one per second per worker, the rest counted.
  if (now_ < next_parse_event_) {
    ++parse_events_suppressed_;
    return;
  }
  next_parse_event_ = now_ + std::chrono::seconds(1);
  CORETEL_EMIT(
      ev::Severity::kWarn, telemetry::SyslogReceiverParseFailEvent, cpu_,
      &sets == &tcp_ ? telemetry::NetworkTransport::kTcp : telemetry::NetworkTransport::kUdp, error,
      static_cast<int64_t>(parse_events_suppressed_));
  parse_events_suppressed_ = 0;
}

}  // namespace coretel_demo
