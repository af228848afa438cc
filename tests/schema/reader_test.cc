// The reader, resolver and policies on small registries written in the test, and through the
// coretel-schema command line (the real upstream registries: tests/conformance).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "reader.h"
#include "resolved_writer.h"
#include "schema_test_support.h"
#include "stats.h"
#include "yaml_values.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::check_files;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

const char* kAttributes = R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.item.name
        type: string
        brief: The item's name.
        note: Free text.
        examples: [apple]
        stability: stable
      - id: shop.outcome
        type:
          members:
            - id: sold
              stability: stable
            - id: returned
              value: "back"
              stability: stable
        brief: What happened to the item.
        stability: stable
)";

// ------------------------------------------------------------------ reader diagnostics

TEST(Reader, BrokenYamlNamesFileLineAndColumn) {
  auto c = check_files({{"bad.yaml", "groups:\n  - id: a\n    brief: [unclosed\n"}});
  const Diagnostic* d = c.diagnostics.find("DeserializationError");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->location.file, "bad.yaml");
  EXPECT_GT(d->location.line, 0);
  EXPECT_EQ(d->severity, Severity::kError);
  EXPECT_FALSE(c.loaded.parsed);
}

TEST(Reader, MoreThanOneDocumentIsAnErrorNotASilentTruncation) {
  // yaml-cpp's Load() keeps the first document only: the unknown key after `---` would pass.
  auto c = check_files({{"two.yaml",
                         "groups:\n  - id: registry.a\n    type: attribute_group\n"
                         "    brief: A.\n    attributes: []\n---\ngroups:\n  - id: b\n"
                         "    colour: red\n"}});
  const Diagnostic* d = c.diagnostics.find("DeserializationError");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->location.file, "two.yaml");
  EXPECT_EQ(d->location.line, 6);  // the `---` that starts the second document
  EXPECT_NE(d->message.find("more than one document"), std::string::npos) << d->message;
  EXPECT_FALSE(c.loaded.parsed);
}

TEST(Reader, AnUnterminatedQuoteIsAnErrorNotTheRestOfTheFile) {
  // yaml-cpp takes `'x` up to the end of the file as the brief, `attributes: []` included.
  for (const char* quote : {"'", "\""}) {
    auto c = check_files({{"q.yaml", std::string("groups:\n  - id: registry.a\n    type: "
                                                 "attribute_group\n    brief: ") +
                                         quote + "x\n    attributes: []\n"}});
    const Diagnostic* d = c.diagnostics.find("DeserializationError");
    ASSERT_NE(d, nullptr) << quote;
    EXPECT_EQ(d->location.line, 4);
    EXPECT_EQ(d->location.column, 12);
    EXPECT_NE(d->message.find("has no closing"), std::string::npos) << d->message;
  }
  // Escaped and doubled quotes inside a closed scalar are not its end.
  auto ok = check_files({{"q.yaml",
                          "groups:\n  - id: registry.a\n    type: attribute_group\n"
                          "    brief: 'it''s'\n    note: \"a \\\" b\"\n    attributes: []\n"}});
  EXPECT_EQ(ok.diagnostics.find("DeserializationError"), nullptr)
      << format_json(ok.diagnostics.all());
}

TEST(Reader, AByteOrderMarkIsSkippedByTheQuoteCheck) {
  // yaml-cpp leaves a leading BOM out of its offsets: the check must not read 3 bytes early.
  const std::string bom = "\xEF\xBB\xBF";
  auto valid = check_files(
      {{"b.yaml", bom + "groups:\n  - id: registry.b\n    type: attribute_group\n"
                        "    brief: B.\n    attributes:\n      - id: b.c\n"
                        "        type: string\n        brief: C.\n"
                        "        stability: development\n        examples: ['a', \"b\"]\n"}});
  EXPECT_EQ(valid.diagnostics.find("DeserializationError"), nullptr)
      << format_json(valid.diagnostics.all());
  auto broken = check_files({{"b.yaml", bom + "groups:\n  - id: registry.b\n    type: "
                                              "attribute_group\n    brief: \"B never closed\n"}});
  const Diagnostic* d = broken.diagnostics.find("DeserializationError");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->location.line, 4);
}

