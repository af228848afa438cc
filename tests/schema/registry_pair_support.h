// registry_pair_support.h: helpers for the compatibility and diff tests: resolve a registry
// written as YAML text into a temporary folder, resolve the upstream v2_check_baseline pair,
// and run the coretel-schema binary.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "check.h"

namespace coretel::schema::pair_testing {

/// A temporary folder, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "coretel-schema-diff-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& relative, const std::string& text) const {
    std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

/// The registry in `dir`, resolved (policies off: only the comparison is under test). A
/// registry that does not resolve, or has an error, fails the calling test.
inline ResolvedRegistry resolve_dir(const std::filesystem::path& dir) {
  Diagnostics diagnostics;
  LoadedRegistry loaded = load_registry(dir, diagnostics, CheckOptions{false});
  EXPECT_TRUE(loaded.resolved_ok) << dir;
  for (const Diagnostic& d : diagnostics.all()) {
    EXPECT_NE(d.severity, Severity::kError) << format_text(d);
  }
  return std::move(loaded.resolved);
}

/// A one-file registry (`model.yaml`), plus a manifest when `schema_url` is given.
inline ResolvedRegistry resolve_yaml(const std::string& yaml, const std::string& schema_url = "") {
  ScratchDir dir;
  dir.write("model.yaml", yaml);
  if (!schema_url.empty()) {
    dir.write("manifest.yaml",
              "schema_url: " + schema_url + "\ndescription: A test registry.\nstability: stable\n");
  }
  return resolve_dir(dir.path());
}

/// weaver/tests/v2_check_baseline/<which> (base or next): `next` drops `my.attr` from the
/// stable metric `my.metric`.
inline std::filesystem::path baseline_case(const std::string& which) {
  return std::filesystem::path(CORETEL_WEAVER_CASES) / "weaver/tests/v2_check_baseline" / which;
}

/// Runs `coretel-schema <arguments>`: the exit code; `out` gets stdout (stderr is discarded
/// unless the arguments redirect it).
inline int run_schema_tool(const std::string& arguments, std::string& out) {
  std::string command = std::string(CORETEL_SCHEMA_BIN) + " " + arguments;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  out.clear();
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace coretel::schema::pair_testing
