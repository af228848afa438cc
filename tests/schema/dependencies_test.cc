// Registry dependencies (manifest `dependencies:` with a local `registry_path`) and v2
// `imports:`: references into a dependency, imports by glob, and the diagnostics Weaver gives
// (UnmatchedImport, CircularDependency, ExcludedFromDependencyResolution) plus coretel's offline
// ones (DependencyNotLocal, DependencyNotFound). Small registries written into temp folders;
// the CLI too.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

// Names are built with fmt::format, not `"r" + std::to_string(i)`: g++ 12 at -O3 reports the
// latter's insert-at-front as a possibly overlapping memcpy (a false -Wrestrict).

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
    schema_url: https://example.com/schemas/dep/1.0.0
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
  return fmt::format("r{}", i);
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
  // A v1 span's type is its group id without `span.`, as Weaver's v1 -> v2 conversion names it.
  EXPECT_EQ(names(r.spans), std::vector<std::string>{"app.work"});
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
  EXPECT_EQ(to_string(r.metrics[0].attributes[0].requirement_level.level),
            "required");  // via extends
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
    schema_url: https://example.com/schemas/b/1.0.0
    registry_path: ../b
)");
  dir.write("a/model.yaml", "groups: []\n");
  dir.write("b/manifest.yaml", R"(schema_url: https://example.com/schemas/b/1.0.0
dependencies:
  - name: a
    schema_url: https://example.com/schemas/a/1.0.0
    registry_path: ../a
)");
  dir.write("b/model.yaml", "groups: []\n");
  auto checked = check_dir(dir.path() / "a", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("CircularDependency"), 1u);
  const Diagnostic* d = checked.diagnostics.find("CircularDependency");
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->location.file, "../b/manifest.yaml");
  EXPECT_EQ(d->location.line, 5);
  EXPECT_EQ(d->location.column, 20);
  EXPECT_FALSE(checked.loaded.resolved_ok);
}