TEST(Reader, PublishedRegistriesGetTheSameYamlChecks) {
  TempDir dir;
  dir.write("manifest.yaml",
            "file_format: manifest/2.0\nschema_url: https://example.com/schemas/1.0.0\n"
            "resolved_registry_uri: resolved.yaml\n");
  dir.write("resolved.yaml",
            "file_format: resolved/2.0\nattribute_catalog: []\nregistry: {}\n---\nx: 1\n");
  auto c = check_dir(dir.path(), false);
  const Diagnostic* d = c.diagnostics.find("DeserializationError");
  ASSERT_NE(d, nullptr) << format_json(c.diagnostics.all());
  EXPECT_EQ(d->location.file, "resolved.yaml");
  EXPECT_NE(d->message.find("more than one document"), std::string::npos) << d->message;
}

TEST(Reader, UnknownKeyIsAnErrorAtItsGroup) {
  auto c = check_files({{"a.yaml", R"(groups:
  - id: shop.sales
    type: metric
    metric_name: shop.sales
    instrument: counter
    unit: "{sale}"
    brief: Sales.
    stability: development
    value_type: int
)"}});
  ASSERT_EQ(c.diagnostics.all().size(), 1u);
  const Diagnostic& d = c.diagnostics.all()[0];
  EXPECT_EQ(d.id, "InvalidSemConvSpec");
  EXPECT_EQ(d.subject, "shop.sales");
  EXPECT_EQ(d.location.file, "a.yaml");
  EXPECT_EQ(d.location.line, 2);
  EXPECT_EQ(d.location.column, 5);
  EXPECT_EQ(d.message,
            "Object contains unexpected properties: value_type. These properties are not "
            "defined in the schema.");
}

TEST(Reader, WrongTypeIsAnError) {
  auto c = check_files({{"a.yaml",
                         "groups:\n  - id: g\n    type: attribute_group\n    brief: "
                         "[not, a, string]\n    attributes: []\n"}});
  const Diagnostic* d = c.diagnostics.find("InvalidSemConvSpec");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->message, "`brief` must be a string, found a list");
  EXPECT_EQ(d->location.line, 4);
  // Reported once: a present value of the wrong type is not also a missing field.
  EXPECT_EQ(c.diagnostics.count("InvalidSemConvSpec"), 1u) << format_json(c.diagnostics.all());

  auto t = check_files({{"b.yaml",
                         "groups:\n  - id: registry.b\n    type: attribute_group\n    brief: B.\n"
                         "    attributes:\n      - id: b.c\n        type: strin\n"
                         "        brief: C.\n        stability: development\n"}});
  ASSERT_EQ(t.diagnostics.count("InvalidSemConvSpec"), 1u) << format_json(t.diagnostics.all());
  EXPECT_EQ(t.diagnostics.find("InvalidSemConvSpec")->message, "unknown attribute type `strin`");
}

TEST(Reader, AliasBombAndDeepNestingAreRejectedNotExpanded) {
  std::string bomb =
      "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n"
      "    annotations:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    bomb += "      a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  bomb += "    attributes: []\n";
  auto c = check_files({{"bomb.yaml", bomb}});
  EXPECT_TRUE(c.diagnostics.failed());
  std::string deep =
      "groups:\n  - id: g\n    type: attribute_group\n    brief: b\n"
      "    annotations:\n      x: " +
      std::string(200, '[') + std::string(200, ']') + "\n    attributes: []\n";
  auto d = check_files({{"deep.yaml", deep}});
  EXPECT_TRUE(d.diagnostics.failed());
}

TEST(Reader, EmptyAndCommentOnlyFilesDefineNothing) {
  auto c = check_files({{"empty.yaml", ""}, {"comment.yaml", "# nothing here\n"}});
  EXPECT_TRUE(c.diagnostics.empty());
  EXPECT_TRUE(c.loaded.resolved_ok);
}

// One error in every definition/2 section: the sections are read in a fixed order (attributes,
// attribute_groups, the signals, then their refinements), each entry's fields in a fixed order,
// and the file contributes nothing. Pins the table-driven reader (read_v2_sections.cc) to what
// the five separate branches it replaced reported.
TEST(Reader, V2SectionsReportInAFixedOrder) {
  const char* text = R"(file_format: definition/2
attributes:
  - key: shop.item
    type: string
    stability: stable
attribute_groups:
  - id: shop.common
    visibility: open
    brief: Common.
    attributes:
      - ref: shop.item
metrics:
  - name: shop.sold
    unit: "{item}"
    brief: Items sold.
    stability: stable
    requirement_level: required
spans:
  - type: shop.sell
    brief: Selling.
    stability: stable
    name: plain
events:
  - name: shop.returned
    stability: stable
    body: {a: 1}
    colour: red
entities:
  - type: shop.store
    brief: A store.
    stability: stable
metric_refinements:
  - ref: shop.sold
    attributes: notalist
span_refinements:
  - id: shop.sell.fast
    ref: shop.sell
    kind: client
event_refinements:
  - id: shop.returned.late
entity_refinements:
  - id: shop.store.big
    ref: shop.store
    identity: [{ref: shop.item, role: x}]
)";
  RegistryDefinition registry;
  Diagnostics diagnostics;
  EXPECT_FALSE(read_definition_file(text, "v2.yaml", registry, diagnostics));
  EXPECT_TRUE(registry.groups.empty());
  const std::string unexpected = "These properties are not defined in the schema.";
  struct Expected {
    std::string id;
    int line, column;
    std::string subject, message;
  };
  const std::vector<Expected> expected = {
      {"UnstableFileFormat", 1, 14, "",
       "`file_format: definition/2` is an alpha format and may change"},
      {"InvalidSemConvSpec", 3, 5, "shop.item", "missing field `brief`"},
      {"InvalidSemConvSpec", 8, 17, "shop.common", "`visibility` must be internal or public"},
      {"InvalidSemConvSpec", 13, 5, "metric.shop.sold", "missing field `instrument`"},
      {"InvalidSemConvSpec", 17, 24, "metric.shop.sold",
       "a signal's `requirement_level` is recommended or opt_in"},
      {"InvalidSemConvSpec", 19, 5, "span.shop.sell", "missing field `kind`"},
      {"InvalidSemConvSpec", 22, 11, "span.shop.sell",
       "a span's `name` must be a map, found a scalar"},
      {"InvalidSemConvSpec", 24, 5, "event.shop.returned",
       "Object contains unexpected properties: colour. " + unexpected},
      {"InvalidSemConvSpec", 24, 5, "event.shop.returned", "missing field `brief`"},
      {"EntityMissingIdentity", 29, 5, "entity.shop.store", "an entity needs an `identity` list"},
      {"InvalidSemConvSpec", 33, 5, "", "missing field `id`"},
      {"InvalidSemConvSpec", 34, 17, "", "`attributes` must be a list"},
      {"InvalidSemConvSpec", 36, 5, "shop.sell.fast",
       "Object contains unexpected properties: kind. " + unexpected},
      {"InvalidSemConvSpec", 40, 5, "shop.returned.late", "missing field `ref`"},
      {"InvalidSemConvSpec", 44, 16, "shop.store.big/shop.item",
       "Object contains unexpected properties: role. " + unexpected},
      {"InvalidSemConvSpec", 44, 39, "shop.store.big/shop.item",
       "`role` must be identifying or descriptive"},
  };
  ASSERT_EQ(diagnostics.all().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Diagnostic& d = diagnostics.all()[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(d.id, expected[i].id);
    EXPECT_EQ(d.location.file, "v2.yaml");
    EXPECT_EQ(d.location.line, expected[i].line);
    EXPECT_EQ(d.location.column, expected[i].column);
    EXPECT_EQ(d.subject, expected[i].subject);
    EXPECT_EQ(d.message, expected[i].message);
  }
}

// A sound definition/2 file: one group per entry, in section order, with the id, name and
// attribute roles each kind of section gives it.
TEST(Reader, V2SectionsMakeOneGroupPerEntry) {
  const char* text = R"(file_format: definition/2
entity_refinements:
  - id: shop.store.big
    ref: shop.store
    description: [{ref: shop.item}]
metric_refinements:
  - id: shop.sold.detailed
    ref: shop.sold
events:
  - name: shop.returned
    brief: Returned.
    body: {type: string}
spans:
  - type: shop.sell
    kind: server
    name: {note: Named after the shop.}
    brief: Selling.
entities:
  - type: shop.store
    brief: A store.
    identity: [{ref: shop.item}]
metrics:
  - name: shop.sold
    instrument: counter
    unit: "{item}"
    brief: Items sold.
    attributes: [{ref_group: shop.common}]
attribute_groups:
  - id: shop.common
    visibility: public
    brief: Common.
    stability: stable
    attributes: [{ref: shop.item}]
attributes:
  - key: shop.item
    type: string
    brief: An item.
    stability: stable
)";
  RegistryDefinition registry;
  Diagnostics diagnostics;
  ASSERT_TRUE(read_definition_file(text, "shop/v2.yaml", registry, diagnostics));
  ASSERT_EQ(diagnostics.all().size(), 1u);  // UnstableFileFormat
  std::vector<std::string> ids;
  for (const Group& g : registry.groups) ids.push_back(g.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"registry.shop.v2", "shop.common", "metric.shop.sold",
                                      "span.shop.sell", "event.shop.returned", "entity.shop.store",
                                      "shop.sold.detailed", "shop.store.big"}));
  const auto& g = registry.groups;
  EXPECT_EQ(g[0].type, GroupType::kAttributeGroup);
  EXPECT_EQ(g[0].visibility, "internal");
  EXPECT_EQ(g[1].visibility, "public");
  EXPECT_EQ(g[2].type, GroupType::kMetric);
  EXPECT_EQ(g[2].metric_name, "shop.sold");
  EXPECT_EQ(instrument_text(g[2].instrument), "counter");
  ASSERT_EQ(g[2].attributes.size(), 1u);
  EXPECT_EQ(g[2].attributes[0].form, AttributeSpec::Form::kGroupReference);
  EXPECT_EQ(g[3].type, GroupType::kSpan);
  EXPECT_EQ(g[3].name, "shop.sell");
  EXPECT_EQ(g[3].span_kind, "server");
  EXPECT_EQ(g[3].span_name_note, "Named after the shop.");
  EXPECT_EQ(g[4].type, GroupType::kEvent);
  EXPECT_EQ(g[4].name, "shop.returned");
  EXPECT_TRUE(g[4].body.is_object());
  EXPECT_EQ(g[5].type, GroupType::kEntity);
  ASSERT_EQ(g[5].attributes.size(), 1u);
  EXPECT_EQ(g[5].attributes[0].role, "identifying");
  EXPECT_TRUE(g[6].is_refinement);
  EXPECT_EQ(g[6].type, GroupType::kMetric);
  EXPECT_EQ(g[6].refines, "shop.sold");
  EXPECT_TRUE(g[6].metric_name.empty());
  EXPECT_TRUE(g[7].is_refinement);
  EXPECT_EQ(g[7].type, GroupType::kEntity);
  ASSERT_EQ(g[7].attributes.size(), 1u);
  EXPECT_EQ(g[7].attributes[0].role, "descriptive");
}

