// Registry dependencies (manifest `dependencies:` with a local `registry_path`) and v2
// `imports:`: references into a dependency, imports by glob, and the diagnostics Weaver gives
// (UnmatchedImport, CircularDependency, ExcludedFromDependencyResolution) plus coretel's offline
// ones (DependencyNotLocal, DependencyNotFound). Small registries written into temp folders;
// the CLI too.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

constexpr const char* kDepManifest = "schema_url: https://example.com/schemas/dep/1.0.0\n";

// The dependency: two attributes (one hidden from dependents), three metrics, a span and a
// v1 attribute group.
constexpr const char* kDepModel = R"(file_format: definition/2
attributes:
  - key: dep.color
    type: string
    brief: The color of the thing.
    stability: stable
  - key: dep.secret
    type: string
    brief: Internal to the dependency.
    stability: development
    annotations:
      dependency_resolution:
        exclude: true
metrics:
  - name: dep.requests
    instrument: counter
    unit: "{request}"
    brief: Requests served
    stability: development
    requirement_level: recommended
    attributes:
      - ref: dep.color
  - name: dep.errors
    instrument: counter
    unit: "{error}"
    brief: Errors seen.
    stability: development
    requirement_level: recommended
  - name: other.latency
    instrument: histogram
    unit: s
    brief: Latency.
    stability: development
    requirement_level: recommended
spans:
  - type: dep.call
    kind: client
    brief: A call.
    stability: development
    requirement_level: recommended
)";

constexpr const char* kDepGroups = R"(groups:
  - id: attributes.dep.common
    type: attribute_group
    brief: Shared attributes.
    attributes:
      - ref: dep.color
        requirement_level: required
)";

constexpr const char* kAppManifest = R"(schema_url: https://example.com/schemas/app/1.0.0
dependencies:
  - name: dep
    registry_path: ../dep
)";

void write_dep(const TempDir& dir) {
  dir.write("dep/manifest.yaml", kDepManifest);
  dir.write("dep/model.yaml", kDepModel);
  dir.write("dep/groups.yaml", kDepGroups);
}

std::string listing(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics.all()) text += "  " + format_text(d) + "\n";
  return text;
}

