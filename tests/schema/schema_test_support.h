// schema_test_support.h: small helpers for the schema tool's tests: temporary registries
// written from YAML text, and running the coretel-schema binary.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "check.h"

namespace coretel::schema::testing {

/// A temporary folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` at `relative` (parent folders created).
  void write(const std::string& relative, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// Runs `coretel-schema <arguments>`; returns the exit code and fills `output` with stdout and
/// stderr.
int run_schema_tool(const std::string& arguments, std::string& output);

/// As run_schema_tool, but `output` gets stdout alone (stderr is discarded): for output that is
/// parsed, such as `--format json`.
int run_schema_tool_stdout(const std::string& arguments, std::string& output);

/// The registry in `dir` through the whole check pipeline.
struct Checked {
  LoadedRegistry loaded;
  Diagnostics diagnostics;
};
Checked check_dir(const std::filesystem::path& dir, bool policies = true);

/// A registry made of these files (relative path -> YAML text), checked.
Checked check_files(const std::map<std::string, std::string>& files, bool policies = true);

}  // namespace coretel::schema::testing