// ------------------------------------------------------------------ resolution

TEST(Resolver, RefInheritsTheDefinitionAndOverridesRequirementLevel) {
  auto c = check_files({{"registry.yaml", kAttributes}, {"metrics.yaml", R"(groups:
  - id: metric.shop.sales
    type: metric
    metric_name: shop.sales
    instrument: counter
    unit: "{sale}"
    brief: Sales.
    stability: development
    attributes:
      - ref: shop.item.name
        requirement_level:
          conditionally_required: when the item is known
      - ref: shop.outcome
        brief: Overridden brief.
)"}});
  ASSERT_TRUE(c.loaded.resolved_ok);
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.metrics.size(), 1u);
  const Signal& m = r.metrics[0];
  ASSERT_EQ(m.attributes.size(), 2u);
  const CatalogAttribute& name = r.attribute(m.attributes[0]);
  EXPECT_EQ(name.key, "shop.item.name");
  EXPECT_EQ(name.brief, "The item's name.");
  EXPECT_EQ(name.note, "Free text.");
  EXPECT_EQ(name.examples, Json::array({"apple"}));
  EXPECT_EQ(stability_text(name.stability), "stable");
  EXPECT_EQ(to_string(m.attributes[0].requirement_level.level), "conditionally_required");
  EXPECT_EQ(m.attributes[0].requirement_level.text, "when the item is known");
  // The override makes a second catalog variant of shop.outcome.
  EXPECT_EQ(r.attribute(m.attributes[1]).brief, "Overridden brief.");
  EXPECT_EQ(r.attribute(m.attributes[1]).type.members[1].value, "back");
  EXPECT_EQ(r.attribute(m.attributes[1]).type.members[0].value, "sold");  // defaults to id
  EXPECT_EQ(to_string(m.attributes[1].requirement_level.level), "recommended");
  EXPECT_EQ(r.catalog.size(), 3u);
  EXPECT_EQ(r.attributes.size(), 2u);
}

TEST(Resolver, MissingRefAndExtendsCyclesAreDiagnosedNotLooped) {
  auto c = check_files({{"a.yaml", R"(groups:
  - id: a
    type: attribute_group
    brief: A.
    extends: b
    attributes:
      - ref: no.such.attribute
  - id: b
    type: attribute_group
    brief: B.
    extends: a
  - id: c
    type: attribute_group
    brief: C.
    extends: nowhere
)"}});
  EXPECT_EQ(c.diagnostics.count("UnresolvedAttributeRef"), 1u);
  EXPECT_GE(c.diagnostics.count("CircularExtends"), 1u);
  EXPECT_EQ(c.diagnostics.count("UnresolvedExtendsRef"), 1u);
  const Diagnostic* ref = c.diagnostics.find("UnresolvedAttributeRef");
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->subject, "a/no.such.attribute");
  EXPECT_EQ(ref->location.line, 7);
}

// ------------------------------------------------------------------ metric sets

const char* kMetricSet = R"(file_format: definition/2
attributes:
  - key: shop.region
    type: string
    brief: Region.
    stability: development
    examples: [eu]
  - key: shop.outcome
    type:
      members:
        - id: sold
          stability: development
        - id: returned
          stability: development
    brief: Outcome.
    stability: development
attribute_groups:
  - id: shop.sales.attributes
    visibility: internal
    attributes:
      - ref: shop.region
      - ref: shop.outcome
        annotations:
          coretel: {measurement: true}
metrics:
  - name: shop.sales
    brief: Items sold.
    instrument: counter
    unit: "{item}"
    stability: development
    requirement_level: recommended
    annotations:
      coretel: {metric_set: shop.sales}
    attributes:
      - ref_group: shop.sales.attributes
  - name: shop.revenue
    brief: Revenue.
    instrument: counter
    unit: "{EUR}"
    stability: development
    requirement_level: recommended
    annotations:
      coretel: {metric_set: shop.sales}
      code_generation: {metric_value_type: double}
    attributes:
      - ref_group: shop.sales.attributes
)";

TEST(MetricSets, SharedGroupPlusAnnotationMakesOneSet) {
  auto c = check_files({{"shop.yaml", kMetricSet}});
  ASSERT_TRUE(c.loaded.resolved_ok);
  EXPECT_FALSE(c.diagnostics.failed());
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.metric_sets.size(), 1u);
  const MetricSet& set = r.metric_sets[0];
  EXPECT_EQ(set.name, "shop.sales");
  EXPECT_EQ(set.attribute_group, "shop.sales.attributes");
  EXPECT_EQ(set.metrics.size(), 2u);
  ASSERT_EQ(set.attributes.size(), 1u);
  EXPECT_EQ(r.attribute(set.attributes[0]).key, "shop.region");
  ASSERT_EQ(set.measurement_attributes.size(), 1u);
  EXPECT_EQ(r.attribute(set.measurement_attributes[0]).key, "shop.outcome");
}

