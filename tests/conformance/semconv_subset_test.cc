// registry/semconv, the semantic-conventions attributes coretel sets on its resource
// (include/coretel/semconv/ is generated from it), is a faithful subset of the upstream registry
// (conformance data, CORETEL_CONFORMANCE_DATA): every attribute it defines exists upstream with
// the same type, the same stability and, for an enum, the same members (ids, values, stability).
// Briefs are coretel's own and are not compared.
#include <gtest/gtest.h>

#include <filesystem>
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
  ASSERT_EQ(ours.loaded.resolved.catalog.size(), 8u);  // what Resource::detect() sets
  for (const CatalogAttribute& a : ours.loaded.resolved.catalog) {
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

}  // namespace
