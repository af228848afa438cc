// severity.h: the four levels an event is emitted at, as OpenTelemetry log records carry them
// (logs data model, "Field: SeverityNumber" and "Field: SeverityText").
//
// Thread-safety: values and constexpr functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace coretel::events {

/// SeverityNumber of the logs data model: the first number of each range (DEBUG 5-8, INFO 9-12,
/// WARN 13-16, ERROR 17-20). Ordered: a higher level is more severe.
enum class Severity : uint8_t { kDebug = 5, kInfo = 9, kWarn = 13, kError = 17 };

/// The data model's short name of the range: "DEBUG", "INFO", "WARN", "ERROR".
constexpr std::string_view severity_text(Severity s) noexcept {
  switch (s) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarn:
      return "WARN";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

/// "debug", "info", "warn" (or "warning") and "error", in any case, as CORETEL_LOG and the
/// configuration spell a level; nullopt for anything else ("off" is the filter's, not a level).
std::optional<Severity> severity_named(std::string_view name) noexcept;

}  // namespace coretel::events
