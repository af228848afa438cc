// diagnostic.h: what coretel-schema reports about a registry, and where.
//
// A Diagnostic names the rule (`id`, Weaver's identifier where the rule overlaps Weaver's
// built-in checks (the weaver_semconv and weaver_resolver crates) or the semantic-conventions
// policy packages (opentelemetry-weaver-packages)), its severity, the file, line and column
// (1-based; 0 when the rule concerns the registry as a whole), the group or attribute it is
// about, and a message a person can act on.
//
// Not thread-safe: one Diagnostics per check run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace coretel::schema {

/// Where something was written: a registry file, 1-based line and column.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { kWarning, kError };

std::string_view to_string(Severity severity) noexcept;

struct Diagnostic {
  std::string id;  ///< rule id, e.g. "InvalidAttribute", "naming_convention_metric_name"
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string subject;  ///< group id, "group/attribute" or item name; may be empty
  std::string message;
};

/// An ordered list of diagnostics, in the order the rules found them.
class Diagnostics {
 public:
  void error(std::string id, SourceLocation location, std::string subject, std::string message);
  void warning(std::string id, SourceLocation location, std::string subject, std::string message);
  void add(Diagnostic diagnostic);

  const std::vector<Diagnostic>& all() const noexcept { return diagnostics_; }
  bool empty() const noexcept { return diagnostics_.empty(); }
  /// True when some diagnostic is an error; with `future`, warnings count as errors (Weaver's
  /// `--future`).
  bool failed(bool future = false) const noexcept;
  /// Makes every warning an error (Weaver's `--future`: warnings are reported, and fail, as
  /// errors).
  void treat_warnings_as_errors() noexcept;
  /// The first diagnostic with this id, or nullptr.
  const Diagnostic* find(std::string_view id) const noexcept;
  /// How many diagnostics carry this id.
  std::size_t count(std::string_view id) const noexcept;

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// "file:line:column: severity [id] subject: message", the form compilers use.
std::string format_text(const Diagnostic& diagnostic);

/// A JSON array of {id, severity, file, line, column, subject, message}.
std::string format_json(const std::vector<Diagnostic>& diagnostics);

}  // namespace coretel::schema
