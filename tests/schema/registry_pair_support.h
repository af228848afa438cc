// registry_pair_support.h: helpers for the compatibility and diff tests: resolve a registry
// written as YAML text into a temporary folder,
// and run the coretel-schema binary.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "check.h"
#include "schema_test_support.h"

namespace coretel::schema::pair_testing {

using ScratchDir = coretel::schema::testing::TempDir;

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

/// Runs `coretel-schema <arguments>`: the exit code; `out` gets stdout (stderr is discarded).
inline int run_schema_tool(const std::string& arguments, std::string& out) {
  return coretel::schema::testing::run_schema_tool_stdout(arguments, out);
}

}  // namespace coretel::schema::pair_testing
