// coretel-schema on hostile or unusual input, bounded and exact (docs/schema-tool.md, "Limits"):
// files and registries over the size limits are refused by name; text ending in a backslash
// cannot splice a declaration into a generated C++ comment; an attribute referenced twice by
// one signal is seen twice by the policies. Registries are written into temp folders or come
// from tests/schema/registries/; nothing here needs the upstream conformance data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "comments/registry.h"  // tests/schema/registries/comments, compiled -Werror=comment
#include "generate_cpp.h"
#include "reader.h"
#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::check_files;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

std::string listing(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics.all()) text += "  " + format_text(d) + "\n";
  return text;
}

/// A sparse file of `size` bytes (all zero) at `path`.
void sparse_file(const fs::path& path, std::uintmax_t size) {
  std::ofstream(path).close();
  fs::resize_file(path, size);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ------------------------------------------------------------------------- size limits

TEST(Limits, AFileOverTheLimitIsRefusedByNameEvenInADependency) {
  static_assert(kMaxFileBytes == 16u << 20, "docs/schema-tool.md documents 16 MiB");
  TempDir dir;
  const std::string app_manifest =
      "schema_url: https://example.com/schemas/app/1.0.0\n"
      "dependencies:\n  - name: dep\n    schema_url: https://example.com/schemas/dep/1.0.0\n    "
      "registry_path: ../dep\n";
  const std::string dep_manifest = "schema_url: https://example.com/schemas/dep/1.0.0\n";
  dir.write("app/manifest.yaml", app_manifest);
  dir.write("app/model.yaml", "groups: []\n");
  dir.write("dep/manifest.yaml", dep_manifest);
  sparse_file(dir.path() / "app" / "big.yaml", kMaxFileBytes + 1);
  sparse_file(dir.path() / "dep" / "huge.yaml", std::uintmax_t{1} << 32);  // 4 GiB, sparse
  auto checked = check_dir(dir.path() / "app", false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.all().size(), 2u);
  const Diagnostic& big = checked.diagnostics.all()[0];
  EXPECT_EQ(big.id, "coretel_file_too_large");
  EXPECT_EQ(big.severity, Severity::kError);
  EXPECT_EQ(format_text(big),
            "big.yaml: error [coretel_file_too_large] the file is 16777217 bytes, more than the "
            "16777216 bytes (16 MiB) coretel-schema reads from one registry file; it is not read");
  EXPECT_EQ(format_text(checked.diagnostics.all()[1]),
            "../dep/huge.yaml: error [coretel_file_too_large] the file is 4294967296 bytes, "
            "more than the 16777216 bytes (16 MiB) coretel-schema reads from one registry file; "
            "it is not read");
  EXPECT_FALSE(checked.loaded.parsed);
  EXPECT_EQ(checked.loaded.definition.files, std::vector<std::string>{"model.yaml"});
  EXPECT_EQ(checked.loaded.definition.read_stats.files, 3u);  // the manifests and model.yaml
  EXPECT_EQ(checked.loaded.definition.read_stats.bytes,
            app_manifest.size() + dep_manifest.size() + 11u);

  std::string out;
  EXPECT_EQ(run_schema_tool("check " + (dir.path() / "app").string(), out), 1) << out;
  EXPECT_NE(out.find("big.yaml: error [coretel_file_too_large] the file is 16777217 bytes"),
            std::string::npos)
      << out;
}

TEST(Limits, TheRegistryAndItsDependenciesTogetherAreBounded) {
  static_assert(kMaxRegistryBytes == 32u << 20, "docs/schema-tool.md documents 32 MiB");
  // Two files exactly at the per-file limit are read (and are not YAML: zero bytes); they
  // reach the total limit, so the next file is refused, once, and nothing after it is read.
  TempDir dir;
  for (int i = 1; i <= 2; ++i) {
    sparse_file(dir.path() / ("a" + std::to_string(i) + ".yaml"), kMaxFileBytes);
  }
  dir.write("b.yaml", "groups: []\n");
  dir.write("c.yaml", "groups: []\n");
  auto checked = check_dir(dir.path(), false);
  SCOPED_TRACE(listing(checked.diagnostics));
  ASSERT_EQ(checked.diagnostics.all().size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(checked.diagnostics.all()[i].id, "DeserializationError");
    EXPECT_EQ(checked.diagnostics.all()[i].location.file, "a" + std::to_string(i + 1) + ".yaml");
  }
  EXPECT_EQ(format_text(checked.diagnostics.all()[2]),
            "b.yaml: error [coretel_registry_too_large] with this file (11 bytes) the registry "
            "and its dependencies hold more than the 33554432 bytes (32 MiB) coretel-schema reads "
            "in all; it and the files after it are not read");
  EXPECT_EQ(checked.loaded.definition.read_stats.bytes, kMaxRegistryBytes);
  EXPECT_EQ(checked.loaded.definition.read_stats.files, 2u);
}

// ---------------------------------------------------------- backslashes in C++ comments

TEST(GeneratedComments, TheCompiledRegistryKeepsEveryDeclarationAfterABackslash) {
  // Each of these follows a comment line whose text ended in a backslash; a line splice would
  // have swallowed it (and -Werror=comment rejects the splice itself).
  comments::FilesRenamedEvent renamed;
  renamed.files_path_root = "C:\\";
  EXPECT_EQ(comments::FilesRenamedEvent::kName, "files.renamed");
  EXPECT_EQ(renamed.attributes().size(), 1u);
  EXPECT_EQ(static_cast<int>(comments::FilesPathSeparator::kWindows), 0);
  EXPECT_EQ(static_cast<int>(comments::FilesPathSeparator::kPosix), 1);
  EXPECT_EQ(comments::to_string(comments::FilesPathSeparator::kWindows), "windows");
  EXPECT_EQ(comments::metrics::kFilesOpened, "files.opened");
  EXPECT_EQ(comments::metrics::kFilesClosed, "files.closed");
  EXPECT_EQ(comments::attributes::kFilesPathRoot, "files.path.root");
  comments::FilesMetrics* set = nullptr;
  EXPECT_EQ(sizeof(set->opened), sizeof(set->closed));
}

TEST(GeneratedComments, ABackslashAtTheEndOfACommentLineIsQuoted) {
  auto checked =
      check_dir(fs::path(CORETEL_SOURCE_DIR) / "tests/schema/registries/comments", false);
  ASSERT_TRUE(checked.loaded.resolved_ok) << listing(checked.diagnostics);
  TempDir out;
  std::string error;
  ASSERT_TRUE(generate_cpp(checked.loaded.resolved, out.path(), {"comments"}, error)) << error;
  std::string header = read_file(out.path() / "files.h");
  for (const char* expected : {
           "/// A file was renamed, from `C:\\`\nstruct FilesRenamedEvent {\n",
           "  /// The separator is `\\`\n  kWindows,  // \"windows\"\n",
           "  /// Files opened, a line ending in `\\`\n  ::coretel::Counter<uint64_t> opened;\n",
           "  /// Files closed `\\`\n  ::coretel::Counter<uint64_t> closed;\n",
           "/// A root such as `C:\\`\n/// Type: string. Stability: development.\n",
           "/// Instrument: counter. Unit: `{file}\\`. Stability: development.\n",
       }) {
    EXPECT_NE(header.find(expected), std::string::npos) << expected << "\n---\n" << header;
  }
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(line.ends_with("\\")) << line;
  }
}

