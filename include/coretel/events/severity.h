// severity.h: the levels an event is emitted at, as OpenTelemetry log records carry them
// (logs data model, "Field: SeverityNumber" and "Field: SeverityText").
//
// Thread-safety: values and constexpr functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace coretel::events {

/// SeverityNumber of the logs data model: the first number of each range (DEBUG 5-8, INFO 9-12,
/// WARN 13-16, ERROR 17-20). Ordered: a higher level is more severe.
/// SeverityNumber. The emitting macros use the four named levels; a record from elsewhere (the
/// Python `logging` handler, python/coretel/_logging.py) may carry any number of the data
/// model's range, 0 (unspecified) to 24 (FATAL4): an enum class holds every uint8_t value.
enum class Severity : uint8_t { kDebug = 5, kInfo = 9, kWarn = 13, kError = 17 };

/// The data model's short name of a severity number ("Displaying Severity"): "TRACE",
/// "TRACE2" .. "FATAL4" for 1 to 24; "INFO" for the four named levels' neighbours is not
/// guessed: 0 and numbers above 24 are "UNSPECIFIED".
constexpr std::string_view severity_text(Severity s) noexcept {
  constexpr std::string_view kNames[] = {
      "UNSPECIFIED", "TRACE",  "TRACE2", "TRACE3", "TRACE4", "DEBUG",  "DEBUG2", "DEBUG3", "DEBUG4",
      "INFO",        "INFO2",  "INFO3",  "INFO4",  "WARN",   "WARN2",  "WARN3",  "WARN4",  "ERROR",
      "ERROR2",      "ERROR3", "ERROR4", "FATAL",  "FATAL2", "FATAL3", "FATAL4"};
  const auto n = static_cast<std::size_t>(s);
  return n < std::size(kNames) ? kNames[n] : kNames[0];
}

std::optional<Severity> severity_named(std::string_view name) noexcept;

}  // namespace coretel::events
