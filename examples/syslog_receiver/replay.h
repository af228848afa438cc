// replay.h: streams a text file through the receiver's TCP socket as syslog lines.
//
// Used by `coretel-demo --replay FILE`: real text (for example /var/log/dpkg.log) becomes one
// RFC 3164 message per line, newline-framed (RFC 6587 §3.4.2), sent from a client thread.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace coretel_demo {

struct ReplayResult {
  uint64_t lines = 0;
  uint64_t bytes = 0;
};

/// Sends every line of `path` to `target` over one TCP connection as
/// "<13>Mmm dd hh:mm:ss HOST coretel-replay: LINE\n" (facility user, severity notice).
/// Blocking; call it on its own thread. Throws std::system_error when the file cannot be read or
/// the connection fails.
ReplayResult replay_file(const std::string& path, const sockaddr_in& target);

}  // namespace coretel_demo