TEST(GeneratedComments, SchemaUrlsAndUnitsCannotBreakOutOfTheirComment) {
  // A schema_url ending in a backslash, and a unit and a brief holding line breaks.
  TempDir dir;
  dir.write("manifest.yaml", "schema_url: 'https://example.com/schemas/x/1.0.0\\'\n");
  dir.write("model.yaml", R"(groups:
  - id: metric.x.count
    type: metric
    metric_name: x.count
    instrument: counter
    unit: "{a}\n{b}"
    brief: "Line one.\nLine two \\"
    stability: development
)");
  auto checked = check_dir(dir.path(), false);
  ASSERT_TRUE(checked.loaded.resolved_ok) << listing(checked.diagnostics);
  TempDir out;
  std::string error;
  ASSERT_TRUE(generate_cpp(checked.loaded.resolved, out.path(), {"n"}, error)) << error;
  std::string header = read_file(out.path() / "x.h");
  EXPECT_EQ(header.rfind("// Generated by coretel-schema from the registry\n"
                         "//   `https://example.com/schemas/x/1.0.0\\`\n"
                         "// Do not edit: change the registry and regenerate "
                         "(docs/schema-tool.md).\n",
                         0),
            0u)
      << header;
  EXPECT_NE(header.find("/// Line one. Line two `\\`\n"
                        "/// Instrument: counter. Unit: `{a} {b}`. Stability: development.\n"
                        "inline constexpr std::string_view kXCount = \"x.count\";\n"),
            std::string::npos)
      << header;
}

