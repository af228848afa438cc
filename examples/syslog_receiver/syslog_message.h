// syslog_message.h: parsing of one syslog message (RFC 5424 or legacy BSD RFC 3164) into views.
//
// HOT PATH of the demo: parse_syslog() runs on the engine's worker thread for every received
// message, so it allocates nothing, throws nothing and takes no locks; results are views into the
// caller's buffer. Implements RFC 5424 §6 (HEADER, STRUCTURED-DATA, MSG; PRI §6.2.1, TIMESTAMP
// §6.2.3, SD §6.3) and the RFC 3164 §4.1 packet (PRI, "Mmm dd hh:mm:ss HOSTNAME" HEADER, TAG).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "syslog_receiver/telemetry/error.h"
#include "syslog_receiver/telemetry/syslog.h"

namespace coretel_demo {

/// RFC 5424 §6.2.1 severities, numeric value = enum value. Generated from the registry
/// (registry/syslog_receiver, attribute `syslog.severity`) with its string forms:
/// to_string(Severity) gives "emergency" ... "debug", and an empty view outside the enum.
using Severity = telemetry::SyslogSeverity;
inline constexpr int kSeverityCount = 8;
static_assert(std::size(telemetry::SyslogSeverity_coretel_values) == kSeverityCount);

/// Why a message or frame was rejected. Generated from the registry (attribute `error.type`):
/// to_string(ParseError) gives "missing_priority" ... "invalid_framing", and an empty view
/// outside the enum.
using ParseError = telemetry::ErrorType;
inline constexpr int kParseErrorCount = 8;
static_assert(std::size(telemetry::ErrorType_coretel_values) == kParseErrorCount);

enum class SyslogFormat : uint8_t { kRfc5424, kRfc3164 };

/// One parsed message. All views point into the parsed input and are valid while it lives.
struct SyslogMessage {
  SyslogFormat format = SyslogFormat::kRfc5424;
  uint8_t facility = 0;  // 0..23
  Severity severity = Severity::kEmergency;
  // As sent ("-" for the RFC 5424 NILVALUE); empty if an RFC 3164 message had none.
  std::string_view timestamp;
  // "-" allowed for RFC 5424. RFC 3164: app_name is the TAG without "[pid]:", procid the pid
  // from "[pid]" if present, msgid always empty.
  std::string_view hostname, app_name, procid, msgid;
  std::string_view structured_data;  // RFC 5424 only: "-" or the raw SD-ELEMENTs
  std::string_view message;          // MSG, with a leading UTF-8 BOM stripped
};

/// `error` is meaningful only when `!ok`; `message` only when `ok`.
struct ParseResult {
  bool ok = false;
  ParseError error = ParseError::kMissingPriority;
  SyslogMessage message;
};

/// A message longer than this (not counting a trailing "\n" / "\r\n") is kMessageTooLong.
inline constexpr size_t kMaxMessageBytes = 64 * 1024;

/// Parses one syslog message (one datagram or one de-framed TCP record); never fails hard.
/// One trailing "\n" or "\r\n" is ignored; then a line over kMaxMessageBytes is kMessageTooLong.
/// Format: "<PRI>" followed by digit(s) and SP is RFC 5424 (VERSION must be "1", else
/// kInvalidVersion); any other "<PRI>" is RFC 3164, parsed leniently (never an error after PRI).
/// PRI: '<' 1-3 digits '>' with value 0..191 and no leading zero except "<0>" (RFC 5424 §6.2.1);
/// no '<' -> kMissingPriority, anything else wrong -> kInvalidPriority.
ParseResult parse_syslog(std::string_view line) noexcept;

}  // namespace coretel_demo
