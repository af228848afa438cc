// The C++ that coretel-schema generates, compiled here with -Wall -Wextra (-Werror in coretel's
// CI; this file is built like every test): a small registry with a metric set of every coretel
// instrument (tests/schema/registries/shop, as shop/registry.h), generated at build time by
// coretel_generate_registry(). The whole upstream registry: tests/conformance.
#define CORETEL_EVENT_SCOPE "shop.test"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

#include "coretel/collect/field_values.h"
#include "coretel/collect/pipeline.h"
#include "coretel/export/live_schema.h"
#include "coretel/export/prometheus_text.h"
#include "coretel/resource.h"
#include "coretel/semconv/otel.h"
#include "schema_test_support.h"
#include "shop/registry.h"

namespace {

TEST(GeneratedShop, MetricSetMatchesTheRegistry) {
  using Set = shop::ShopSalesMetrics;
  const coretel::MetricsDescriptor& d = Set::descriptor;
  EXPECT_EQ(d.name, "shop.sales");
  EXPECT_EQ(d.brief, "Sales of one shop.");
  EXPECT_EQ(d.schema_url, "https://example.com/schemas/shop/1.0.0");
  ASSERT_EQ(d.fields.size(), 7u);
  EXPECT_EQ(d.fields[0].name, "shop.sales.items");
  EXPECT_EQ(d.fields[0].unit, "{item}");
  EXPECT_EQ(d.fields[0].kind, coretel::InstrumentKind::kCounter);
  EXPECT_EQ(d.fields[0].value_type, coretel::ValueType::kU64);
  EXPECT_EQ(d.fields[0].stability, coretel::Stability::kStable);
  EXPECT_EQ(d.fields[1].value_type, coretel::ValueType::kF64);  // code_generation annotation
  EXPECT_EQ(d.fields[2].kind, coretel::InstrumentKind::kUpDownCounter);
  EXPECT_EQ(d.fields[2].value_type, coretel::ValueType::kI64);
  EXPECT_EQ(d.fields[3].kind, coretel::InstrumentKind::kGauge);
  EXPECT_EQ(d.fields[4].kind, coretel::InstrumentKind::kMmsc);
  EXPECT_EQ(d.fields[5].kind, coretel::InstrumentKind::kHistogram);
  ASSERT_EQ(d.fields[5].bounds.size(), 3u);
  EXPECT_EQ(d.fields[5].bounds[2], 10.0);
  EXPECT_EQ(d.fields[6].kind, coretel::InstrumentKind::kExponentialHistogram);
  EXPECT_EQ(coretel::exponential_histogram_size(d.fields[6]), 16u);  // coretel.max_size
  // The set is the least stable of its members.
  EXPECT_EQ(d.stability, coretel::Stability::kDevelopment);
  static_assert(coretel::MetricSet<Set>);
  static_assert(std::is_same_v<decltype(Set{}.checkout_time), coretel::Mmsc>);
  static_assert(std::is_same_v<decltype(Set{}.basket_value), coretel::ExponentialHistogram<16>>);

  ASSERT_EQ(d.attributes.size(), 2u);
  EXPECT_EQ(d.attributes[0].key, "shop.region");
  EXPECT_FALSE(d.attributes[0].measurement);
  EXPECT_EQ(d.attributes[0].requirement_level, coretel::RequirementLevel::kRequired);
  EXPECT_EQ(d.attributes[1].key, "shop.outcome");
  EXPECT_TRUE(d.attributes[1].measurement);
  ASSERT_EQ(d.attributes[1].values.size(), 2u);
  EXPECT_EQ(d.attributes[1].values[1], "back");
}

// The pipeline's series collected now, as Prometheus text.
std::string exposition(coretel::CollectionPipeline& pipeline) {
  pipeline.collect_now();
  std::string text;
  coretel::PrometheusTextRenderer renderer;
  auto views = pipeline.views();
  renderer.render(coretel::Resource{}, views, text);
  return text;
}

// Registration attributes (coretel: {registration: true}), as registry/semconv's exporter
// metrics declare them: marked in the descriptor, typed in <Set>RegistrationAttributes, no
// entity type (the set has no entity attribute), and carried by data points once registered.
TEST(GeneratedSemconv, RegistrationAttributesAreTypedAndGoOnDataPoints) {
  using Set = coretel::semconv::OtelSdkExporterMetrics;
  const coretel::MetricsDescriptor& d = Set::descriptor;
  ASSERT_EQ(d.attributes.size(), 5u);
  for (const coretel::AttributeDescriptor& a : d.attributes) {
    EXPECT_TRUE(a.registration) << a.key;
    EXPECT_FALSE(a.measurement) << a.key;
  }
  EXPECT_EQ(d.attributes[4].key, "error.type");
  EXPECT_EQ(d.attributes[4].requirement_level, coretel::RequirementLevel::kConditionallyRequired);
  coretel::semconv::OtelSdkExporterRegistrationAttributes r;
  r.otel_component_type = coretel::semconv::OtelComponentType::kOtlpGrpcMetricExporter;
  r.otel_component_name = "otlp_grpc_metric_exporter/0";
  r.server_port = 4317;
  const coretel::Attributes attributes = r.attributes();  // error.type unset: left out
  EXPECT_EQ(attributes.size(), 3u);
  EXPECT_FALSE(attributes.find("error.type"));

  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto series = reporter->register_set<Set>({}, attributes);
  series->metric_data_point_exported.add(5);
  reporter->report(series);
  const std::string text = exposition(pipeline);
  EXPECT_NE(text.find("otel_sdk_exporter_metric_data_point_exported_total{otel_scope_name=\"otel."
                      "sdk.exporter\",otel_component_name=\"otlp_grpc_metric_exporter/0\","
                      "otel_component_type=\"otlp_grpc_metric_exporter\",server_port=\"4317\"} 5"),
            std::string::npos)
      << text;
}

TEST(GeneratedShop, SeriesRecordedThroughGeneratedTypesExport) {
  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto sales = reporter->register_set<shop::ShopSalesByShopOutcome>(
      shop::ShopSalesAttributes{"eu"}.attributes());
  sales->with(shop::ShopOutcome::kReturned).items.add(3);
  sales->with(shop::ShopOutcome::kSold).revenue.add(4.5);
  reporter->report_all();
  const std::string text = exposition(pipeline);
  EXPECT_NE(text.find("shop_sales_items_total{otel_scope_name=\"shop.sales\","
                      "otel_scope_shop_region=\"eu\",shop_outcome=\"back\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("shop_sales_revenue_total{otel_scope_name=\"shop.sales\","
                      "otel_scope_shop_region=\"eu\",shop_outcome=\"sold\"} 4.5\n"),
            std::string::npos)
      << text;
}

TEST(GeneratedShop, LiveSchemaServesTheRegistrysEnumMembersAndSchemaUrl) {
  // The pipeline's self-metrics (generated from registry/coretel, with its own schema_url) are
  // live too; the document is named after the application's registry.
  coretel::CollectionPipeline pipeline;
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto sales = reporter->register_set<shop::ShopSalesByShopOutcome>(
      shop::ShopSalesAttributes{"eu"}.attributes());
  nlohmann::json doc = nlohmann::json::parse(coretel::render_live_schema(pipeline.registry()));
  EXPECT_EQ(doc.at("schema_url"), "https://example.com/schemas/shop/1.0.0");
  nlohmann::json outcome;
  for (const auto& a : doc.at("attribute_catalog")) {
    if (a.at("key") == "shop.outcome") outcome = a;
  }
  // Member ids and stability as the registry declares them (`returned` is exported as `back`).
  EXPECT_EQ(outcome.at("type"), nlohmann::json::parse(R"({"members": [
                {"id": "sold", "value": "sold", "stability": "stable"},
                {"id": "returned", "value": "back", "stability": "stable"}]})"));
}

TEST(GeneratedShop, EventRecordTypesAndAttributes) {
  shop::ShopItemReturnedEvent e;
  e.shop_region = "eu";
  e.shop_outcome = shop::ShopOutcome::kReturned;
  e.shop_item_price = 1.5;
  e.shop_item_tags = std::vector<std::string>{"fresh"};
  static_assert(std::is_same_v<decltype(e.shop_region), std::string>);
  static_assert(std::is_same_v<decltype(e.shop_item_price), std::optional<double>>);
  EXPECT_EQ(e.attributes(),
            coretel::Attributes(
                {{"shop.region", "eu"}, {"shop.item.price", 1.5}, {"shop.outcome", "back"}}));
  // Enums of booleans or of mixed values keep the registry's value types.
  e.shop_item_fresh = shop::ShopItemFresh::kYes;
  e.shop_item_grade = shop::ShopItemGrade::kSecond;
  EXPECT_EQ(to_string(shop::ShopItemFresh::kNo), "no");
  // Two members with one value are one C++ value; its id is the first member's.
  static_assert(shop::ShopItemSize::kSmall == shop::ShopItemSize::kLittle);
  EXPECT_EQ(to_string(shop::ShopItemSize::kLittle), "small");
  EXPECT_EQ(to_string(shop::ShopItemSize::kLarge), "large");
  EXPECT_EQ(to_attribute_value(shop::ShopItemGrade::kTop), coretel::AttributeValue("a"));
  EXPECT_EQ(e.attributes(), coretel::Attributes({{"shop.region", "eu"},
                                                 {"shop.item.price", 1.5},
                                                 {"shop.outcome", "back"},
                                                 {"shop.item.fresh", true},
                                                 {"shop.item.grade", int64_t{2}}}));
}

// The typed emitter: CORETEL_EMIT with the event's attributes as typed arguments, required ones
// first; through coretel's events pipeline, filtered like any call site.
class Capture final : public coretel::events::EventProvider {
 public:
  void emit(const coretel::events::EventRecord& r) noexcept override {
    name = r.name;
    scope = r.scope;
    severity = r.severity;
    attributes.clear();
    for (const coretel::AttributeRef& a : r.attributes)
      attributes.push_back({std::string(a.key), a.value.to_value()});
    ++count;
  }
  std::string name, scope;
  coretel::events::Severity severity{};
  std::vector<coretel::Attribute> attributes;
  int count = 0;
};

TEST(GeneratedShop, TypedEventEmitter) {
  namespace ev = coretel::events;
  auto capture = std::make_shared<Capture>();
  ev::EventsConfiguration c;
  c.level = "info";
  ev::configure_events(c);
  ev::set_provider(ev::Aspect::kGlobal, capture);
  ev::set_thread_aspect(ev::Aspect::kGlobal);
  // shop.region (string, required); then the others, optional: shop.item.price (double),
  // shop.outcome (a string enum), shop.item.size (an integer enum); shop.item.tags (an array) and
  // the enums of booleans or mixed values (shop.item.fresh, shop.item.grade) are not parameters.
  CORETEL_EMIT(ev::Severity::kWarn, shop::ShopItemReturnedEvent, "eu", 1.5,
               shop::ShopOutcome::kReturned);
  ASSERT_EQ(capture->count, 1);
  EXPECT_EQ(capture->name, "shop.item.returned");
  EXPECT_EQ(capture->scope, "shop.test");
  EXPECT_EQ(capture->severity, ev::Severity::kWarn);
  EXPECT_EQ(capture->attributes,
            (std::vector<coretel::Attribute>{
                {"shop.region", "eu"}, {"shop.item.price", 1.5}, {"shop.outcome", "back"}}));
  CORETEL_EMIT(ev::Severity::kInfo, shop::ShopItemReturnedEvent, "us", std::nullopt, std::nullopt,
               shop::ShopItemSize::kLarge);
  EXPECT_EQ(capture->attributes,
            (std::vector<coretel::Attribute>{
                {"shop.region", "us"},
                {"shop.item.size", static_cast<int64_t>(shop::ShopItemSize::kLarge)}}));
  // Disabled: the arguments are not evaluated.
  int evaluated = 0;
  auto region = [&evaluated] {
    ++evaluated;
    return std::string_view("eu");
  };
  CORETEL_EMIT(ev::Severity::kDebug, shop::ShopItemReturnedEvent, region());
  EXPECT_EQ(evaluated, 0);
  EXPECT_EQ(capture->count, 2);
  c.level = "info";
  ev::configure_events(c);  // back to the default providers
}

// Descriptors are written with designated initialisers, leaving out every member at its default
// (descriptor.h): stability development, requirement level recommended, no values, not a
// measurement, no member table. What they hold is checked above, compiled.
TEST(GenerateCpp, DescriptorsUseDesignatedInitialisersWithoutDefaults) {
  namespace fs = std::filesystem;
  coretel::schema::testing::TempDir out;
  const fs::path dir = out.path() / "gen";
  std::string output;
  ASSERT_EQ(coretel::schema::testing::run_schema_tool("generate cpp " CORETEL_SOURCE_DIR
                                                      "/tests/schema/registries/shop -o " +
                                                          dir.string() + " --namespace shop",
                                                      output),
            0)
      << output;
  std::ifstream in(dir / "shop.h");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(
      text.find("inline constexpr ::coretel::AttributeDescriptor ShopSalesMetrics_attributes[] "
                "= {\n"
                "    {.key = \"shop.region\", .type = \"string\", .brief = \"Region of the "
                "shop.\",\n"
                "        .stability = ::coretel::Stability::kStable,\n"
                "        .requirement_level = ::coretel::RequirementLevel::kRequired},\n"
                "    {.key = \"shop.outcome\", .type = \"enum\", .brief = \"What happened to "
                "the item.\",\n"
                "        .stability = ::coretel::Stability::kStable,\n"
                "        .requirement_level = ::coretel::RequirementLevel::kRequired,\n"
                "        .values = ShopOutcome_coretel_values, .measurement = true,\n"
                "        .members = ShopOutcome_coretel_members},\n"
                "};\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("inline constexpr ::coretel::EnumMemberDescriptor "
                      "ShopOutcome_coretel_members[] = {\n"
                      "    {.id = \"sold\", .value = \"sold\", .stability = "
                      "::coretel::Stability::kStable},\n"),
            std::string::npos)
      << text;
  // No positional descriptor is left: none ends in a bare default.
  EXPECT_EQ(text.find(", false, {}}"), std::string::npos) << text;
  EXPECT_EQ(text.find("::kDevelopment},"), std::string::npos) << text;
}

TEST(GenerateCpp, RemovesHeadersOfNamespacesThatAreGoneAndKeepsOtherFiles) {
  namespace fs = std::filesystem;
  coretel::schema::testing::TempDir out;
  const fs::path dir = out.path() / "gen";
  const std::string command = "generate cpp " CORETEL_SOURCE_DIR
                              "/tests/schema/registries/shop -o " +
                              dir.string() + " --namespace shop";
  std::string output;
  ASSERT_EQ(coretel::schema::testing::run_schema_tool(command, output), 0) << output;
  // A header an earlier run generated for a namespace since removed, and one written by hand.
  fs::copy_file(dir / "shop.h", dir / "bank.h");
  std::ofstream(dir / "local.h") << "#pragma once\n";
  ASSERT_EQ(coretel::schema::testing::run_schema_tool(command, output), 0) << output;
  EXPECT_FALSE(fs::exists(dir / "bank.h"));
  EXPECT_TRUE(fs::exists(dir / "local.h"));
  EXPECT_TRUE(fs::exists(dir / "shop.h"));
  EXPECT_TRUE(fs::exists(dir / "registry.h"));
}

}  // namespace