// ------------------------------------------------ an attribute referenced twice by a signal

constexpr const char* kStableMetricReferencingTwice = R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.color
        type: string
        brief: The color.
        stability: development
        examples: [red]
  - id: metric.shop.sales
    type: metric
    metric_name: shop.sales
    instrument: counter
    unit: "{sale}"
    brief: Sales made.
    stability: stable
    attributes:
      - ref: shop.color
        requirement_level: FIRST
      - ref: shop.color
        requirement_level: SECOND
)";

std::string twice(const std::string& first, const std::string& second) {
  std::string text = kStableMetricReferencingTwice;
  text.replace(text.find("FIRST"), 5, first);
  text.replace(text.find("SECOND"), 6, second);
  return text;
}

constexpr const char* kRequiredOnStable =
    "model.yaml:11:5: error [stability_metric_lower_stability_attribute] shop.sales: metric "
    "`shop.sales` is stable but references development attribute `shop.color` at level required; "
    "reference it as opt_in or stabilise the attribute";
constexpr const char* kDuplicateWarning =
    "model.yaml:21:9: warning [InvalidGroupDuplicateAttributeRef] metric.shop.sales/shop.color: "
    "This attribute is referenced more than once in the group.";

std::vector<std::string> texts(const Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics.all()) out.push_back(format_text(d));
  return out;
}

TEST(DuplicateReferences, ALaterOptInDoesNotHideAnEarlierRequiredFromTheStabilityRules) {
  auto checked = check_files({{"model.yaml", twice("required", "opt_in")}});
  EXPECT_EQ(texts(checked.diagnostics),
            (std::vector<std::string>{kDuplicateWarning, kRequiredOnStable}));
  // The signal itself keeps the last reference, as before.
  const Signal* sales = checked.loaded.resolved.find_metric("shop.sales");
  ASSERT_NE(sales, nullptr);
  ASSERT_EQ(sales->attributes.size(), 1u);
  EXPECT_EQ(to_string(sales->attributes[0].requirement_level.level), "opt_in");
  ASSERT_EQ(sales->replaced.size(), 1u);
  EXPECT_EQ(to_string(sales->replaced[0].ref.requirement_level.level), "required");
}

TEST(DuplicateReferences, EveryOrderAndEachFindingOnce) {
  // opt_in then required: the last reference breaks the rule.
  EXPECT_EQ(texts(check_files({{"model.yaml", twice("opt_in", "required")}}).diagnostics),
            (std::vector<std::string>{kDuplicateWarning, kRequiredOnStable}));
  // Both required: the same finding twice is reported once.
  EXPECT_EQ(texts(check_files({{"model.yaml", twice("required", "required")}}).diagnostics),
            (std::vector<std::string>{kDuplicateWarning, kRequiredOnStable}));
  // Both opt_in: nothing but the duplicate.
  EXPECT_EQ(texts(check_files({{"model.yaml", twice("opt_in", "opt_in")}}).diagnostics),
            std::vector<std::string>{kDuplicateWarning});
}

