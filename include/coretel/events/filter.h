// filter.h: EventFilter, which events are emitted, by scope and level, in the syntax of the
// CORETEL_LOG variable (that of Rust's env_logger, which the engine this design comes from
// reads as RUST_LOG):
//
//   CORETEL_LOG=info,coretel.collect=debug,syslog.receiver=warn,noisy.lib=off
//
// A comma-separated list of directives. `LEVEL` sets the default; `SCOPE=LEVEL` sets it for a
// scope and the scopes under it, by whole dot-separated components (`coretel.collect` covers
// `coretel.collect` and `coretel.collect.ring`, not `coretel.collector`); the longest matching
// scope wins, the last of equal ones. LEVEL is debug, info, warn (or warning), error or off, in
// any case. Spaces around items are ignored. The default default is `info`.
//
// Bad input loses the directive, not the filter: a directive that is not one of the forms
// above, or names an unknown level, is skipped and described in `warnings` (its position and
// text, and the accepted levels).
//
// COLD PATH (parsed when configured, asked once per call site). Thread-compatible: a value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coretel/events/severity.h"

namespace coretel::events {

class EventFilter {
 public:
  /// The default: every scope at info.
  EventFilter() = default;
  /// Parses `spec`; problems go to warnings() (see above).
  static EventFilter parse(std::string_view spec);

  /// The least severe level emitted for `scope`; nullopt when the scope is off.
  std::optional<Severity> threshold(std::string_view scope) const noexcept;
  /// Whether an event of `severity` in `scope` is emitted.
  bool enabled(std::string_view scope, Severity severity) const noexcept {
    const std::optional<Severity> t = threshold(scope);
    return t && severity >= *t;
  }
  /// What parse() skipped, one line each, in order ("CORETEL_LOG directive 2 `x=loud`: ...").
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  struct Directive {
    std::string scope;                 // empty: the default
    std::optional<Severity> severity;  // nullopt: off
  };
  std::optional<Severity> default_ = Severity::kInfo;
  std::vector<Directive> directives_;
  std::vector<std::string> warnings_;
};

}  // namespace coretel::events
