// coretel's own registries (registry/*): they check with no error, and the Markdown committed
// in docs/telemetry/<name>/ is exactly what `coretel-schema generate markdown` makes of them.
// When this fails after a registry change, run scripts/generate-telemetry-docs.sh and commit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "generate_markdown.h"
#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;

namespace {

const fs::path kSource = CORETEL_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::is_directory(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

std::vector<std::string> registries() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSource / "registry")) {
    if (entry.is_directory()) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// coretel's self-metrics, the Python package's, the semantic conventions coretel follows (its
// resource's attributes, its OTLP exporters' self-metrics), and the demo engine's telemetry.
TEST(OwnRegistries, ThereAreTheSelfMetricsTheResourceAttributesAndTheDemo) {
  EXPECT_EQ(registries(),
            (std::vector<std::string>{"coretel", "coretel_python", "semconv", "syslog_receiver"}));
}

TEST(OwnRegistries, CheckWithNoErrorAndDocsAreUpToDate) {
  for (const std::string& name : registries()) {
    SCOPED_TRACE("registry/" + name);
    auto checked = coretel::schema::testing::check_dir(kSource / "registry" / name);
    EXPECT_FALSE(checked.diagnostics.failed()) << format_json(checked.diagnostics.all());
    ASSERT_TRUE(checked.loaded.resolved_ok);
    // The Python package's metrics are Python instruments (generate python), not C++ sets.
    if (name != "coretel_python") {
      EXPECT_FALSE(checked.loaded.resolved.metric_sets.empty());
    }

    coretel::schema::testing::TempDir fresh;
    std::string error;
    ASSERT_TRUE(generate_markdown(checked.loaded.resolved, fresh.path(), error)) << error;
    fs::path committed = kSource / "docs/telemetry" / name;
    EXPECT_EQ(names_in(committed), names_in(fresh.path()))
        << "docs/telemetry/" << name
        << " has missing or extra pages: run scripts/generate-telemetry-docs.sh";
    for (const std::string& page : names_in(fresh.path())) {
      EXPECT_EQ(read(committed / page), read(fresh.path() / page))
          << "docs/telemetry/" << name << "/" << page
          << " is out of date: run scripts/generate-telemetry-docs.sh";
    }
  }
}

}  // namespace