TEST(MetricSets, MembersMustShareAttributesAndMeasurementsMustBeEnums) {
  std::string text = kMetricSet;
  // shop.revenue stops using the shared group; shop.region becomes a measurement.
  text.replace(text.rfind("      - ref_group: shop.sales.attributes"),
               std::string("      - ref_group: shop.sales.attributes").size(),
               "      - ref: shop.region");
  text.replace(text.find("      - ref: shop.region\n      - ref: shop.outcome"),
               std::string("      - ref: shop.region").size(),
               "      - ref: shop.region\n        annotations:\n          coretel: {measurement: "
               "true}");
  auto c = check_files({{"shop.yaml", text}});
  EXPECT_EQ(c.diagnostics.count("coretel_metric_set_attributes_differ"), 1u);
  EXPECT_EQ(c.diagnostics.count("coretel_metric_set_measurement_not_enum"), 1u);
}

// The `coretel:` annotations, parsed once by resolve() into typed fields with their defaults:
// instrument from the semconv instrument, value type from code_generation, measurement flags.
TEST(MetricSets, AnnotationsAreTypedOnTheResolvedModel) {
  auto c = check_files({{"shop.yaml", kMetricSet}});
  ASSERT_TRUE(c.loaded.resolved_ok);
  const ResolvedRegistry& r = c.loaded.resolved;
  const Signal* sales = r.find_metric("shop.sales");
  const Signal* revenue = r.find_metric("shop.revenue");
  ASSERT_TRUE(sales && sales->coretel && revenue && revenue->coretel);
  EXPECT_EQ(sales->coretel->metric_set, "shop.sales");
  EXPECT_EQ(sales->coretel->field, std::nullopt);
  EXPECT_EQ(sales->coretel->instrument, coretel::InstrumentKind::kCounter);
  EXPECT_EQ(sales->coretel->value_type, coretel::ValueType::kU64);  // a counter's default
  EXPECT_TRUE(sales->coretel->histogram_bounds.empty());
  EXPECT_EQ(revenue->coretel->value_type, coretel::ValueType::kF64);  // code_generation: double
  const CatalogAttribute* outcome = nullptr;
  for (const CatalogAttribute& a : r.catalog) {
    if (a.key == "shop.outcome" && a.coretel.measurement) outcome = &a;
  }
  EXPECT_NE(outcome, nullptr);
  EXPECT_FALSE(r.find_attribute("shop.region")->coretel.measurement);
}

