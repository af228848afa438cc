// coretel's rules over `coretel:` annotations (tools/schema/coretel_annotations.h): each
// annotation that would make `generate cpp` emit C++ that does not compile is a diagnostic of
// `check`, with the metric's file and line, and `generate cpp` refuses the registry.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema_test_support.h"

using namespace coretel::schema;
using coretel::schema::testing::check_files;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

/// A v2 registry with one metric set `app.work` of one metric whose annotations are
/// `annotations` (YAML flow text), and a measurement attribute of type `outcome_type`.
std::string registry(const std::string& instrument, const std::string& annotations,
                     const std::string& outcome_type =
                         "{members: [{id: ok, stability: stable}, {id: failed, stability: "
                         "stable}]}") {
  return "file_format: definition/2\n"
         "attributes:\n"
         "  - key: app.name\n"
         "    type: string\n"
         "    brief: Name.\n"
         "    stability: stable\n"
         "    examples: [x]\n"
         "  - key: app.outcome\n"
         "    type: " +
         outcome_type +
         "\n"
         "    brief: Outcome.\n"
         "    stability: stable\n"
         "attribute_groups:\n"
         "  - id: app.work\n"
         "    visibility: internal\n"
         "    attributes:\n"
         "      - ref: app.name\n"
         "        requirement_level: required\n"
         "      - ref: app.outcome\n"
         "        requirement_level: required\n"
         "        annotations: {coretel: {measurement: true}}\n"
         "metrics:\n"
         "  - name: app.work.items\n"
         "    brief: Items.\n"
         "    instrument: " +
         instrument +
         "\n"
         "    unit: \"{item}\"\n"
         "    stability: stable\n"
         "    requirement_level: recommended\n"
         "    annotations: " +
         annotations +
         "\n"
         "    attributes: [{ref_group: app.work}]\n";
}

constexpr int kMetricLine = 22;  // `  - name: app.work.items` in registry()

/// "id@line" of every diagnostic of these rules (not the format's own warnings).
std::vector<std::string> findings(const std::string& yaml, std::string* messages = nullptr) {
  auto checked = check_files({{"app.yaml", yaml}}, /*policies=*/false);
  std::vector<std::string> out;
  for (const Diagnostic& d : checked.diagnostics.all()) {
    if (d.id.rfind("coretel_", 0) != 0) continue;
    out.push_back(d.id + "@" + std::to_string(d.location.line));
    if (messages) *messages += d.message + "\n";
  }
  return out;
}

using Ids = std::vector<std::string>;
const std::string kInvalid = "coretel_annotation_invalid@" + std::to_string(kMetricLine);
const std::string kMismatch =
    "coretel_metric_set_instrument_mismatch@" + std::to_string(kMetricLine);

TEST(CoretelAnnotations, ValidSetsHaveNoFinding) {
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work}}")), Ids{});
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, value_type: f64}}")),
            Ids{});
  EXPECT_EQ(findings(registry("updowncounter",
                              "{coretel: {metric_set: app.work, instrument: "
                              "observe_updowncounter, value_type: i64}}")),
            Ids{});
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, histogram_bounds: [0.5, 1, 8]}}")),
            Ids{});
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: mmsc, field: t}}")),
            Ids{});
}

TEST(CoretelAnnotations, ValueTypeMustFitTheInstrument) {
  std::string messages;
  // coretel::Counter is uint64_t or double: an i64 counter would not compile.
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, value_type: i64}}"),
                     &messages),
            Ids{kMismatch});
  EXPECT_NE(messages.find("a coretel `counter` holds u64, f64, not `i64`"), std::string::npos)
      << messages;
  EXPECT_EQ(findings(registry("updowncounter",
                              "{coretel: {metric_set: app.work, value_type: "
                              "u64}}")),
            Ids{kMismatch});
  EXPECT_EQ(findings(registry("histogram", "{coretel: {metric_set: app.work, value_type: f64}}")),
            Ids{kMismatch});
  EXPECT_EQ(findings(registry("gauge", "{coretel: {metric_set: app.work, value_type: u32}}")),
            Ids{kInvalid});
  EXPECT_EQ(findings(registry("gauge",
                              "{code_generation: {metric_value_type: float}, coretel: "
                              "{metric_set: app.work}}")),
            Ids{kInvalid});
}

TEST(CoretelAnnotations, InstrumentMustFitTheSemconvInstrument) {
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, instrument: mmsc}}")),
            Ids{kMismatch});
  EXPECT_EQ(findings(registry("gauge", "{coretel: {metric_set: app.work, instrument: bogus}}")),
            Ids{kMismatch});
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, instrument: 3}}")),
            Ids{kInvalid});
}

TEST(CoretelAnnotations, HistogramBoundsAreIncreasingFiniteNumbers) {
  std::string messages;
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, histogram_bounds: [10, 1]}}"),
                     &messages),
            Ids{kInvalid});
  EXPECT_NE(messages.find("must be strictly increasing; [1] = 1 follows 10"), std::string::npos)
      << messages;
  EXPECT_EQ(
      findings(registry("histogram", "{coretel: {metric_set: app.work, histogram_bounds: []}}")),
      Ids{kInvalid});
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, histogram_bounds: [1, x]}}")),
            Ids{kInvalid});
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: mmsc, "
                              "histogram_bounds: [1]}}")),
            Ids{kMismatch});
}

