#include "coretel/events/filter.h"

#include <fmt/format.h>

namespace coretel::events {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

// `scope` is `prefix` or lies under it, by whole components.
bool covers(std::string_view prefix, std::string_view scope) noexcept {
  return scope.starts_with(prefix) &&
         (scope.size() == prefix.size() || scope[prefix.size()] == '.');
}

}  // namespace

std::optional<Severity> severity_named(std::string_view name) noexcept {
  if (equals_ignoring_case(name, "debug")) return Severity::kDebug;
  if (equals_ignoring_case(name, "info")) return Severity::kInfo;
  if (equals_ignoring_case(name, "warn") || equals_ignoring_case(name, "warning"))
    return Severity::kWarn;
  if (equals_ignoring_case(name, "error")) return Severity::kError;
  return std::nullopt;
}

EventFilter EventFilter::parse(std::string_view spec) {
  EventFilter filter;
  std::size_t position = 0;
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    ++position;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const std::string_view scope = eq == std::string_view::npos ? "" : trim(item.substr(0, eq));
    const std::string_view level = trim(eq == std::string_view::npos ? item : item.substr(eq + 1));
    auto skip = [&](std::string_view why) {
      filter.warnings_.push_back(
          fmt::format("CORETEL_LOG directive {} `{}`: {}; skipped", position, item, why));
    };
    if (eq != std::string_view::npos && scope.empty()) {
      skip("no scope before `=` (the forms are LEVEL and SCOPE=LEVEL)");
      continue;
    }
    std::optional<Severity> severity = severity_named(level);
    if (!severity && !equals_ignoring_case(level, "off")) {
      skip(fmt::format("unknown level `{}` (debug, info, warn, error, off)", level));
      continue;
    }
    if (scope.empty()) {
      filter.default_ = severity;
    } else {
      filter.directives_.push_back({std::string(scope), severity});
    }
  }
  return filter;
}

std::optional<Severity> EventFilter::threshold(std::string_view scope) const noexcept {
  const Directive* best = nullptr;
  for (const Directive& d : directives_)
    if (covers(d.scope, scope) && (best == nullptr || d.scope.size() >= best->scope.size()))
      best = &d;
  return best != nullptr ? best->severity : default_;
}

}  // namespace coretel::events
