// Legacy and cross-syntax rules that Weaver applies and a registry written from its
// documentation relies on: the deprecated top-level `version`, a `ref`'s inherited requirement
// level, role-less attributes of a v1 `type: resource` group, and which syntax asks strings for
// examples, v1 `extends` in the v2 view. Each rule has its accept and reject (or warn) sides, with
// the diagnostic ids, their locations and the resolved result asserted in detail here; the
// registries are the legacy cases of tests/schema/registries/weaver-rules/INDEX.yaml.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "resolved_writer.h"
#include "schema_test_support.h"

using namespace coretel::schema;
using coretel::schema::testing::check_dir;

namespace {

/// The registries of the legacy-syntax cases (also listed, with their diagnostics, in INDEX.yaml
/// there and run by weaver_rules_test.cc).
const std::filesystem::path kRules =
    std::filesystem::path(CORETEL_SOURCE_DIR) / "tests/schema/registries/weaver-rules/legacy";

// (id, severity, line) of every diagnostic, in order.
struct Seen {
  std::string id;
  Severity severity;
  int line;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> seen(const Diagnostics& d) {
  std::vector<Seen> out;
  for (const Diagnostic& x : d.all()) out.push_back({x.id, x.severity, x.location.line});
  return out;
}

void PrintTo(const Seen& s, std::ostream* os) {
  *os << s.id << (s.severity == Severity::kError ? " error" : " warning") << " line " << s.line;
}

constexpr Severity kWarning = Severity::kWarning;
constexpr Severity kError = Severity::kError;

// ------------------------------------------------------------------ `version`

TEST(LegacyVersion, QuotedTwoIsDefinition2WithDeprecatedVersionField) {
  auto c = check_dir(kRules / "version-two", false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  EXPECT_EQ(seen(c.diagnostics), (std::vector<Seen>{{"DeprecatedVersionField", kWarning, 1},
                                                    {"UnstableFileFormat", kWarning, 1}}));
  EXPECT_EQ(c.diagnostics.find("DeprecatedVersionField")->message,
            "`version` is deprecated; use `file_format: definition/2`");
  ASSERT_EQ(c.loaded.resolved.metrics.size(), 1u);
  EXPECT_EQ(c.loaded.resolved.metrics[0].name, "shop.sold");
  EXPECT_FALSE(c.diagnostics.failed());
}

TEST(LegacyVersion, QuotedOneIsDefinition1AndAnUnquotedNumberIsIgnored) {
  auto one = check_dir(kRules / "version-one", false);
  EXPECT_EQ(seen(one.diagnostics), (std::vector<Seen>{{"DeprecatedVersionField", kWarning, 1}}));
  EXPECT_EQ(one.diagnostics.find("DeprecatedVersionField")->message,
            "`version` is deprecated; use `file_format: definition/1`");
  EXPECT_EQ(one.loaded.resolved.attributes.size(), 1u);
  // `version: 2` is a YAML number: Weaver reads `version` only as a string and drops the field.
  auto number = check_dir(kRules / "version-number", false);
  EXPECT_TRUE(number.diagnostics.empty());
  EXPECT_EQ(number.loaded.resolved.attributes.size(), 1u);
}

TEST(LegacyVersion, AnotherVersionStringIsAnInvalidFileFormat) {
  auto c = check_dir(kRules / "version-three", false);
  EXPECT_EQ(seen(c.diagnostics), (std::vector<Seen>{{"DeprecatedVersionField", kWarning, 1},
                                                    {"InvalidFileFormat", kError, 1}}));
  EXPECT_EQ(c.diagnostics.find("InvalidFileFormat")->message,
            "Invalid file format: `version: 3`. Expected 'file_format: definition/1' or "
            "'file_format: definition/2'");
  EXPECT_TRUE(c.diagnostics.failed());
}

// ------------------------------------------------------------------ `ref` requirement level

TEST(RefRequirementLevel, ARefWithoutOneInheritsTheDefinitionsAndItsOwnWins) {
  auto c = check_dir(kRules / "ref-levels", false);
  ASSERT_TRUE(c.loaded.resolved_ok) << c.diagnostics.all().size();
  EXPECT_FALSE(c.diagnostics.failed());
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.metrics.size(), 2u);
  const Signal& visits = r.metrics[0].name == "shop.visits" ? r.metrics[0] : r.metrics[1];
  const Signal& exits = r.metrics[0].name == "shop.visits" ? r.metrics[1] : r.metrics[0];
  ASSERT_EQ(visits.attributes.size(), 2u);
  EXPECT_EQ(r.attribute(visits.attributes[0]).key, "shop.store");
  EXPECT_EQ(to_string(visits.attributes[0].requirement_level.level), "required");
  // No level on the definition either: the format's default.
  EXPECT_EQ(to_string(visits.attributes[1].requirement_level.level), "recommended");
  ASSERT_EQ(exits.attributes.size(), 1u);
  EXPECT_EQ(to_string(exits.attributes[0].requirement_level.level), "opt_in");
}

// ------------------------------------------------------------------ `prefix: true` on a ref

TEST(RefPrefix, APrefixedRefDefinesTheAttributeUnderTheGroupsPrefix) {
  auto c = check_dir(kRules / "prefixed-ref", false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  EXPECT_FALSE(c.diagnostics.failed());
  // The group's `prefix` is legacy (a warning), the embedding itself is accepted.
  EXPECT_EQ(seen(c.diagnostics), (std::vector<Seen>{{"InvalidGroupUsesPrefix", kWarning, 11}}));
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.metrics.size(), 1u);
  ASSERT_EQ(r.metrics[0].attributes.size(), 2u);
  const CatalogAttribute& embedded = r.attribute(r.metrics[0].attributes[0]);
  EXPECT_EQ(embedded.key, "server.net.port");
  EXPECT_EQ(embedded.brief, "The server's port.");  // the embedding's override
  EXPECT_EQ(embedded.type.name, "int");             // the rest from net.port
  EXPECT_EQ(embedded.examples, Json::array({80}));
  EXPECT_EQ(to_string(r.metrics[0].attributes[0].requirement_level.level), "required");
  EXPECT_EQ(r.attribute(r.metrics[0].attributes[1]).key, "net.port");
  EXPECT_EQ(r.attribute(r.metrics[0].attributes[1]).brief, "A port.");
}

TEST(RefPrefix, APrefixedRefToNothingIsUnresolvedUnderItsOwnName) {
  auto c = check_dir(kRules / "prefixed-ref-to-nothing", false);
  const Diagnostic* d = c.diagnostics.find("UnresolvedAttributeRef");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->subject, "registry.server/net.nope");
  EXPECT_EQ(d->location.line, 16);
  EXPECT_TRUE(c.diagnostics.failed());
}

// ------------------------------------------------------------------ v1 resources

TEST(V1Resource, AttributesWithoutARoleDescribeTheEntity) {
  auto c = check_dir(kRules / "v1-resource", false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  EXPECT_FALSE(c.diagnostics.failed());
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.entities.size(), 1u);
  std::vector<std::pair<std::string, std::string>> roles;
  for (const AttributeRef& a : r.entities[0].attributes)
    roles.emplace_back(r.attribute(a).key, a.role);
  // Identifying first; the role-less host.arch kept, as a description attribute.
  EXPECT_EQ(
      roles,
      (std::vector<std::pair<std::string, std::string>>{
          {"host.id", "identifying"}, {"host.arch", "descriptive"}, {"host.name", "descriptive"}}));
  const Json resolved = to_resolved_json(r);
  const Json& entity = resolved["registry"]["entities"][0];
  ASSERT_EQ(entity["description"].size(), 2u) << entity.dump();
  EXPECT_EQ(entity["identity"].size(), 1u) << entity.dump();
}

// ------------------------------------------------------------------ v1 `extends` in the v2 view

std::vector<std::string> names_of(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const Signal& s : signals) out.push_back(s.group_id + " -> " + s.name);
  return out;
}

