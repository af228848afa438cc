// Diff and backward compatibility (tools/schema/diff.h, compatibility.h) over OpenTelemetry
// Weaver's own v2_check_baseline pair (conformance data, CORETEL_CONFORMANCE_DATA): `next` drops
// `my.attr` from the stable metric `my.metric`, which Weaver reports as breaking.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "compatibility.h"
#include "diff.h"
#include "registry_pair_support.h"

using namespace coretel::schema;
using coretel::schema::pair_testing::findings;
using coretel::schema::pair_testing::lines;
using coretel::schema::pair_testing::resolve_dir;
using coretel::schema::pair_testing::run_schema_tool;
using coretel::schema::pair_testing::ScratchDir;

namespace {

/// weaver/tests/v2_check_baseline/<which> (base or next).
std::filesystem::path baseline_case(const std::string& which) {
  return std::filesystem::path(CORETEL_CONFORMANCE_DATA) /
         "weaver-cases/weaver/tests/v2_check_baseline" / which;
}

TEST(Diff, WeaverV2CheckBaselinePair) {
  ResolvedRegistry base = resolve_dir(baseline_case("base"));
  ResolvedRegistry next = resolve_dir(baseline_case("next"));

  RegistryDiff diff = diff_registries(base, next);
  EXPECT_EQ(
      lines(diff),
      (std::vector<std::string>{"metric updated my.metric: attributes removed: my.attr BREAKING"}));
  EXPECT_TRUE(diff.breaks_stable());
  EXPECT_EQ(format_diff_text(diff),
            "(no schema_url) -> (no schema_url)\n"
            "  metric          updated       my.metric: attributes removed: my.attr  [BREAKING]\n"
            "verdict: breaking (1 change breaks a stable item)\n");
  EXPECT_EQ(nlohmann::json::parse(format_diff_json(diff)), nlohmann::json::parse(R"({
    "old_schema_url": "", "new_schema_url": "", "verdict": "breaking",
    "changes": [{"kind": "metric", "type": "updated", "name": "my.metric",
                 "detail": "attributes removed: my.attr", "breaking": true}]})"));

  RegistryDiff same = diff_registries(next, next);
  EXPECT_TRUE(same.changes.empty());
  EXPECT_EQ(nlohmann::json::parse(format_diff_json(same)), nlohmann::json::parse(R"({
    "old_schema_url": "", "new_schema_url": "", "verdict": "compatible", "changes": []})"));
}

TEST(DiffCli, BreakingDiffExitsTwoWithJsonVerdict) {
  std::string out;
  int code = run_schema_tool("diff " + baseline_case("base").string() + " " +
                                 baseline_case("next").string() + " --format json 2>/dev/null",
                             out);
  EXPECT_EQ(code, 2) << out;
  nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["verdict"], "breaking");
  ASSERT_EQ(doc["changes"].size(), 1u);
  EXPECT_EQ(doc["changes"][0]["name"], "my.metric");
  EXPECT_EQ(doc["changes"][0]["breaking"], true);
}

TEST(DiffCli, CompatibleDiffExitsZero) {
  std::string out;
  int code = run_schema_tool("diff " + baseline_case("next").string() + " " +
                                 baseline_case("next").string() + " --format json 2>/dev/null",
                             out);
  EXPECT_EQ(code, 0) << out;
  nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["verdict"], "compatible");
  EXPECT_TRUE(doc["changes"].empty());

  // Changes that break nothing stable still exit 0: an added metric, a removed development one.
  ScratchDir old_dir, new_dir;
  old_dir.write("model.yaml", R"(file_format: definition/2
metrics:
  - name: c.dev
    brief: Development.
    instrument: counter
    unit: "1"
    stability: development
)");
  new_dir.write("model.yaml", R"(file_format: definition/2
metrics:
  - name: c.new
    brief: New.
    instrument: counter
    unit: "1"
    stability: stable
)");
  code = run_schema_tool(
      "diff " + old_dir.path().string() + " " + new_dir.path().string() + " 2>/dev/null", out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("metric          added         c.new\n"), std::string::npos) << out;
  EXPECT_NE(out.find("metric          removed       c.dev\n"), std::string::npos) << out;
  EXPECT_NE(out.find("verdict: compatible (2 changes)\n"), std::string::npos) << out;
}

TEST(DiffCli, CheckWithBaselineReportsTheFinding) {
  std::string out;
  // --skip-policies: next/test.yaml breaks a naming rule (`attr2`); only compatibility counts.
  int code = run_schema_tool("check " + baseline_case("next").string() + " --baseline " +
                                 baseline_case("base").string() +
                                 " --skip-policies --format json 2>/dev/null",
                             out);
  EXPECT_EQ(code, 1) << out;
  nlohmann::json findings = nlohmann::json::array();
  for (const nlohmann::json& d : nlohmann::json::parse(out)) {
    if (d["severity"] == "error") findings.push_back(d);
  }
  ASSERT_EQ(findings.size(), 1u) << out;
  EXPECT_EQ(findings[0]["id"], "compatibility_metric_changed_attributes");
  EXPECT_EQ(findings[0]["message"],
            "Metric 'my.metric' cannot change required/recommended attributes (missing my.attr)");

  code = run_schema_tool("check " + baseline_case("next").string() + " --baseline " +
                             baseline_case("next").string() + " --skip-policies 2>/dev/null",
                         out);
  EXPECT_EQ(code, 0) << out;
}

TEST(Compatibility, WeaverV2CheckBaseline) {
  ResolvedRegistry base = resolve_dir(baseline_case("base"));
  ResolvedRegistry next = resolve_dir(baseline_case("next"));
  Diagnostics diagnostics;
  check_compatibility(base, next, diagnostics);
  ASSERT_EQ(diagnostics.all().size(), 1u);
  const Diagnostic& d = diagnostics.all()[0];
  EXPECT_EQ(d.id, "compatibility_metric_changed_attributes");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.subject, "my.metric");
  // Word for word the finding INDEX.yaml records for this case.
  EXPECT_EQ(d.message,
            "Metric 'my.metric' cannot change required/recommended attributes (missing my.attr)");
  EXPECT_EQ(d.location.file, "test.yaml");
  EXPECT_EQ(d.location.line, 35);  // `- name: my.metric` in next/test.yaml

  EXPECT_TRUE(findings(next, next).empty());
  EXPECT_TRUE(findings(base, base).empty());
  // The other way round, the stable metric gains a recommended attribute.
  EXPECT_EQ(findings(next, base),
            (std::vector<std::string>{
                "compatibility_metric_added_attributes | my.metric | Metric 'my.metric' cannot "
                "change required/recommended attributes (added my.attr)",
            }));
}

}  // namespace
