// The typed registry vocabulary (coretel/metrics/vocabulary.h, tools/schema/vocabulary.h):
// every value's spelling reads back to the value, and a word that is none of them is reported
// where the registry is read, with the same diagnostics as when the tool kept strings.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "coretel/metrics/vocabulary.h"
#include "published_reader.h"
#include "reader.h"
#include "vocabulary.h"

using namespace coretel::schema;

namespace {

// ------------------------------------------------------------------ to_string / parse

TEST(Vocabulary, StabilityRoundTrips) {
  const std::array<std::pair<coretel::Stability, const char*>, 5> kAll{{
      {coretel::Stability::kDevelopment, "development"},
      {coretel::Stability::kAlpha, "alpha"},
      {coretel::Stability::kBeta, "beta"},
      {coretel::Stability::kReleaseCandidate, "release_candidate"},
      {coretel::Stability::kStable, "stable"},
  }};
  for (const auto& [value, name] : kAll) {
    EXPECT_EQ(coretel::to_string(value), name);
    EXPECT_EQ(coretel::stability_named(name), value);
  }
  EXPECT_EQ(coretel::stability_named("deprecated"), std::nullopt);
  EXPECT_EQ(coretel::stability_named("Stable"), std::nullopt);
  EXPECT_EQ(coretel::stability_named(""), std::nullopt);
}

TEST(Vocabulary, RequirementLevelRoundTrips) {
  const std::array<std::pair<RequirementLevel, const char*>, 4> kAll{{
      {RequirementLevel::kRequired, "required"},
      {RequirementLevel::kConditionallyRequired, "conditionally_required"},
      {RequirementLevel::kRecommended, "recommended"},
      {RequirementLevel::kOptIn, "opt_in"},
  }};
  for (const auto& [value, name] : kAll) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(coretel::requirement_level_named(name), value);
  }
  EXPECT_EQ(coretel::requirement_level_named("optional"), std::nullopt);
  EXPECT_EQ(coretel::requirement_level_named(""), std::nullopt);
}

TEST(Vocabulary, SemconvInstrumentRoundTrips) {
  const std::array<std::pair<SemconvInstrument, const char*>, 4> kAll{{
      {SemconvInstrument::kCounter, "counter"},
      {SemconvInstrument::kUpDownCounter, "updowncounter"},
      {SemconvInstrument::kGauge, "gauge"},
      {SemconvInstrument::kHistogram, "histogram"},
  }};
  for (const auto& [value, name] : kAll) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(coretel::semconv_instrument_named(name), value);
  }
  // coretel's own kinds are no semconv instruments.
  EXPECT_EQ(coretel::semconv_instrument_named("mmsc"), std::nullopt);
  EXPECT_EQ(coretel::semconv_instrument_named("observe_counter"), std::nullopt);
  EXPECT_EQ(coretel::semconv_instrument_named(""), std::nullopt);
}

TEST(Vocabulary, RegistryStabilityRoundTripsAndMapsToTheRuntime) {
  const std::array<std::pair<RegistryStability, const char*>, 6> kAll{{
      {RegistryStability::kDevelopment, "development"},
      {RegistryStability::kAlpha, "alpha"},
      {RegistryStability::kBeta, "beta"},
      {RegistryStability::kReleaseCandidate, "release_candidate"},
      {RegistryStability::kStable, "stable"},
      {RegistryStability::kDeprecated, "deprecated"},
  }};
  for (const auto& [value, name] : kAll) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(registry_stability_named(name), value);
    // The shared levels keep their runtime spelling; `deprecated` becomes development.
    EXPECT_EQ(coretel::to_string(runtime_stability(value)),
              value == RegistryStability::kDeprecated ? "development" : name);
  }
  // Weaver's alias reads as development and writes back as development.
  EXPECT_EQ(registry_stability_named("experimental"), RegistryStability::kDevelopment);
  EXPECT_EQ(registry_stability_named("frozen"), std::nullopt);
  EXPECT_EQ(registry_stability_named(""), std::nullopt);

  EXPECT_EQ(stability_text(std::nullopt), "");
  EXPECT_EQ(stability_or_development(std::nullopt), "development");
  EXPECT_EQ(instrument_text(std::nullopt), "");
  EXPECT_EQ(instrument_text(SemconvInstrument::kGauge), "gauge");
}

TEST(Vocabulary, StabilityRankOrdersTheLevels) {
  EXPECT_EQ(stability_rank(std::nullopt), 0);
  EXPECT_EQ(stability_rank(RegistryStability::kDevelopment), 0);
  EXPECT_EQ(stability_rank(RegistryStability::kDeprecated), 0);
  EXPECT_EQ(stability_rank(RegistryStability::kAlpha), 1);
  EXPECT_EQ(stability_rank(RegistryStability::kBeta), 2);
  EXPECT_EQ(stability_rank(RegistryStability::kReleaseCandidate), 3);
  EXPECT_EQ(stability_rank(RegistryStability::kStable), 4);
}

// ------------------------------------------------------------------ unknown words

struct Expected {
  int line, column;
  std::string subject, message;
};

