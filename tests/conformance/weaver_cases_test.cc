// Runs `check` over every OpenTelemetry Weaver test registry listed in
// <CORETEL_CONFORMANCE_DATA>/weaver-cases/INDEX.yaml and asserts the verdict and the diagnostics
// that INDEX.yaml expects.
//
// How INDEX.yaml is read:
//   expect: accept -> the registry checks with no error (Weaver's built-in rules: these
//                     registries are Weaver's own fixtures, run without policy packages).
//   expect: reject -> the check fails with warnings counted as errors (Weaver's tests use
//                     `into_result_failing_non_fatal`, i.e. `--future`).
//   expected: entries are either a rule id with details (`InvalidAttribute(group1/attr1, ..)`,
//     `DuplicateGroupId{..}`, `DuplicateGroupId x3 (...)`, `InvalidFileFormat: ...`), in which
//     case the number of diagnostics with that id must match (and the subject, for the `(`
//     form), or a message (`Object contains unexpected properties: attributes`), which some
//     diagnostic must contain. Weaver's `CompoundError` wraps several structural errors; we
//     report each as InvalidSemConvSpec.
//   Cases whose files sit in `base/` and `next/` are a baseline comparison: `next` checked
//     against `base` with the backward-compatibility rules.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <regex>

#include "compatibility.h"
#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::TempDir;

namespace {

const fs::path kCases = fs::path(CORETEL_CONFORMANCE_DATA) / "weaver-cases";

struct WeaverCase {
  std::string id;
  std::vector<std::string> files;
  std::string expect;
  std::vector<std::string> expected;
};

std::vector<WeaverCase> load_index() {
  YAML::Node index = YAML::LoadFile((kCases / "INDEX.yaml").string());
  std::vector<WeaverCase> cases;
  for (const YAML::Node& c : index["cases"]) {
    WeaverCase wc;
    wc.id = c["id"].as<std::string>();
    for (const YAML::Node& f : c["files"]) wc.files.push_back(f.as<std::string>());
    wc.expect = c["expect"].as<std::string>();
    if (c["expected"]) {
      for (const YAML::Node& e : c["expected"]) wc.expected.push_back(e.as<std::string>());
    }
    cases.push_back(std::move(wc));
  }
  return cases;
}

/// Copies the case's files into `dir`, keeping their layout below their common folder.
void materialize(const WeaverCase& c, const TempDir& dir) {
  fs::path common = fs::path(c.files.front()).parent_path();
  for (const std::string& f : c.files) {
    while (fs::path(f).string().rfind(common.string() + "/", 0) != 0) common = common.parent_path();
  }
  for (const std::string& f : c.files) {
    fs::path target = dir.path() / fs::relative(f, common);
    fs::create_directories(target.parent_path());
    fs::copy_file(kCases / f, target, fs::copy_options::overwrite_existing);
  }
}

struct Expectation {
  std::string id;  // empty: a message expectation
  int count = 1;
  bool at_least = false;  // CompoundError: one or more
  std::string subject;    // `Id(subject, ...)` form
  std::string message;
};

Expectation parse_expected(const std::string& text) {
  static const std::regex kId(R"(^([A-Z][A-Za-z]+)(?: x(\d+))?(\(|\{|:| \(|$))");
  std::smatch m;
  Expectation e;
  if (std::regex_search(text, m, kId)) {
    e.id = m[1] == "CompoundError" ? "InvalidSemConvSpec" : std::string(m[1]);
    e.at_least = m[1] == "CompoundError";
    if (m[2].matched) e.count = std::stoi(m[2]);
    if (m[3] == "(") {
      std::string rest = text.substr(m.position(3) + 1);
      e.subject = rest.substr(0, rest.find_first_of(",)"));
    }
    return e;
  }
  e.message = text.substr(0, text.find(" ("));
  return e;
}

void PrintTo(const WeaverCase& c, std::ostream* os) {
  *os << c.id;
}

class WeaverCaseTest : public ::testing::TestWithParam<WeaverCase> {};

TEST_P(WeaverCaseTest, VerdictAndDiagnostics) {
  const WeaverCase& c = GetParam();
  TempDir dir;
  materialize(c, dir);
  Diagnostics diagnostics;
  bool baseline_case = fs::exists(dir.path() / "base") && fs::exists(dir.path() / "next");
  if (baseline_case) {
    LoadedRegistry base = load_registry(dir.path() / "base", diagnostics, {false});
    LoadedRegistry next = load_registry(dir.path() / "next", diagnostics, {false});
    ASSERT_TRUE(base.resolved_ok && next.resolved_ok);
    check_compatibility(base.resolved, next.resolved, diagnostics);
  } else {
    load_registry(dir.path(), diagnostics, {false});
  }
  std::string listing;
  for (const Diagnostic& d : diagnostics.all()) listing += "  " + format_text(d) + "\n";
  SCOPED_TRACE("diagnostics:\n" + listing);

  if (c.expect.rfind("accept", 0) == 0) {
    EXPECT_FALSE(diagnostics.failed()) << c.id << " must be accepted";
  } else {
    EXPECT_TRUE(diagnostics.failed(/*future=*/true)) << c.id << " must be rejected";
  }

  std::map<std::string, int> expected_counts;
  std::map<std::string, bool> at_least;
  std::vector<std::pair<std::string, std::string>> expected_sequence;
  bool all_with_subject = !c.expected.empty();
  for (const std::string& text : c.expected) {
    Expectation e = parse_expected(text);
    if (baseline_case) {
      all_with_subject = false;
      // "Metric 'my.metric' cannot change required/recommended attributes (missing my.attr)"
      EXPECT_EQ(diagnostics.count("compatibility_metric_changed_attributes"), 1u);
      bool named = false;
      for (const Diagnostic& d : diagnostics.all()) {
        named |= d.message.find("my.metric") != std::string::npos &&
                 d.message.find("my.attr") != std::string::npos;
      }
      EXPECT_TRUE(named) << "the finding names the metric and the missing attribute";
      continue;
    }
    if (e.id.empty()) {
      bool found = false;
      for (const Diagnostic& d : diagnostics.all()) {
        found |= d.message.find(e.message) != std::string::npos;
      }
      EXPECT_TRUE(found) << "no diagnostic says: " << e.message;
      all_with_subject = false;
      continue;
    }
    expected_counts[e.id] += e.count;
    at_least[e.id] = at_least[e.id] || e.at_least;
    if (e.subject.empty()) all_with_subject = false;
    expected_sequence.emplace_back(e.id, e.subject);
  }
  for (const auto& [id, count] : expected_counts) {
    if (at_least[id]) {
      EXPECT_GE(diagnostics.count(id), static_cast<std::size_t>(count)) << "diagnostics " << id;
    } else {
      EXPECT_EQ(diagnostics.count(id), static_cast<std::size_t>(count)) << "diagnostics " << id;
    }
  }
  if (all_with_subject) {
    // The exact oracle (seven-validation-errors.yaml): these diagnostics, in this order.
    std::vector<std::pair<std::string, std::string>> actual;
    for (const Diagnostic& d : diagnostics.all()) actual.emplace_back(d.id, d.subject);
    EXPECT_EQ(actual, expected_sequence);
  }
}

std::string case_name(const ::testing::TestParamInfo<WeaverCase>& info) {
  std::string name = info.param.id;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Index, WeaverCaseTest, ::testing::ValuesIn(load_index()), case_name);

TEST(WeaverCases, IndexListsEveryCase) {
  // A case silently dropped from the index would no longer be tested.
  EXPECT_EQ(load_index().size(), 26u);
}

}  // namespace
