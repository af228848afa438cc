// registry_pair_support.h: helpers for the compatibility and diff tests (tests/schema and
// tests/conformance): resolve a registry written as YAML text into a temporary folder, print a
// diff or the compatibility findings one line each, and run the coretel-schema binary.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "check.h"
#include "compatibility.h"
#include "diff.h"
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

/// "kind type name[ -> new_name][: detail][ BREAKING]" per change, in order.
inline std::vector<std::string> lines(const RegistryDiff& diff) {
  std::vector<std::string> out;
  for (const Change& c : diff.changes) {
    std::string line = c.kind + " " + c.type + " " + c.name;
    if (!c.new_name.empty()) line += " -> " + c.new_name;
    if (!c.detail.empty()) line += ": " + c.detail;
    if (c.breaking) line += " BREAKING";
    out.push_back(line);
  }
  return out;
}

/// "id | subject | message" per compatibility finding of `current` against `baseline`, in
/// order: readable when an assertion fails. Every finding must be an error.
inline std::vector<std::string> findings(const ResolvedRegistry& baseline,
                                         const ResolvedRegistry& current) {
  Diagnostics diagnostics;
  check_compatibility(baseline, current, diagnostics);
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics.all()) {
    EXPECT_EQ(d.severity, Severity::kError) << d.id;
    out.push_back(d.id + " | " + d.subject + " | " + d.message);
  }
  return out;
}

/// Runs `coretel-schema <arguments>`: the exit code; `out` gets stdout (stderr is discarded).
inline int run_schema_tool(const std::string& arguments, std::string& out) {
  return coretel::schema::testing::run_schema_tool_stdout(arguments, out);
}

}  // namespace coretel::schema::pair_testing
