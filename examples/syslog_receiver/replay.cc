#include "replay.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "worker.h"

namespace coretel_demo {

namespace {

/// Lines are sent in writes of about this many bytes: one send() per line would make the
/// sender, not the receiver, the bottleneck of a replay.
constexpr std::size_t kBatchBytes = 64 * 1024;

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "replay: send");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

ReplayResult replay_file(const std::string& path, const sockaddr_in& target,
                         const std::atomic<bool>& cancel) {
  std::ifstream in(path);
  if (!in) throw std::system_error(errno, std::generic_category(), "replay: open " + path);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "replay: socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
    int saved = errno;
    ::close(fd);
    throw std::system_error(saved, std::generic_category(), "replay: connect " + to_string(target));
  }
  char host[256] = "localhost";
  ::gethostname(host, sizeof(host) - 1);
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &local);  // RFC 3164 TIMESTAMP

  ReplayResult result;
  std::string line, batch;
  batch.reserve(2 * kBatchBytes);
  try {
    while (std::getline(in, line)) {
      if (cancel.load(std::memory_order_relaxed)) {
        result.cancelled = true;
        break;
      }
      std::size_t before = batch.size();
      fmt::format_to(std::back_inserter(batch), "<13>{} {} coretel-replay: {}\n", stamp, host,
                     line);
      ++result.lines;
      result.bytes += batch.size() - before;
      if (batch.size() >= kBatchBytes) {
        send_all(fd, batch);
        batch.clear();
      }
    }
    send_all(fd, batch);  // the last lines (after a cancel too: the count says they were sent)
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return result;
}

}  // namespace coretel_demo
