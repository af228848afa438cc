#include "diagnostic.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace coretel::schema {

std::string_view to_string(Severity severity) noexcept {
  return severity == Severity::kError ? "error" : "warning";
}

void Diagnostics::error(std::string id, SourceLocation location, std::string subject,
                        std::string message) {
  add({std::move(id), Severity::kError, std::move(location), std::move(subject),
       std::move(message)});
}

void Diagnostics::warning(std::string id, SourceLocation location, std::string subject,
                          std::string message) {
  add({std::move(id), Severity::kWarning, std::move(location), std::move(subject),
       std::move(message)});
}

void Diagnostics::add(Diagnostic diagnostic) {
  diagnostics_.push_back(std::move(diagnostic));
}

bool Diagnostics::failed(bool future) const noexcept {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(), [future](const Diagnostic& d) {
    return future || d.severity == Severity::kError;
  });
}

void Diagnostics::treat_warnings_as_errors() noexcept {
  for (Diagnostic& d : diagnostics_) d.severity = Severity::kError;
}

const Diagnostic* Diagnostics::find(std::string_view id) const noexcept {
  for (const Diagnostic& d : diagnostics_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::size_t Diagnostics::count(std::string_view id) const noexcept {
  return static_cast<std::size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                                [id](const Diagnostic& d) { return d.id == id; }));
}

std::string format_text(const Diagnostic& d) {
  std::string where = d.location.file.empty() ? std::string("<registry>") : d.location.file;
  if (d.location.line > 0) where += fmt::format(":{}:{}", d.location.line, d.location.column);
  std::string subject = d.subject.empty() ? std::string() : " " + d.subject + ":";
  return fmt::format("{}: {} [{}]{} {}", where, to_string(d.severity), d.id, subject, d.message);
}

std::string format_json(const std::vector<Diagnostic>& diagnostics) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Diagnostic& d : diagnostics) {
    out.push_back({{"id", d.id},
                   {"severity", to_string(d.severity)},
                   {"file", d.location.file},
                   {"line", d.location.line},
                   {"column", d.location.column},
                   {"subject", d.subject},
                   {"message", d.message}});
  }
  return out.dump(2);
}

}  // namespace coretel::schema
