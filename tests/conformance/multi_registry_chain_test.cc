// An application registry that depends on the OpenTelemetry semantic conventions through a
// platform registry (tests/conformance/registries/chain, configured into the build folder with
// the conformance data's path): it refines the upstream HTTP server metric and span that the
// platform re-exports, extends the span in v1 syntax, and associates entities the platform
// re-exports. Checked and resolved here with the resolved values asserted; its C++ is
// generated at build time (chainapp/registry.h) and used below.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "chainapp/registry.h"
#include "coretel/metrics/attributes.h"
#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;

namespace {

const fs::path kChain = CORETEL_CHAIN_DIR;
constexpr const char* kUpstream = "https://opentelemetry.io/schemas/1.45.0-unreleased";

const Signal* find(const std::vector<Signal>& signals, const std::string& group_id) {
  auto it = std::find_if(signals.begin(), signals.end(),
                         [&](const Signal& s) { return s.group_id == group_id; });
  return it == signals.end() ? nullptr : &*it;
}

/// The requirement level of `key` on `s`, or "absent".
std::string level(const ResolvedRegistry& r, const Signal& s, const std::string& key) {
  for (const AttributeRef& a : s.attributes) {
    if (r.attribute(a).key == key) return std::string(to_string(a.requirement_level.level));
  }
  return "absent";
}

class Chain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    checked_ = new coretel::schema::testing::Checked(check_dir(kChain / "app"));
  }
  static void TearDownTestSuite() { delete checked_; }
  static coretel::schema::testing::Checked* checked_;
};
coretel::schema::testing::Checked* Chain::checked_ = nullptr;

TEST_F(Chain, ChecksWithNoErrorWithPolicies) {
  std::string errors;
  for (const Diagnostic& d : checked_->diagnostics.all()) {
    if (d.severity == Severity::kError) errors += format_text(d) + "\n";
  }
  EXPECT_EQ(errors, "");
  ASSERT_TRUE(checked_->loaded.resolved_ok);
  ASSERT_EQ(checked_->loaded.definition.dependencies.size(), 1u);                   // platform
  ASSERT_EQ(checked_->loaded.definition.dependencies[0]->dependencies.size(), 1u);  // upstream
}

TEST_F(Chain, RefinementsOfUpstreamSignalsInheritAndTighten) {
  const ResolvedRegistry& r = checked_->loaded.resolved;
  // Only the app's own metric: a refinement does not import its signal.
  ASSERT_EQ(r.metrics.size(), 1u);
  EXPECT_EQ(r.metrics[0].name, "app.jobs");
  EXPECT_TRUE(r.spans.empty());

  const Signal* duration = find(r.metric_refinements, "app.http.server.request.duration");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->refines, "http.server.request.duration");
  EXPECT_FALSE(duration->from_dependency);
  EXPECT_EQ(duration->instrument, SemconvInstrument::kHistogram);  // the upstream metric's
  EXPECT_EQ(duration->unit, "s");
  EXPECT_EQ(duration->brief, "Duration of the application's HTTP requests, by route.");
  EXPECT_EQ(level(r, *duration, "http.route"), "required");  // conditionally_required upstream
  EXPECT_EQ(level(r, *duration, "http.request.method"), "required");
  EXPECT_EQ(level(r, *duration, "url.scheme"), "required");
  EXPECT_EQ(duration->attributes.size(), 10u);  // the upstream metric's attributes, no more

  const Signal* span = find(r.span_refinements, "app.http.server");
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(span->refines, "http.server");  // v1 `span.http.server`, type `http.server`
  EXPECT_EQ(span->span_kind, "server");
  EXPECT_EQ(level(r, *span, "http.route"), "required");

  // The v1 span extending the upstream span: a refinement of it, with its own attribute.
  const Signal* admin = find(r.span_refinements, "span.app.admin.server");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->refines, "http.server");
  EXPECT_EQ(admin->brief, "An inbound request to the admin endpoint.");
  EXPECT_EQ(level(r, *admin, "platform.tenant"), "required");
  EXPECT_EQ(level(r, *admin, "http.route"), "conditionally_required");
}

TEST_F(Chain, EntityAssociationsResolveToTheDeclaringRegistry) {
  const ResolvedRegistry& r = checked_->loaded.resolved;
  // service and host are declared upstream and re-exported by the platform: the leaves name
  // the upstream registry, in the all_of the app wrote.
  ASSERT_EQ(r.metrics[0].entity_associations.size(), 1u);
  const EntityAssociation& all = r.metrics[0].entity_associations[0];
  EXPECT_EQ(all.kind, EntityAssociation::Kind::kAllOf);
  ASSERT_EQ(all.members.size(), 2u);
  EXPECT_EQ(all.members[0].entity, "service");
  EXPECT_EQ(all.members[0].provenance, kUpstream);
  EXPECT_EQ(all.members[1].entity, "host");
  EXPECT_EQ(all.members[1].provenance, kUpstream);
  const Signal* duration = find(r.metric_refinements, "app.http.server.request.duration");
  ASSERT_NE(duration, nullptr);
  ASSERT_EQ(duration->entity_associations.size(), 1u);
  EXPECT_EQ(duration->entity_associations[0].entity, "service");
}

TEST_F(Chain, TheCatalogHoldsWhatTheAppUsesFromEveryLevel) {
  const ResolvedRegistry& r = checked_->loaded.resolved;
  const CatalogAttribute* tenant = r.find_attribute("platform.tenant");
  ASSERT_NE(tenant, nullptr);
  EXPECT_TRUE(tenant->from_dependency);
  const CatalogAttribute* route = r.find_attribute("http.route");
  ASSERT_NE(route, nullptr);
  EXPECT_TRUE(route->from_dependency);
  EXPECT_EQ(r.find_attribute("db.system.name"), nullptr);  // upstream, not used here
}

TEST(ChainGeneratedCpp, ConstantsOfTheAppAndOfWhatItUses) {
  EXPECT_EQ(chainapp::metrics::kAppJobs, "app.jobs");
  EXPECT_EQ(chainapp::attributes::kAppShard, "app.shard");
  EXPECT_EQ(chainapp::attributes::kPlatformTenant, "platform.tenant");
  EXPECT_EQ(chainapp::attributes::kHttpRoute, "http.route");
  EXPECT_EQ(to_string(chainapp::HttpRequestMethod::kGet), "GET");
}

}  // namespace