TEST(Dependencies, ADeepChainStopsAtMaximumDependencyDepth) {
  TempDir dir;
  for (int i = 0; i <= 12; ++i) {
    dir.write(
        fmt_dir(i) + "/manifest.yaml",
        "schema_url: https://example.com/schemas/r" + std::to_string(i) +
            "/1.0.0\ndependencies:\n  - name: next\n    schema_url: https://example.com/schemas/" +
            fmt_dir(i + 1) + "/1.0.0\n    registry_path: ../" + fmt_dir(i + 1) + "\n");
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
        manifest += "dependencies:\n  - name: next\n    schema_url: https://example.com/schemas/" +
                    fmt_dir(i + 1) + "/1.0.0\n    registry_path: ../" + fmt_dir(i + 1) + "\n";
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

// A lattice: the root `app` depends on the 3 registries of level 1, each registry of level k
// on the 3 of level k + 1, down to level `levels`: 3^levels paths reach the last level, but
// there are only 1 + 3 * levels registries. Each defines an attribute and a metric using it,
// and imports (so re-exports) every metric of the levels below: a registry sees only what its
// direct dependencies expose.
std::unique_ptr<TempDir> write_lattice(int levels) {
  auto dir = std::make_unique<TempDir>();
  for (int k = 0; k <= levels; ++k) {
    for (int j = 0; j < (k == 0 ? 1 : 3); ++j) {
      std::string name = k == 0 ? "app" : fmt::format("l{}_{}", k, j);
      std::string manifest = "schema_url: https://example.com/schemas/" + name + "/1.0.0\n";
      if (k < levels) {
        manifest += "dependencies:\n";
        for (int i = 0; i < 3; ++i) {
          std::string next = fmt::format("l{}_{}", k + 1, i);
          manifest += "  - name: " + next + "\n    schema_url: https://example.com/schemas/" +
                      next + "/1.0.0\n    registry_path: ../" + next + "\n";
        }
      }
      dir->write(name + "/manifest.yaml", manifest);
      if (k == 0) continue;
      std::string imports = k < levels ? "imports:\n  metrics: [lattice.*]\n" : "";
      dir->write(name + "/model.yaml", "file_format: definition/2\n" + imports +
                                           "attributes:\n  - key: lattice." + name +
                                           ".color\n    type: string\n"
                                           "    brief: A color.\n    stability: development\n"
                                           "metrics:\n  - name: lattice." +
                                           name +
                                           ".requests\n    instrument: counter\n"
                                           "    unit: \"{request}\"\n    brief: Requests.\n"
                                           "    stability: development\n"
                                           "    requirement_level: recommended\n"
                                           "    attributes:\n      - ref: lattice." +
                                           name + ".color\n");
    }
  }
  dir->write("app/model.yaml", R"(file_format: definition/2
imports:
  metrics: [lattice.*]
metrics:
  - name: app.jobs
    instrument: counter
    unit: "{job}"
    brief: Jobs run.
    stability: development
    requirement_level: recommended
    attributes:
      - ref: lattice.l10_2.color
)");
  return dir;
}

TEST(Dependencies, ALatticeReadsEachRegistryOnceAndResolves) {
  // 3 dependencies per manifest, 10 levels: 59,049 paths to the last level. Reading each
  // registry along every path took 32 s; each is read once.
  auto dir = write_lattice(10);
  auto start = std::chrono::steady_clock::now();
  auto checked = check_dir(dir->path() / "app");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  SCOPED_TRACE(listing(checked.diagnostics));
  EXPECT_EQ(errors(checked.diagnostics), 0u);
  // Each definition/2 file is read once: one UnstableFileFormat each, nothing else.
  EXPECT_EQ(checked.diagnostics.count("UnstableFileFormat"), 31u);
  EXPECT_EQ(checked.diagnostics.all().size(), 31u);
  ASSERT_TRUE(checked.loaded.resolved_ok);
  const ReadStats& read = checked.loaded.definition.read_stats;
  EXPECT_EQ(read.registries, 31u);  // app and 3 per level
  EXPECT_EQ(read.files, 62u);       // a manifest and a model each
  const ResolvedRegistry& r = checked.loaded.resolved;
  ASSERT_EQ(r.metrics.size(), 31u);  // app.jobs and each imported metric once
  std::set<std::string> imported;
  for (const Signal& s : r.metrics) imported.insert(s.name);
  EXPECT_EQ(imported.size(), 31u);
  EXPECT_TRUE(imported.count("lattice.l10_2.requests"));
  EXPECT_EQ(r.attribute(r.metrics[0].attributes[0]).location.file, "../l10_2/model.yaml");
  // Two shared registries: app's first two dependencies both depend on the same l2_0.
  const RegistryDefinition& app = checked.loaded.definition;
  ASSERT_EQ(app.dependencies.size(), 3u);
  ASSERT_EQ(app.dependencies[0]->dependencies.size(), 3u);
  EXPECT_EQ(app.dependencies[0]->dependencies[0].get(), app.dependencies[1]->dependencies[0].get());
  EXPECT_LT(seconds, 5.0) << "generous for sanitizer builds: it takes milliseconds";
}

TEST(Dependencies, ALatticeOneLevelTooDeepIsReportedOncePerEdge) {
  // 11 levels: the 9 edges from level 10 to level 11 are too deep, each reported once at its
  // `registry_path` (the level-10 registries are named by the first path that reached them).
  auto dir = write_lattice(11);
  auto checked = check_dir(dir->path() / "app", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("MaximumDependencyDepth"), 9u);
  EXPECT_EQ(errors(checked.diagnostics), 9u);
  std::vector<std::string> places;
  for (const Diagnostic& d : checked.diagnostics.all()) {
    if (d.id != "MaximumDependencyDepth") continue;
    places.push_back(
        fmt::format("{}:{}:{} {}", d.location.file, d.location.line, d.location.column, d.message));
  }
  std::vector<std::string> expected;
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 3; ++i) {
      expected.push_back(fmt::format(
          "../l10_{}/manifest.yaml:{}:20 dependency `l11_{}` is more than 10 registries deep", j,
          5 + 3 * i, i));
    }
  }
  EXPECT_EQ(places, expected);
  EXPECT_EQ(checked.loaded.definition.read_stats.registries, 31u);  // level 11 is not read
}

