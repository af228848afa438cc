// registry/semconv, the semantic conventions coretel follows (its resource's attributes, its OTLP
// exporters' self-metrics; include/coretel/semconv/ is generated from it), is a faithful subset
// of the upstream registry (conformance data, CORETEL_CONFORMANCE_DATA): every attribute it
// defines exists upstream with the same type, the same stability and, for an enum, the same
// members (ids, values, stability); every metric with the same instrument, unit and stability,
// and attributes among the upstream metric's. Briefs are coretel's own and are not compared.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;

namespace {

std::string stability_of(const std::optional<RegistryStability>& s) {
  return s ? std::string(to_string(*s)) : "none";
}

TEST(SemconvSubset, EveryAttributeMatchesTheUpstreamRegistry) {
  auto ours = check_dir(fs::path(CORETEL_SOURCE_DIR) / "registry" / "semconv", false);
  ASSERT_TRUE(ours.loaded.resolved_ok);
  auto upstream = check_dir(fs::path(CORETEL_CONFORMANCE_DATA) / "semconv" / "model", false);
  ASSERT_TRUE(upstream.loaded.resolved_ok);
  // What Resource::detect() sets (8), the exporter self-metrics' attributes (5), and the HTTP
  // attributes of the trace-context service's spans and metrics (8).
  ASSERT_EQ(ours.loaded.resolved.attributes.size(), 21u);
  for (std::size_t index : ours.loaded.resolved.attributes) {
    const CatalogAttribute& a = ours.loaded.resolved.catalog[index];
    SCOPED_TRACE(a.key);
    const CatalogAttribute* u = upstream.loaded.resolved.find_attribute(a.key);
    ASSERT_NE(u, nullptr) << "not in the upstream registry";
    EXPECT_EQ(a.type.name, u->type.name);
    EXPECT_EQ(stability_of(a.stability), stability_of(u->stability));
    ASSERT_EQ(a.type.members.size(), u->type.members.size());
    for (std::size_t i = 0; i < a.type.members.size(); ++i) {
      EXPECT_EQ(a.type.members[i].id, u->type.members[i].id);
      EXPECT_EQ(a.type.members[i].value, u->type.members[i].value);
      EXPECT_EQ(stability_of(a.type.members[i].stability),
                stability_of(u->type.members[i].stability));
    }
  }
}

// The OTLP exporters' self-metrics: each exists upstream with the same instrument, unit and
// stability, and its attributes are among the upstream metric's.
TEST(SemconvSubset, EveryMetricMatchesTheUpstreamRegistry) {
  auto ours = check_dir(fs::path(CORETEL_SOURCE_DIR) / "registry" / "semconv", false);
  ASSERT_TRUE(ours.loaded.resolved_ok);
  auto upstream = check_dir(fs::path(CORETEL_CONFORMANCE_DATA) / "semconv" / "model", false);
  ASSERT_TRUE(upstream.loaded.resolved_ok);
  const ResolvedRegistry& r = ours.loaded.resolved;
  ASSERT_EQ(r.metrics.size(), 5u);  // 3 SDK exporter metrics, 2 HTTP request durations
  for (const Signal& m : r.metrics) {
    SCOPED_TRACE(m.name);
    const Signal* u = upstream.loaded.resolved.find_metric(m.name);
    ASSERT_NE(u, nullptr) << "not in the upstream registry";
    ASSERT_TRUE(m.instrument && u->instrument);
    EXPECT_EQ(*m.instrument, *u->instrument);
    EXPECT_EQ(m.unit, u->unit);
    EXPECT_EQ(stability_of(m.stability), stability_of(u->stability));
    std::set<std::string> upstream_keys;
    for (const AttributeRef& ref : u->attributes)
      upstream_keys.insert(upstream.loaded.resolved.catalog[ref.base].key);
    for (const AttributeRef& ref : m.attributes)
      EXPECT_TRUE(upstream_keys.contains(r.catalog[ref.base].key)) << r.catalog[ref.base].key;
  }
}

}  // namespace
