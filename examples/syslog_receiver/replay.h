// replay.h: streams a text file through the receiver's TCP socket as syslog lines.
//
// Used by `coretel-demo --replay FILE`: real text (for example /var/log/dpkg.log) becomes one
// RFC 3164 message per line, newline-framed (RFC 6587 §3.4.2), sent from a client thread.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace coretel_demo {

struct ReplayResult {
  uint64_t lines = 0;
  uint64_t bytes = 0;
  bool cancelled = false;  // `cancel` was set before the end of the file
};

/// Sends every line of `path` to `target` over one TCP connection as
/// "<13>Mmm dd hh:mm:ss HOST coretel-replay: LINE\n" (facility user, severity notice), in
/// writes of about 64 KiB (whole lines; the framing does not depend on write boundaries).
/// Blocking; call it on its own thread. `cancel` is checked before every line: once it is set,
/// the replay stops at that line boundary and closes the connection, so stopping the demo never
/// waits for the rest of a large file. Throws std::system_error when the file cannot be read or
/// the connection fails.
ReplayResult replay_file(const std::string& path, const sockaddr_in& target,
                         const std::atomic<bool>& cancel);

}  // namespace coretel_demo