TEST(V1Extends, ASignalExtendingOneOfItsTypeIsARefinementOfIt) {
  auto c = check_dir(kRules / "v1-extends", false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  EXPECT_FALSE(c.diagnostics.failed());
  const ResolvedRegistry& r = c.loaded.resolved;
  // A v1 span's type is its id without `span.`; extending an attribute group keeps it a span.
  EXPECT_EQ(names_of(r.spans), std::vector<std::string>{"span.db.client -> db.client"});
  // Extending a span makes a refinement of that span (a chain names its immediate parent),
  // with the span type of the refined span.
  EXPECT_EQ(names_of(r.span_refinements),
            (std::vector<std::string>{"span.db.pg.client -> db.client",
                                      "span.db.pg.copy.client -> db.pg.client"}));
  const Signal& pg = r.span_refinements[0];
  EXPECT_EQ(pg.refines, "db.client");
  EXPECT_EQ(pg.brief, "A PostgreSQL call.");  // its own fields, not the parent's
  EXPECT_EQ(pg.stability, RegistryStability::kDevelopment);
  ASSERT_EQ(pg.attributes.size(), 2u);  // inherited db.name, its own db.rows
  EXPECT_EQ(r.attribute(pg.attributes[1]).key, "db.rows");
  EXPECT_EQ(to_string(pg.attributes[1].requirement_level.level), "required");
  EXPECT_EQ(r.span_refinements[1].refines, "db.pg.client");
  EXPECT_EQ(r.span_refinements[1].attributes.size(), 2u);
  // A metric refinement keeps its own metric name; an entity one has the refined type.
  EXPECT_EQ(names_of(r.metrics), std::vector<std::string>{"metric.db.calls -> db.calls"});
  EXPECT_EQ(names_of(r.metric_refinements),
            std::vector<std::string>{"metric.db.pg.calls -> db.pg.calls"});
  EXPECT_EQ(r.metric_refinements[0].refines, "db.calls");
  EXPECT_EQ(names_of(r.entities), std::vector<std::string>{"entity.db -> db"});
  EXPECT_EQ(names_of(r.entity_refinements), std::vector<std::string>{"entity.db.pg -> db"});
  // resolved/2.0: refinements under `refinements`, each base there too under its own name.
  const Json resolved = to_resolved_json(r);
  ASSERT_EQ(resolved["registry"]["spans"].size(), 1u);
  std::vector<std::string> ids;
  for (const Json& s : resolved["refinements"]["spans"])
    ids.push_back(s["id"].get<std::string>() + ":" + s["type"].get<std::string>());
  EXPECT_EQ(ids, (std::vector<std::string>{"db.client:db.client", "span.db.pg.client:db.client",
                                           "span.db.pg.copy.client:db.pg.client"}));
}

// ------------------------------------------------------------------ examples

TEST(Examples, OnlyV1StringsWithoutExamplesAreWarned) {
  auto v2 = check_dir(kRules / "examples-v2", false);
  EXPECT_EQ(seen(v2.diagnostics), (std::vector<Seen>{{"UnstableFileFormat", kWarning, 1}}));
  auto v1 = check_dir(kRules / "examples-v1", false);
  EXPECT_EQ(seen(v1.diagnostics), (std::vector<Seen>{{"InvalidExampleWarning", kWarning, 6}}));
}

}  // namespace
