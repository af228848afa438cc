// coretel-schema live-check (tools/schema/live_check.h) over the shop test registry
// (tests/schema/registries/shop): each finding id on a sample built for it, exactly, and the
// samples that must pass.
#include "live_check.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "check.h"

namespace {

using coretel::schema::live_check;
using coretel::schema::LiveCheckResult;

const coretel::schema::ResolvedRegistry& shop() {
  static const coretel::schema::LoadedRegistry loaded = [] {
    coretel::schema::Diagnostics diagnostics;
    return coretel::schema::load_registry(CORETEL_SOURCE_DIR "/tests/schema/registries/shop",
                                          diagnostics);
  }();
  EXPECT_TRUE(loaded.resolved_ok);
  return loaded.resolved;
}

std::vector<std::string> findings(const std::string& lines) {
  std::istringstream in(lines);
  const LiveCheckResult r = live_check({&shop()}, in);
  std::vector<std::string> out;
  for (const std::string& u : r.unreadable) out.push_back("unreadable " + u);
  for (const auto& f : r.findings)
    out.push_back(f.level + " " + f.id + " " + f.signal + " " + f.detail + " x" +
                  std::to_string(f.samples));
  return out;
}

// One metric of the shop.sales set: scope attributes = the entity, point attributes = the
// measurement attribute.
std::string metric(const std::string& name, const std::string& unit, const std::string& data,
                   const std::string& scope_attributes, const std::string& point_attributes) {
  return R"({"resourceMetrics":[{"resource":{"attributes":[]},"scopeMetrics":[{"scope":{"name":"shop.sales","attributes":[)" +
         scope_attributes + R"(]},"metrics":[{"name":")" + name + R"(","unit":")" + unit + R"(",)" +
         data + R"(:{"dataPoints":[{"attributes":[)" + point_attributes +
         R"(]}],"isMonotonic":true}}]}]}]})";
}

const std::string kRegion = R"({"key":"shop.region","value":{"stringValue":"eu"}})";
const std::string kOutcome = R"({"key":"shop.outcome","value":{"stringValue":"sold"}})";

TEST(LiveCheck, DeclaredTelemetryPasses) {
  EXPECT_EQ(findings(metric("shop.sales.items", "{item}", R"("sum")", kRegion, kOutcome)),
            std::vector<std::string>{});
  // An mmsc field is exported as a Summary: the instrument it is declared with.
  EXPECT_EQ(
      findings(metric("shop.sales.checkout.duration", "s", R"("summary")", kRegion, kOutcome)),
      std::vector<std::string>{});
  // The events view, the event's attributes typed as JSON values.
  EXPECT_EQ(
      findings(
          R"({"events":[{"event_name":"shop.item.returned","attributes":{"shop.region":"eu","shop.item.price":1.5}}]})"),
      std::vector<std::string>{});
}

TEST(LiveCheck, EachFindingOnItsSample) {
  EXPECT_EQ(findings(metric("shop.sales.nope", "1", R"("sum")", kRegion, kOutcome)),
            (std::vector<std::string>{"violation missing_metric metric shop.sales.nope "
                                      "shop.sales.nope x1"}));
  EXPECT_EQ(findings(metric("shop.sales.items", "items", R"("gauge")", kRegion, kOutcome)),
            (std::vector<std::string>{
                "violation unit_mismatch metric shop.sales.items items x1",
                "violation unexpected_instrument metric shop.sales.items gauge x1"}));
  EXPECT_EQ(
      findings(metric(
          "shop.sales.items", "{item}", R"("sum")",
          R"({"key":"shop.item.price","value":{"doubleValue":1}})",
          R"({"key":"shop.outcome","value":{"stringValue":"lost"}},{"key":"x.y","value":{"intValue":"1"}})")),
      (std::vector<std::string>{
          "violation undeclared_attribute metric shop.sales.items shop.item.price x1",
          "information undefined_enum_variant metric shop.sales.items shop.outcome x1",
          "violation missing_attribute metric shop.sales.items x.y x1",
          "violation required_attribute_not_present metric shop.sales.items shop.region x1"}));
  EXPECT_EQ(
      findings(
          R"({"events":[{"event_name":"shop.item.returned","attributes":{"shop.region":3}},{"event_name":"shop.item.gone","attributes":{}}]})"),
      (std::vector<std::string>{"violation type_mismatch event shop.item.returned shop.region x1",
                                "violation missing_event event shop.item.gone shop.item.gone x1"}));
  EXPECT_EQ(findings("not json\n{\"other\": 1}\n"),
            (std::vector<std::string>{
                "unreadable 1: [json.exception.parse_error.101] parse error at line 1, column 2: "
                "syntax error while parsing value - invalid literal; last read: 'no'",
                "unreadable 2: not an OTLP/JSON request, a coretel-otlp-sink line or the events "
                "view"}));
}

TEST(LiveCheck, FindingsAreCountedOncePerSampleKind) {
  const std::string bad = metric("shop.sales.nope", "1", R"("sum")", kRegion, kOutcome);
  std::istringstream in(bad + "\n" + bad + "\n");
  const LiveCheckResult r = live_check({&shop()}, in);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].samples, 2u);
  EXPECT_TRUE(r.violation());
  EXPECT_EQ(r.lines, 2u);
  EXPECT_EQ(r.metrics, 2u);
}

}  // namespace