TEST(Dependencies, ARegistryReadOnAShortPathIsTooDeepOnALongerOne) {
  // app -> x -> y (x read here, 1 deep), and app -> c1 -> ... -> c9 -> x: on the long path x is
  // 10 deep and y 11: MaximumDependencyDepth at c9's `registry_path: ../x`.
  TempDir dir;
  auto manifest = [](const std::string& name, const std::vector<std::string>& deps) {
    std::string text = "schema_url: https://example.com/schemas/" + name + "/1.0.0\n";
    if (!deps.empty()) text += "dependencies:\n";
    for (const std::string& d : deps)
      text += "  - name: " + d + "\n    schema_url: https://example.com/schemas/" + d +
              "/1.0.0\n    registry_path: ../" + d + "\n";
    return text;
  };
  dir.write("app/manifest.yaml", manifest("app", {"x", "c1"}));
  for (int i = 1; i <= 9; ++i) {
    std::string next = i == 9 ? "x" : fmt::format("c{}", i + 1);
    dir.write(fmt::format("c{}/manifest.yaml", i), manifest(fmt::format("c{}", i), {next}));
  }
  dir.write("x/manifest.yaml", manifest("x", {"y"}));
  dir.write("y/manifest.yaml", manifest("y", {}));
  auto checked = check_dir(dir.path() / "app", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.all().size(), 1u);
  const Diagnostic& d = checked.diagnostics.all()[0];
  EXPECT_EQ(d.id, "MaximumDependencyDepth");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.location.file, "../c9/manifest.yaml");
  EXPECT_EQ(d.location.line, 5);
  EXPECT_EQ(d.location.column, 20);
  EXPECT_EQ(d.message,
            "dependency `x` is more than 10 registries deep: it is 10 deep here and its own "
            "dependencies go 1 deeper");
  EXPECT_EQ(checked.loaded.definition.read_stats.registries, 12u);  // app, x, y, c1..c9
}

TEST(Dependencies, ADiamondImportsEachSignalOnceAndOwnDefinitionsWin) {
  // app -> {left, right} -> dep: dep is read on both paths, and its metrics reach app through
  // both.
  TempDir dir;
  write_dep(dir);
  for (const char* side : {"left", "right"}) {
    dir.write(std::string(side) + "/manifest.yaml",
              std::string("schema_url: https://example.com/schemas/") + side +
                  "/1.0.0\ndependencies:\n  - name: dep\n    schema_url: "
                  "https://example.com/schemas/dep/1.0.0\n    registry_path: ../dep\n");
    // Each side re-exports dep's metrics (a v1 file's `imports:`): app sees dep through them.
    dir.write(std::string(side) + "/model.yaml", "imports:\n  metrics: [dep.*]\ngroups: []\n");
  }
  dir.write("app/manifest.yaml",
            "schema_url: https://example.com/schemas/app/1.0.0\ndependencies:\n"
            "  - name: left\n    schema_url: https://example.com/schemas/left/1.0.0\n    "
            "registry_path: ../left\n"
            "  - name: right\n    schema_url: https://example.com/schemas/right/1.0.0\n    "
            "registry_path: ../right\n");
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
    schema_url: https://example.com/schemas/otel/1.0.0
    registry_path: https://github.com/open-telemetry/semantic-conventions@v1.30.0[model]
  - name: archive
    schema_url: https://example.com/schemas/archive/1.0.0
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
  EXPECT_EQ(d->location.line, 5);
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
    schema_url: https://example.com/schemas/dep/1.0.0
    registry_path: ../no-such-registry
)");
  dir.write("model.yaml", "groups: []\n");
  auto checked = check_dir(dir.path(), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.count("DependencyNotFound"), 1u);
  const Diagnostic* d = checked.diagnostics.find("DependencyNotFound");
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_EQ(d->location.file, "manifest.yaml");
  EXPECT_EQ(d->location.line, 5);
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