void expect_diagnostics(const Diagnostics& diagnostics, const std::string& file,
                        const std::vector<Expected>& expected) {
  ASSERT_EQ(diagnostics.all().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Diagnostic& d = diagnostics.all()[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(d.severity, Severity::kError);
    EXPECT_EQ(d.location.file, file);
    EXPECT_EQ(d.location.line, expected[i].line);
    EXPECT_EQ(d.location.column, expected[i].column);
    EXPECT_EQ(d.subject, expected[i].subject);
    EXPECT_EQ(d.message, expected[i].message);
  }
}

// The diagnostics of the reader that kept these fields as strings, word for word.
TEST(Vocabulary, AnUnknownWordInAV1FileIsAnError) {
  const char* text = R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    stability: experimental
    attributes:
      - id: shop.item
        type: string
        brief: The item.
        stability: frozen
        examples: [a]
      - id: shop.outcome
        type:
          members:
            - id: sold
              stability: gold
        brief: Outcome.
        stability: deprecated
  - id: metric.shop.sold
    type: metric
    metric_name: shop.sold
    instrument: meter
    unit: "{item}"
    brief: Items sold.
    stability: stable
    attributes:
      - ref: shop.item
        requirement_level: sometimes
      - ref: shop.outcome
        requirement_level: {required: "always"}
      - ref: shop.item
        requirement_level: {maybe: "x"}
)";
  RegistryDefinition registry;
  Diagnostics diagnostics;
  EXPECT_FALSE(read_definition_file(text, "v1.yaml", registry, diagnostics));
  const std::string map_form =
      "`requirement_level` must be required, recommended, opt_in, or a one-entry map "
      "{conditionally_required|recommended|opt_in: text}";
  expect_diagnostics(
      diagnostics, "v1.yaml",
      {{10, 20, "registry.shop/shop.item",
        "unknown stability `frozen`; expected stable, release_candidate, beta, alpha or "
        "development"},
       {16, 26, "registry.shop/shop.outcome/sold",
        "unknown stability `gold`; expected stable, release_candidate, beta, alpha or "
        "development"},
       {22, 17, "metric.shop.sold",
        "unknown instrument `meter`; expected counter, updowncounter, gauge or histogram"},
       {28, 28, "metric.shop.sold/shop.item", "unknown requirement_level `sometimes`"},
       {30, 28, "metric.shop.sold/shop.outcome", map_form},
       {32, 28, "metric.shop.sold/shop.item", map_form}});
}

TEST(Vocabulary, AnUnknownInstrumentInAV2FileIsAnError) {
  const char* text = R"(file_format: definition/2
metrics:
  - name: shop.sold
    instrument: meter
    unit: "{item}"
    brief: Items sold.
    stability: stable
    requirement_level: recommended
)";
  RegistryDefinition registry;
  Diagnostics diagnostics;
  EXPECT_FALSE(read_definition_file(text, "v2.yaml", registry, diagnostics));
  ASSERT_EQ(diagnostics.all().size(), 2u);
  EXPECT_EQ(diagnostics.all()[0].id, "UnstableFileFormat");
  const Diagnostic& d = diagnostics.all()[1];
  EXPECT_EQ(d.id, "InvalidSemConvSpec");
  EXPECT_EQ(d.location.line, 4);
  EXPECT_EQ(d.location.column, 17);
  EXPECT_EQ(d.subject, "metric.shop.sold");
  EXPECT_EQ(d.message,
            "unknown instrument `meter`; expected counter, updowncounter, gauge or histogram");
}

// A published registry is read without its original lines: the document is rejected.
TEST(Vocabulary, AnUnknownWordInAPublishedRegistryRejectsIt) {
  const std::string head =
      "file_format: resolved/2.0\n"
      "attribute_catalog:\n"
      "- {key: a, type: string, brief: A., stability: STABILITY}\n"
      "registry:\n"
      "  attributes: [0]\n"
      "  metrics:\n"
      "  - {name: m, instrument: INSTRUMENT, unit: '1', brief: M., stability: stable,\n"
      "     attributes: [{base: 0, requirement_level: LEVEL}]}\n";
  auto read = [&](std::string stability, std::string instrument, std::string level) {
    std::string text = head;
    text.replace(text.find("STABILITY"), 9, stability);
    text.replace(text.find("INSTRUMENT"), 10, instrument);
    text.replace(text.find("LEVEL"), 5, level);
    RegistryDefinition registry;
    Diagnostics diagnostics;
    bool ok = read_published_registry(text, "resolved.yaml", registry, diagnostics);
    return std::make_pair(ok, diagnostics);
  };
  auto [ok, diagnostics] = read("stable", "counter", "required");
  EXPECT_TRUE(ok);
  EXPECT_TRUE(diagnostics.all().empty());

  for (const auto& [args, message] :
       std::vector<std::pair<std::array<std::string, 3>, std::string>>{
           {{"frozen", "counter", "required"}, "unknown stability `frozen`"},
           {{"stable", "meter", "required"}, "unknown instrument `meter`"},
           {{"stable", "counter", "sometimes"}, "unknown requirement_level `sometimes`"},
       }) {
    SCOPED_TRACE(message);
    auto [rejected_ok, rejected] = read(args[0], args[1], args[2]);
    EXPECT_FALSE(rejected_ok);
    ASSERT_EQ(rejected.all().size(), 1u);
    EXPECT_EQ(rejected.all()[0].id, "InvalidFileFormat");
    EXPECT_EQ(rejected.all()[0].location.file, "resolved.yaml");
    EXPECT_EQ(rejected.all()[0].message, message);
  }
}

}  // namespace