std::size_t errors(const Diagnostics& diagnostics) {
  return std::count_if(diagnostics.all().begin(), diagnostics.all().end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::string fmt_dir(int i) {
  return "r" + std::to_string(i);
}

std::vector<std::string> names(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const Signal& s : signals) out.push_back(s.name);
  return out;
}

TEST(Dependencies, V1RefAndExtendsResolveIntoTheDependency) {
  TempDir dir;
  write_dep(dir);
  dir.write("app/manifest.yaml", kAppManifest);
  dir.write("app/model.yaml", R"(groups:
  - id: metric.app.jobs
    type: metric
    metric_name: app.jobs
    instrument: counter
    unit: "{job}"
    brief: Jobs run.
    stability: development
    extends: attributes.dep.common
  - id: span.app.work
    type: span
    span_kind: internal
    brief: Work.
    stability: development
    attributes:
      - ref: dep.color
        brief: The color of the work.
)");
  auto checked = check_dir(dir.path() / "app");
  SCOPED_TRACE(listing(checked.diagnostics));
  EXPECT_EQ(errors(checked.diagnostics), 0u);
  ASSERT_TRUE(checked.loaded.resolved_ok);
  const ResolvedRegistry& r = checked.loaded.resolved;
  ASSERT_EQ(checked.loaded.definition.dependencies.size(), 1u);
  // Only the app's signals: nothing is imported without `imports:`.
  EXPECT_EQ(names(r.metrics), std::vector<std::string>{"app.jobs"});
  EXPECT_EQ(names(r.spans), std::vector<std::string>{"span.app.work"});  // v1: the group id
  // The referenced dependency attribute is in the catalog with the dependency's type and brief.
  const CatalogAttribute* color = r.find_attribute("dep.color");
  ASSERT_NE(color, nullptr);
  EXPECT_EQ(color->type.name, "string");
  EXPECT_EQ(color->brief, "The color of the thing.");
  EXPECT_TRUE(color->from_dependency);
  EXPECT_EQ(color->location.file, "../dep/model.yaml");
  EXPECT_EQ(r.find_attribute("dep.secret"), nullptr) << "unreferenced: not in the output";
  ASSERT_EQ(r.metrics[0].attributes.size(), 1u);
  EXPECT_EQ(r.attribute(r.metrics[0].attributes[0]).key, "dep.color");
  EXPECT_EQ(r.metrics[0].attributes[0].requirement_level.level, "required");  // via extends
  ASSERT_EQ(r.spans[0].attributes.size(), 1u);
  EXPECT_EQ(r.attribute(r.spans[0].attributes[0]).brief, "The color of the work.");
  EXPECT_EQ(r.attributes.size(), 1u) << "stats count dep.color, referenced, and nothing else";
}

TEST(Dependencies, ImportsPullExactlyTheMatchedMetrics) {
  TempDir dir;
  write_dep(dir);
  dir.write("app/manifest.yaml", kAppManifest);
  dir.write("app/model.yaml", R"(file_format: definition/2
imports:
  metrics:
    - dep.*
  spans:
    - nothing.?
attributes:
  - key: app.mode
    type: string
    brief: The mode.
    stability: development
metrics:
  - name: app.jobs
    instrument: counter
    unit: "{job}"
    brief: Jobs run.
    stability: development
    requirement_level: recommended
    attributes:
      - ref: app.mode
      - ref: dep.color
)");
  auto checked = check_dir(dir.path() / "app");  // with policies
  SCOPED_TRACE(listing(checked.diagnostics));
  // dep.requests has a brief without a period: the dependency's policies would flag it, the
  // dependent's do not check imported items again.
  EXPECT_EQ(errors(checked.diagnostics), 0u);
  ASSERT_TRUE(checked.loaded.resolved_ok);
  const ResolvedRegistry& r = checked.loaded.resolved;
  EXPECT_EQ(names(r.metrics), (std::vector<std::string>{"app.jobs", "dep.requests", "dep.errors"}));
  EXPECT_TRUE(r.spans.empty());
  EXPECT_FALSE(r.metrics[0].from_dependency);
  EXPECT_TRUE(r.metrics[1].from_dependency);
  ASSERT_EQ(r.metrics[1].attributes.size(), 1u);
  EXPECT_EQ(r.attribute(r.metrics[1].attributes[0]).key, "dep.color");
  EXPECT_EQ(r.attributes.size(), 2u);  // app.mode + dep.color
  // The glob that matches nothing: a warning at the glob.
  EXPECT_EQ(checked.diagnostics.count("UnmatchedImport"), 1u);
  const Diagnostic* unmatched = checked.diagnostics.find("UnmatchedImport");
  ASSERT_NE(unmatched, nullptr);
  EXPECT_EQ(unmatched->severity, Severity::kWarning);
  EXPECT_EQ(unmatched->location.file, "model.yaml");
  EXPECT_EQ(unmatched->location.line, 6);
  EXPECT_EQ(unmatched->location.column, 7);
  EXPECT_NE(unmatched->message.find("nothing.?"), std::string::npos);
}

TEST(Dependencies, ReferencingAnExcludedAttributeIsAnError) {
  TempDir dir;
  write_dep(dir);
  dir.write("app/manifest.yaml", kAppManifest);
  dir.write("app/model.yaml", R"(groups:
  - id: span.app.work
    type: span
    span_kind: internal
    brief: Work.
    stability: development
    attributes:
      - ref: dep.secret
)");
  auto checked = check_dir(dir.path() / "app", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  EXPECT_FALSE(checked.loaded.resolved_ok);
  ASSERT_EQ(checked.diagnostics.count("ExcludedFromDependencyResolution"), 1u);
  const Diagnostic* d = checked.diagnostics.find("ExcludedFromDependencyResolution");
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->location.file, "model.yaml");
  EXPECT_EQ(d->location.line, 8);
  EXPECT_NE(d->message.find("dep.secret"), std::string::npos);
}

TEST(Dependencies, ACycleBetweenTwoRegistriesIsDiagnosedAndTerminates) {
  TempDir dir;
  dir.write("a/manifest.yaml", R"(schema_url: https://example.com/schemas/a/1.0.0
dependencies:
  - name: b
    registry_path: ../b
)");
  dir.write("a/model.yaml", "groups: []\n");
  dir.write("b/manifest.yaml", R"(schema_url: https://example.com/schemas/b/1.0.0
dependencies:
  - name: a
    registry_path: ../a
)");
  dir.write("b/model.yaml", "groups: []\n");
  auto checked = check_dir(dir.path() / "a", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("CircularDependency"), 1u);
  const Diagnostic* d = checked.diagnostics.find("CircularDependency");
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->location.file, "../b/manifest.yaml");
  EXPECT_EQ(d->location.line, 4);
  EXPECT_EQ(d->location.column, 20);
  EXPECT_FALSE(checked.loaded.resolved_ok);
}