TEST(CoretelAnnotations, MaxSizeIsAnExponentialHistogramsBucketCount) {
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: "
                              "exponential_histogram, max_size: 4}}")),
            Ids{});
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: "
                              "exponential_histogram, max_size: 320}}")),
            Ids{});
  std::string messages;
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: "
                              "exponential_histogram, max_size: 321}}"),
                     &messages),
            Ids{kInvalid});
  EXPECT_NE(messages.find("`coretel.max_size` is 321; it is an integer from 4 to 320"),
            std::string::npos)
      << messages;
  EXPECT_EQ(findings(registry("histogram",
                              "{coretel: {metric_set: app.work, instrument: "
                              "exponential_histogram, max_size: 16.5}}")),
            Ids{kInvalid});
  messages.clear();
  EXPECT_EQ(
      findings(registry("histogram", "{coretel: {metric_set: app.work, max_size: 16}}"), &messages),
      Ids{kMismatch});
  EXPECT_NE(messages.find("`coretel.max_size` needs an exponential_histogram, and this metric "
                          "is a coretel `histogram`"),
            std::string::npos)
      << messages;
}

TEST(CoretelAnnotations, KeysAndTypes) {
  std::string messages;
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, feild: x}}"), &messages),
            Ids{kInvalid});
  EXPECT_NE(messages.find("unknown key `coretel.feild`"), std::string::npos) << messages;
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: 42}}")), Ids{kInvalid});
  EXPECT_EQ(findings(registry("counter", "{coretel: [metric_set]}")), Ids{kInvalid});
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work, field: Items}}")),
            Ids{kInvalid});
  // A per-metric key outside any set is read by nothing: a warning.
  EXPECT_EQ(findings(registry("counter", "{coretel: {field: items}}")),
            Ids{"coretel_annotation_unused@" + std::to_string(kMetricLine)});
}

TEST(CoretelAnnotations, TwoMembersMayNotShareACppMemberName) {
  std::string yaml = registry("counter", "{coretel: {metric_set: app.work, field: total}}");
  yaml +=
      "  - name: app.work.total\n"
      "    brief: Total.\n"
      "    instrument: counter\n"
      "    unit: \"{item}\"\n"
      "    stability: stable\n"
      "    requirement_level: recommended\n"
      "    annotations: {coretel: {metric_set: app.work}}\n"
      "    attributes: [{ref_group: app.work}]\n";
  std::string messages;
  EXPECT_EQ(findings(yaml, &messages),
            Ids{"coretel_metric_set_field_collision@" + std::to_string(kMetricLine + 8)});
  EXPECT_NE(messages.find("both become the C++ member `total`"), std::string::npos) << messages;
}

TEST(CoretelAnnotations, MeasurementAttributesAreStringEnums) {
  // Line 8: the definition of app.outcome.
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work}}",
                              "{members: [{id: ok, value: 0, stability: stable}]}")),
            Ids{"coretel_metric_set_measurement_not_enum@8"});
  EXPECT_EQ(findings(registry("counter", "{coretel: {metric_set: app.work}}", "{members: []}")),
            Ids{"coretel_metric_set_measurement_not_enum@8"});
}

/// registry() with `annotation` (YAML flow text) on the group's reference to app.name.
std::string with_name_annotation(const std::string& annotation) {
  std::string yaml = registry("counter", "{coretel: {metric_set: app.work}}");
  const std::string ref = "      - ref: app.name\n        requirement_level: required\n";
  yaml.replace(yaml.find(ref), ref.size(), ref + "        annotations: " + annotation + "\n");
  return yaml;
}

TEST(CoretelAnnotations, RegistrationPlacement) {
  EXPECT_EQ(findings(with_name_annotation("{coretel: {registration: true}}")), Ids{});
  EXPECT_EQ(findings(with_name_annotation("{coretel: {registration: false}}")), Ids{});
  std::string messages;
  // Line 3: app.name, whose catalog entry (with the reference's annotations) is reported.
  EXPECT_EQ(findings(with_name_annotation("{coretel: {registration: true, measurement: true}}"),
                     &messages),
            Ids{"coretel_annotation_invalid@3"});
  EXPECT_NE(messages.find("attribute `app.name`: `coretel.measurement` and `coretel.registration` "
                          "are both true"),
            std::string::npos)
      << messages;
  messages.clear();
  EXPECT_EQ(findings(with_name_annotation("{coretel: {registration: 1}}"), &messages),
            Ids{"coretel_annotation_invalid@3"});
  EXPECT_NE(messages.find("`coretel.registration` is 1; it is true or false"), std::string::npos)
      << messages;
}

TEST(CoretelAnnotations, GenerateRefusesWhatCheckRejects) {
  TempDir dir;
  dir.write("app.yaml", registry("counter", "{coretel: {metric_set: app.work, value_type: i64}}"));
  std::string output;
  TempDir out;
  EXPECT_EQ(
      run_schema_tool(
          "generate cpp " + dir.path().string() + " -o " + (out.path() / "gen").string(), output),
      1);
  EXPECT_NE(output.find("app.yaml:22:"), std::string::npos) << output;
  EXPECT_NE(output.find("[coretel_metric_set_instrument_mismatch]"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(out.path() / "gen" / "app.h"));
}

}  // namespace