// Two paths require one registry in versions `a` and `b`: the one resolved is the higher by
// semver.org precedence (numbers numerically, a pre-release below its release).
std::string chosen_version(const std::string& a, const std::string& b) {
  TempDir dir;
  for (const std::string& v : {a, b}) {
    dir.write("base-" + v + "/manifest.yaml",
              "schema_url: https://example.com/schemas/base/" + v + "\n");
    dir.write("base-" + v + "/model.yaml",
              "groups:\n  - id: metric.base.requests\n    type: metric\n"
              "    metric_name: base.requests\n    instrument: counter\n    unit: \"{request}\"\n"
              "    brief: Requests " +
                  v + ".\n    stability: stable\n");
  }
  for (const auto& [side, v] : {std::pair{"left", a}, std::pair{"right", b}}) {
    dir.write(std::string(side) + "/manifest.yaml",
              fmt::format("schema_url: https://example.com/schemas/{}/1.0.0\ndependencies:\n"
                          "  - schema_url: https://example.com/schemas/base/{}\n"
                          "    registry_path: ../base-{}\n",
                          side, v, v));
    dir.write(std::string(side) + "/model.yaml", "imports:\n  metrics: [base.*]\ngroups: []\n");
  }
  dir.write(
      "app/manifest.yaml",
      "schema_url: https://example.com/schemas/app/1.0.0\ndependencies:\n"
      "  - schema_url: https://example.com/schemas/left/1.0.0\n    registry_path: ../left\n"
      "  - schema_url: https://example.com/schemas/right/1.0.0\n    registry_path: ../right\n");
  dir.write("app/model.yaml", "imports:\n  metrics: [base.*]\ngroups: []\n");
  auto checked = check_dir(dir.path() / "app", false);
  if (errors(checked.diagnostics) || checked.loaded.resolved.metrics.size() != 1) {
    return "unresolved:\n" + listing(checked.diagnostics);
  }
  std::string brief = checked.loaded.resolved.metrics[0].brief;
  return brief.substr(std::string("Requests ").size(), brief.size() - 10);
}

TEST(DependencyVersions, TheHigherCompatibleVersionBySemverPrecedenceWins) {
  EXPECT_EQ(chosen_version("1.9.0", "1.10.0"), "1.10.0");
  EXPECT_EQ(chosen_version("1.10.0", "1.9.0"), "1.10.0");
  EXPECT_EQ(chosen_version("1.2.0-rc.1", "1.2.0"), "1.2.0");
  EXPECT_EQ(chosen_version("1.2.0-rc.2", "1.2.0-rc.10"), "1.2.0-rc.10");
  EXPECT_EQ(chosen_version("1.2.0-alpha", "1.2.0-1"), "1.2.0-alpha");  // numeric ids sort first
  EXPECT_EQ(chosen_version("v1.3.0", "1.2.9"), "v1.3.0");  // a leading `v`, as Weaver allows
  EXPECT_EQ(chosen_version("0.1.0", "0.3.0"), "0.3.0");    // 0.x is one major version too
}

// `generate cpp --depfile` names every file read, the dependency's included, so that a build
// (coretel_generate_registry) regenerates when a registry the app depends on changes.
TEST(Dependencies, GenerateCppDepfileNamesTheDependencysFiles) {
  TempDir dir;
  write_dep(dir);
  dir.write("app/manifest.yaml", kAppManifest);
  dir.write("app/model.yaml", "groups: []\n");
  std::string out;
  fs::path depfile = dir.path() / "out.d";
  ASSERT_EQ(run_schema_tool("generate cpp " + (dir.path() / "app").string() + " -o " +
                                (dir.path() / "gen").string() + " --depfile " + depfile.string(),
                            out),
            0)
      << out;
  std::ifstream in(depfile);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::path root = fs::canonical(dir.path());
  // Each input is on a line of its own: "  <path> \\" (the last without the backslash).
  std::set<std::string> inputs;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  ", 0) != 0) continue;
    std::string path = line.substr(2);
    if (path.size() >= 2 && path.compare(path.size() - 2, 2, " \\") == 0)
      path.resize(path.size() - 2);
    inputs.insert(path);
  }
  auto listed = [&](const fs::path& p) { return inputs.count((root / p).string()) > 0; };
  EXPECT_EQ(text.rfind((root / "gen" / "registry_stamp.h").string() + ":", 0), 0u) << text;
  for (const char* file : {"app/manifest.yaml", "app/model.yaml", "dep/manifest.yaml",
                           "dep/model.yaml", "dep/groups.yaml", "dep"}) {
    EXPECT_TRUE(listed(file)) << file << " in\n" << text;
  }
}