TEST(Dependencies, ADeepChainStopsAtMaximumDependencyDepth) {
  TempDir dir;
  for (int i = 0; i <= 12; ++i) {
    dir.write(fmt_dir(i) + "/manifest.yaml",
              "schema_url: https://example.com/schemas/r" + std::to_string(i) +
                  "/1.0.0\ndependencies:\n  - name: next\n    registry_path: ../" + fmt_dir(i + 1) +
                  "\n");
    dir.write(fmt_dir(i) + "/model.yaml", "groups: []\n");
  }
  auto checked = check_dir(dir.path() / fmt_dir(0), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  EXPECT_EQ(checked.diagnostics.count("MaximumDependencyDepth"), 1u);
  EXPECT_EQ(checked.diagnostics.count("DependencyNotFound"), 0u);
}

TEST(Dependencies, TenLevelsResolveAndTheEleventhIsTooDeep) {
  // r0 -> r1 -> ... -> r<depth>: `depth` levels of dependencies below r0.
  auto chain = [](int depth) {
    auto dir = std::make_unique<TempDir>();
    for (int i = 0; i <= depth; ++i) {
      std::string manifest =
          "schema_url: https://example.com/schemas/r" + std::to_string(i) + "/1.0.0\n";
      if (i < depth) {
        manifest += "dependencies:\n  - name: next\n    registry_path: ../" + fmt_dir(i + 1) + "\n";
      }
      dir->write(fmt_dir(i) + "/manifest.yaml", manifest);
      dir->write(fmt_dir(i) + "/model.yaml", "groups: []\n");
    }
    return dir;
  };
  auto ten = chain(10);
  auto at_limit = check_dir(ten->path() / fmt_dir(0), false);
  EXPECT_EQ(at_limit.diagnostics.count("MaximumDependencyDepth"), 0u)
      << listing(at_limit.diagnostics);
  EXPECT_EQ(errors(at_limit.diagnostics), 0u) << listing(at_limit.diagnostics);
  auto eleven = chain(11);
  auto past_limit = check_dir(eleven->path() / fmt_dir(0), false);
  EXPECT_EQ(past_limit.diagnostics.count("MaximumDependencyDepth"), 1u)
      << listing(past_limit.diagnostics);
}

TEST(Dependencies, ADiamondImportsEachSignalOnceAndOwnDefinitionsWin) {
  // app -> {left, right} -> dep: dep is read on both paths.
  TempDir dir;
  write_dep(dir);
  for (const char* side : {"left", "right"}) {
    dir.write(std::string(side) + "/manifest.yaml",
              std::string("schema_url: https://example.com/schemas/") + side +
                  "/1.0.0\ndependencies:\n  - name: dep\n    registry_path: ../dep\n");
    dir.write(std::string(side) + "/model.yaml", "groups: []\n");
  }
  dir.write("app/manifest.yaml",
            "schema_url: https://example.com/schemas/app/1.0.0\ndependencies:\n"
            "  - name: left\n    registry_path: ../left\n"
            "  - name: right\n    registry_path: ../right\n");
  // app defines dep.errors itself: its own definition, not the import, is the one resolved.
  dir.write("app/model.yaml", R"(file_format: definition/2
imports:
  metrics: [dep.*]
metrics:
  - name: dep.errors
    instrument: counter
    unit: "{error}"
    brief: The application's own count of errors.
    stability: development
    requirement_level: recommended
)");
  auto checked = check_dir(dir.path() / "app", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_TRUE(checked.loaded.resolved_ok);
  const ResolvedRegistry& r = checked.loaded.resolved;
  EXPECT_EQ(names(r.metrics), (std::vector<std::string>{"dep.errors", "dep.requests"}));
  EXPECT_EQ(r.metrics[0].brief, "The application's own count of errors.");
  EXPECT_FALSE(r.metrics[0].from_dependency);
  EXPECT_EQ(checked.diagnostics.count("DuplicateMetricName"), 0u);
}

TEST(Dependencies, ARemoteRegistryPathIsAWarningNotFetched) {
  TempDir dir;
  dir.write("manifest.yaml", R"(schema_url: https://example.com/schemas/app/1.0.0
dependencies:
  - name: otel
    registry_path: https://github.com/open-telemetry/semantic-conventions@v1.30.0[model]
  - name: archive
    registry_path: /somewhere/model.zip
)");
  dir.write("model.yaml", R"(groups:
  - id: span.app.work
    type: span
    span_kind: internal
    brief: Work.
    stability: development
    attributes:
      - ref: http.request.method
)");
  auto checked = check_dir(dir.path(), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("DependencyNotLocal"), 2u);
  const Diagnostic* d = checked.diagnostics.find("DependencyNotLocal");
  EXPECT_EQ(d->severity, Severity::kWarning);
  EXPECT_EQ(d->location.file, "manifest.yaml");
  EXPECT_EQ(d->location.line, 4);
  EXPECT_EQ(d->location.column, 20);
  EXPECT_NE(d->message.find("local checkout"), std::string::npos);
  // The reference into the unfetched dependency cannot resolve; the message says why.
  const Diagnostic* unresolved = checked.diagnostics.find("UnresolvedAttributeRef");
  ASSERT_NE(unresolved, nullptr);
  EXPECT_NE(unresolved->message.find("DependencyNotLocal"), std::string::npos);
}

TEST(Dependencies, AMissingLocalDirectoryIsAnErrorAtRegistryPath) {
  TempDir dir;
  dir.write("manifest.yaml", R"(schema_url: https://example.com/schemas/app/1.0.0
dependencies:
  - name: dep
    registry_path: ../no-such-registry
)");
  dir.write("model.yaml", "groups: []\n");
  auto checked = check_dir(dir.path(), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("DependencyNotFound"), 1u);
  const Diagnostic* d = checked.diagnostics.find("DependencyNotFound");
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->location.file, "manifest.yaml");
  EXPECT_EQ(d->location.line, 4);
  EXPECT_EQ(d->location.column, 20);
  EXPECT_NE(d->message.find("../no-such-registry"), std::string::npos);
  EXPECT_FALSE(checked.loaded.resolved_ok);
}

TEST(Imports, WrongShapesAreInvalidSemConvSpecAtTheirPlace) {
  struct Case {
    std::string imports;
    int line;
    int column;
  };
  for (const Case& c : std::vector<Case>{
           {"imports: 42\n", 2, 10},
           {"imports:\n  metrics: dep.*\n", 3, 12},
           {"imports:\n  metrics:\n    - [a]\n", 4, 7},
           {"imports:\n  signals: [a]\n", 3, 3},
       }) {
    TempDir dir;
    dir.write("model.yaml", "file_format: definition/2\n" + c.imports);
    auto checked = check_dir(dir.path(), false);
    SCOPED_TRACE(c.imports + listing(checked.diagnostics));
    const Diagnostic* d = checked.diagnostics.find("InvalidSemConvSpec");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->severity, Severity::kError);
    EXPECT_EQ(d->location.file, "model.yaml");
    EXPECT_EQ(d->location.line, c.line);
    EXPECT_EQ(d->location.column, c.column);
  }
}

