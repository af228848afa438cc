#include "worker.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace coretel_demo {

namespace {

constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr std::size_t kMaxConnectionsPerWorker = 1024;
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

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string to_string(const sockaddr_in& address) {
  char host[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address.sin_addr, host, sizeof(host));
  return fmt::format("{}:{}", host, ntohs(address.sin_port));
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

Worker::Worker(int cpu, const sockaddr_in& listen, coretel::CollectionPipeline& pipeline)
    : cpu_(cpu), pipeline_(pipeline), read_buffer_(new char[kReadBufferBytes]) {
  udp_fd_ = bound_socket(SOCK_DGRAM, listen);
  tcp_fd_ = bound_socket(SOCK_STREAM, listen);
  if (::listen(tcp_fd_, 128) != 0) fail("listen " + to_string(listen));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("epoll_create1");
  epoll_event udp{EPOLLIN, {.u64 = kUdpTag}};
  epoll_event tcp{EPOLLIN, {.u64 = kTcpListenTag}};
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, udp_fd_, &udp) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tcp_fd_, &tcp) != 0)
    fail("epoll_ctl");
}

Worker::~Worker() {
  for (auto& [fd, connection] : connections_) ::close(fd);
  for (int fd : {udp_fd_, tcp_fd_, epoll_fd_})
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
}

void Worker::run(const std::atomic<bool>& stop) {
  if (cpu_ >= 0) coretel::pin_current_thread({cpu_});
  // Made and registered here, on the worker's own thread: the sets are first touched by the
  // core that owns them.
  reporter_ = pipeline_.make_reporter(cpu_);
  register_sets(*reporter_);

  epoll_event events[64];
  while (!stop.load(std::memory_order_relaxed)) {
    int n = ::epoll_wait(epoll_fd_, events, 64, 50);
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kUdpTag) {
        read_datagrams();
      } else if (tag == kTcpListenTag) {
        accept_connections();
      } else {
        auto it = connections_.find(static_cast<int>(tag));
        if (it != connections_.end()) read_connection(*it->second);
      }
    }
    reporter_->tick(std::chrono::steady_clock::now());
  }

  // Shutdown: flush what the connections still hold, then report the last values.
  while (!connections_.empty()) close_connection(connections_.begin()->first);
  reporter_->report_all();
}

void Worker::read_datagrams() {
  for (;;) {
    ssize_t n = ::recv(udp_fd_, read_buffer_.get(), kReadBufferBytes, MSG_TRUNC);
    if (n < 0) return;  // EAGAIN: drained
    udp_.receiver->bytes.add(static_cast<uint64_t>(n));
    if (static_cast<std::size_t>(n) > kMaxMessageBytes) {
      count_error(udp_, ParseError::kMessageTooLong);
      continue;
    }
    process_record(udp_, std::string_view(read_buffer_.get(), static_cast<std::size_t>(n)));
  }
}

void Worker::accept_connections() {
  for (;;) {
    int fd = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (connections_.size() >= kMaxConnectionsPerWorker) {  // bounded: refuse, never grow
      ::close(fd);
      continue;
    }
    epoll_event event{EPOLLIN | EPOLLRDHUP, {.u64 = static_cast<uint64_t>(fd)}};
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      ::close(fd);
      continue;
    }
    connections_.emplace(fd, std::make_unique<Connection>(Connection{fd, {}}));
    tcp_.receiver->connections_accepted.inc();
    tcp_.receiver->connections_open.inc();
  }
}

void Worker::read_connection(Connection& connection) {
  for (;;) {
    ssize_t n = ::recv(connection.fd, read_buffer_.get(), kReadBufferBytes, 0);
    if (n > 0) {
      tcp_.receiver->bytes.add(static_cast<uint64_t>(n));
      connection.framer.feed(
          std::string_view(read_buffer_.get(), static_cast<std::size_t>(n)),
          [&](std::string_view record) { process_record(tcp_, record); },
          [&](ParseError error) { count_error(tcp_, error); });
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close_connection(connection.fd);  // 0: peer closed; other errors: reset
    return;
  }
}

void Worker::close_connection(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  it->second->framer.finish([&](std::string_view record) { process_record(tcp_, record); },
                            [&](ParseError error) { count_error(tcp_, error); });
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(it);
  tcp_.receiver->connections_open.dec();
}

void Worker::process_record(TransportSets& sets, std::string_view record) {
  auto start = std::chrono::steady_clock::now();
  ParseResult result = parse_syslog(record);
  if (result.ok)
    sets.messages->with(result.message.severity).messages.inc();
  else
    count_error(sets, result.error);
  double seconds = seconds_since(start);
  sets.receiver->processing_time.record(seconds);
  sets.receiver->processing_time_distribution.record(seconds);
}

void Worker::count_error(TransportSets& sets, ParseError error) {
  sets.errors->with(error).errors.inc();
}

}  // namespace coretel_demo