// ------------------------------------------------------------------ policies

TEST(Policies, NamingAndStabilityRules) {
  auto c = check_files({{"a.yaml", R"(groups:
  - id: registry.x
    type: attribute_group
    brief: X.
    attributes:
      - id: nonamespace
        type: int
        brief: No namespace.
        stability: development
      - id: x.dev
        type: int
        brief: Development attribute.
        stability: development
  - id: metric.x.Bad
    type: metric
    metric_name: x.Bad
    instrument: gauge
    unit: "1"
    brief: No period
    stability: stable
    attributes:
      - ref: x.dev
)"}});
  EXPECT_EQ(c.diagnostics.count("naming_convention_attr_has_namespace"), 1u);
  EXPECT_EQ(c.diagnostics.count("naming_convention_metric_name"), 1u);
  EXPECT_EQ(c.diagnostics.count("naming_convention_metric_brief_period"), 1u);
  EXPECT_EQ(c.diagnostics.count("stability_metric_lower_stability_attribute"), 1u);
}

TEST(Policies, PolicyExceptionsSuppressAFinding) {
  auto c = check_files({{"a.yaml", R"(groups:
  - id: registry.x
    type: attribute_group
    brief: X.
    attributes:
      - id: x.dev
        type: int
        brief: Development attribute.
        stability: development
  - id: metric.x.count
    type: metric
    metric_name: x.count
    instrument: gauge
    unit: "1"
    brief: A count.
    stability: stable
    annotations:
      stability:
        policy_exceptions: [metric_lower_stability_attribute]
    attributes:
      - ref: x.dev
)"}});
  EXPECT_FALSE(c.diagnostics.failed()) << format_json(c.diagnostics.all());
}

// ------------------------------------------------------------------ real registries

TEST(MetricSets, APublishedRegistryKeepsMeasurementAttributesAndOverrides) {
  // tests/schema/registries/shop marks `shop.outcome` as a measurement on the reference in the
  // set's group, an override the published catalog holds as a second variant of the key.
  auto c =
      check_dir(std::filesystem::path(CORETEL_SOURCE_DIR) / "tests/schema/registries/shop", false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  TempDir published;
  published.write("manifest.yaml",
                  "file_format: manifest/2.0\nschema_url: https://example.com/schemas/1.0.0\n"
                  "resolved_registry_uri: resolved.yaml\n");
  published.write("resolved.yaml", to_yaml(to_resolved_json(c.loaded.resolved)));
  auto again = check_dir(published.path(), false);
  ASSERT_TRUE(again.loaded.resolved_ok) << format_json(again.diagnostics.all());
  ASSERT_EQ(again.loaded.resolved.metric_sets.size(), 1u);
  const MetricSet& set = again.loaded.resolved.metric_sets.front();
  ASSERT_EQ(set.measurement_attributes.size(), 1u);
  EXPECT_EQ(again.loaded.resolved.attribute(set.measurement_attributes.front()).key,
            "shop.outcome");
  ASSERT_EQ(set.attributes.size(), 1u);
  EXPECT_EQ(again.loaded.resolved.attribute(set.attributes.front()).key, "shop.region");
}

// ------------------------------------------------------------------ command line

TEST(CommandLine, CheckExitCodesAndJsonDiagnostics) {
  TempDir dir;
  dir.write("a.yaml", "groups:\n  - id: g\n    type: span\n    brief: B.\n    attributes: []\n");
  std::string out;
  EXPECT_EQ(run_schema_tool("check --skip-policies " + dir.path().string(), out), 0) << out;
  EXPECT_EQ(run_schema_tool("check --skip-policies --future " + dir.path().string(), out), 1);
  EXPECT_EQ(run_schema_tool("check --skip-policies --format json " + dir.path().string(), out), 0);
  Json diagnostics = Json::parse(out);
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0],
            Json::parse(R"({"id":"InvalidGroupStability","severity":"warning","file":"a.yaml",)"
                        R"("line":2,"column":5,"subject":"g","message":)"
                        R"("This group does not contain a stability field."})"));
  EXPECT_EQ(diagnostics[1]["id"], "InvalidSpanMissingSpanKind");
  EXPECT_EQ(run_schema_tool("check /no/such/dir", out), 1);
  EXPECT_NE(out.find("RegistryNotFound"), std::string::npos);
  EXPECT_EQ(run_schema_tool("frobnicate", out), 2);
}

TEST(ResolvedWriter, YamlReadsBackWithTheSameTypes) {
  // Strings that look like other scalars are quoted; a double stays a double (1.0, not 1).
  Json doc = {{"strings", {"true", "null", "", "1.0", "42", ".inf", "-.Inf", ".nan", "1e+400"}},
              {"plain", {"plain text", "v1.2.3"}},
              {"numbers", {1.0, 2.5, -3, 1e-7}},
              {"flags", {true, false}}};
  YAML::Node back = YAML::Load(to_yaml(doc));
  for (std::size_t i = 0; i < doc["strings"].size(); ++i) {
    const YAML::Node& node = back["strings"][i];
    EXPECT_EQ(node.Tag(), "!") << doc["strings"][i] << " was not quoted";
    EXPECT_EQ(node.Scalar(), doc["strings"][i].get<std::string>());
  }
  for (std::size_t i = 0; i < doc["plain"].size(); ++i) {
    EXPECT_EQ(back["plain"][i].Tag(), "?") << doc["plain"][i] << " was quoted needlessly";
    EXPECT_EQ(back["plain"][i].Scalar(), doc["plain"][i].get<std::string>());
  }
  auto reread = [](const YAML::Node& node) { return plain_scalar_to_json(node.Scalar()); };
  EXPECT_EQ(reread(back["numbers"][0]), Json(1.0));
  EXPECT_TRUE(reread(back["numbers"][0]).is_number_float());
  EXPECT_EQ(reread(back["numbers"][1]), Json(2.5));
  EXPECT_EQ(reread(back["numbers"][2]), Json(-3));
  EXPECT_EQ(reread(back["numbers"][3]), Json(1e-7));
  EXPECT_EQ(reread(back["flags"][0]), Json(true));
}

}  // namespace