TEST(Imports, AreStoredWithTheirLocation) {
  TempDir dir;
  dir.write("model.yaml",
            "file_format: definition/2\nimports:\n  metrics: [\"a.*\", b]\n  entities:\n"
            "    - host\n");
  auto checked = check_dir(dir.path(), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  const auto& imports = checked.loaded.definition.imports;
  ASSERT_EQ(imports.size(), 3u);
  EXPECT_EQ(imports[0].section, "metrics");
  EXPECT_EQ(imports[0].pattern, "a.*");
  EXPECT_EQ(imports[2].section, "entities");
  EXPECT_EQ(imports[2].location.line, 5);
  // No dependencies: every glob is unmatched, a warning, not an error.
  EXPECT_EQ(checked.diagnostics.count("UnmatchedImport"), 3u);
  EXPECT_EQ(errors(checked.diagnostics), 0u);
}

TEST(Dependencies, CliCheckAndResolveJson) {
  TempDir dir;
  write_dep(dir);
  dir.write("app/manifest.yaml", kAppManifest);
  dir.write("app/model.yaml", R"(file_format: definition/2
imports:
  metrics: [dep.err*]
metrics:
  - name: app.jobs
    instrument: counter
    unit: "{job}"
    brief: Jobs run.
    stability: development
    requirement_level: recommended
    attributes:
      - ref: dep.color
)");
  std::string app = (dir.path() / "app").string();
  std::string out;
  EXPECT_EQ(run_schema_tool("check " + app, out), 0) << out;
  EXPECT_EQ(run_schema_tool("resolve --format json " + app + " 2>/dev/null", out), 0) << out;
  nlohmann::json doc = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out;
  std::string text = doc.dump();
  EXPECT_NE(text.find("\"dep.errors\""), std::string::npos);
  EXPECT_EQ(text.find("\"dep.requests\""), std::string::npos);
  EXPECT_NE(text.find("The color of the thing."), std::string::npos);

  dir.write("app/model.yaml", "file_format: definition/2\nimports: 42\n");
  EXPECT_EQ(run_schema_tool("check " + app, out), 1) << out;
  EXPECT_NE(out.find("model.yaml:2:10"), std::string::npos) << out;
  EXPECT_EQ(run_schema_tool("resolve --format json " + app, out), 1) << out;
}

}  // namespace