TEST(DuplicateReferences, OverridingAnInheritedReferenceIsNotADuplicate) {
  // A group that extends another and references its attribute again overrides it: the
  // signal is checked at the level it ends with.
  auto checked = check_files({{"model.yaml", R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.color
        type: string
        brief: The color.
        stability: development
        examples: [red]
  - id: attributes.shop.common
    type: attribute_group
    brief: Common attributes.
    attributes:
      - ref: shop.color
        requirement_level: required
  - id: metric.shop.sales
    type: metric
    metric_name: shop.sales
    instrument: counter
    unit: "{sale}"
    brief: Sales made.
    stability: stable
    extends: attributes.shop.common
    attributes:
      - ref: shop.color
        requirement_level: opt_in
)"}});
  EXPECT_TRUE(checked.diagnostics.empty()) << listing(checked.diagnostics);
}

}  // namespace

// ------------------------------------------------------------------------- resolution scale

// Found by review: refinements and entity associations across a dependency were looked up by
// scanning every group the dependency exposes for each one (n^2). They are looked up by name
// now. Correctness at scale is asserted here; time is not.
TEST(ResolutionScale, ManyRefinementsAndAssociationsAcrossADependency) {
  constexpr int n = 5000;
  TempDir dir;
  std::string dep =
      "file_format: definition/2\nattributes:\n"
      "  - {key: e.id, type: string, brief: An id., examples: [a], stability: stable}\n"
      "entities:\n";
  for (int i = 0; i < n; ++i) {
    dep += fmt::format(
        "  - {{type: e{}, brief: E., stability: stable, requirement_level: recommended, "
        "identity: [{{ref: e.id}}]}}\n",
        i);
  }
  dep += "metrics:\n";
  for (int i = 0; i < n; ++i) {
    dep += fmt::format(
        "  - {{name: m{}, instrument: counter, unit: '1', brief: M., stability: stable, "
        "requirement_level: recommended, attributes: [{{ref: e.id}}]}}\n",
        i);
  }
  std::string app = "file_format: definition/2\nmetric_refinements:\n";
  for (int i = 0; i < n; ++i) {
    app += fmt::format("  - {{id: r{}, ref: m{}, entity_associations: [e{}, {{one_of: [e{}]}}]}}\n",
                       i, i, i, (i + 1) % n);
  }
  dir.write("dep/manifest.yaml", "schema_url: https://example.com/schemas/dep/1.0.0\n");
  dir.write("dep/model.yaml", dep);
  dir.write("app/manifest.yaml",
            "schema_url: https://example.com/schemas/app/1.0.0\ndependencies:\n"
            "  - schema_url: https://example.com/schemas/dep/1.0.0\n    registry_path: ../dep\n");
  dir.write("app/model.yaml", app);
  auto checked = check_dir(dir.path() / "app", false);
  ASSERT_TRUE(checked.loaded.resolved_ok) << listing(checked.diagnostics);
  ASSERT_EQ(checked.loaded.resolved.metric_refinements.size(), static_cast<std::size_t>(n));
  const Signal& last = checked.loaded.resolved.metric_refinements.back();
  ASSERT_EQ(last.entity_associations.size(), 2u);
  EXPECT_EQ(last.entity_associations[1].members[0].entity, "e0");
  EXPECT_EQ(last.entity_associations[1].members[0].provenance,
            "https://example.com/schemas/dep/1.0.0");
  EXPECT_EQ(checked.loaded.resolved.metric_refinements[7].refines, "m7");
}
