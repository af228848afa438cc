// Legacy and cross-syntax rules that Weaver applies and a registry written from its
// documentation relies on: the deprecated top-level `version`, a `ref`'s inherited requirement
// level, role-less attributes of a v1 `type: resource` group, and which syntax asks strings for
// examples. Each rule has its accept and reject (or warn) sides, with the diagnostic ids, their
// locations and the resolved result asserted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resolved_writer.h"
#include "schema_test_support.h"

using namespace coretel::schema;
using coretel::schema::testing::check_files;

namespace {

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

// A v2 file with a quoted `version: '2'` and no `file_format`.
const char* kVersionTwo = R"(version: '2'
attributes:
  - key: shop.item
    type: int
    brief: An item.
    stability: stable
metrics:
  - name: shop.sold
    instrument: counter
    unit: "{item}"
    brief: Items sold.
    stability: stable
    requirement_level: recommended
    attributes:
      - ref: shop.item
        requirement_level: required
)";

// ------------------------------------------------------------------ `version`

TEST(LegacyVersion, QuotedTwoIsDefinition2WithDeprecatedVersionField) {
  auto c = check_files({{"shop.yaml", kVersionTwo}}, false);
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
  const char* groups = R"(
groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.count
        type: int
        brief: A count.
        stability: stable
)";
  auto one = check_files({{"shop.yaml", std::string("version: '1'") + groups}}, false);
  EXPECT_EQ(seen(one.diagnostics), (std::vector<Seen>{{"DeprecatedVersionField", kWarning, 1}}));
  EXPECT_EQ(one.diagnostics.find("DeprecatedVersionField")->message,
            "`version` is deprecated; use `file_format: definition/1`");
  EXPECT_EQ(one.loaded.resolved.attributes.size(), 1u);
  // `version: 2` is a YAML number: Weaver reads `version` only as a string and drops the field.
  auto number = check_files({{"shop.yaml", std::string("version: 2") + groups}}, false);
  EXPECT_TRUE(number.diagnostics.empty());
  EXPECT_EQ(number.loaded.resolved.attributes.size(), 1u);
}

TEST(LegacyVersion, AnotherVersionStringIsAnInvalidFileFormat) {
  auto c = check_files({{"shop.yaml", "version: '3'\ngroups: []\n"}}, false);
  EXPECT_EQ(seen(c.diagnostics), (std::vector<Seen>{{"DeprecatedVersionField", kWarning, 1},
                                                    {"InvalidFileFormat", kError, 1}}));
  EXPECT_EQ(c.diagnostics.find("InvalidFileFormat")->message,
            "Invalid file format: `version: 3`. Expected 'file_format: definition/1' or "
            "'file_format: definition/2'");
  EXPECT_TRUE(c.diagnostics.failed());
}

// ------------------------------------------------------------------ `ref` requirement level

const char* kLevels = R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop attributes.
    attributes:
      - id: shop.store
        type: string
        brief: The store.
        examples: [north]
        stability: stable
        requirement_level: required
      - id: shop.aisle
        type: int
        brief: The aisle.
        stability: stable
  - id: metric.shop.visits
    type: metric
    metric_name: shop.visits
    instrument: counter
    unit: "{visit}"
    brief: Visits.
    stability: stable
    attributes:
      - ref: shop.store
      - ref: shop.aisle
  - id: metric.shop.exits
    type: metric
    metric_name: shop.exits
    instrument: counter
    unit: "{exit}"
    brief: Exits.
    stability: stable
    attributes:
      - ref: shop.store
        requirement_level: opt_in
)";

TEST(RefRequirementLevel, ARefWithoutOneInheritsTheDefinitionsAndItsOwnWins) {
  auto c = check_files({{"shop.yaml", kLevels}}, false);
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

const char* kEmbedded = R"(groups:
  - id: registry.net
    type: attribute_group
    brief: Network attributes.
    attributes:
      - id: net.port
        type: int
        brief: A port.
        examples: [80]
        stability: stable
  - id: registry.server
    type: attribute_group
    prefix: server
    brief: Server attributes.
    attributes:
      - ref: net.port
        prefix: true
        brief: The server's port.
  - id: metric.server.calls
    type: metric
    metric_name: server.calls
    instrument: counter
    unit: "{call}"
    brief: Calls.
    stability: stable
    attributes:
      - ref: server.net.port
        requirement_level: required
      - ref: net.port
)";

TEST(RefPrefix, APrefixedRefDefinesTheAttributeUnderTheGroupsPrefix) {
  auto c = check_files({{"net.yaml", kEmbedded}}, false);
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
  std::string text = kEmbedded;
  const std::string embedding = "      - ref: net.port\n        prefix: true";
  text.replace(text.find(embedding), embedding.size(),
               "      - ref: net.nope\n        prefix: true");
  auto c = check_files({{"net.yaml", text}}, false);
  const Diagnostic* d = c.diagnostics.find("UnresolvedAttributeRef");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->subject, "registry.server/net.nope");
  EXPECT_EQ(d->location.line, 16);
  EXPECT_TRUE(c.diagnostics.failed());
}

// ------------------------------------------------------------------ v1 resources

TEST(V1Resource, AttributesWithoutARoleDescribeTheEntity) {
  auto c = check_files({{"host.yaml", R"(groups:
  - id: registry.host
    type: attribute_group
    brief: Host attributes.
    attributes:
      - id: host.id
        type: string
        brief: The host's id.
        examples: [i-1]
        stability: stable
      - id: host.arch
        type: string
        brief: The host's architecture.
        examples: [amd64]
        stability: stable
      - id: host.name
        type: string
        brief: The host's name.
        examples: [web-1]
        stability: stable
  - id: entity.host
    type: resource
    name: host
    brief: A host.
    stability: stable
    attributes:
      - ref: host.arch
      - ref: host.id
        role: identifying
      - ref: host.name
        role: descriptive
)"}},
                       false);
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

// Spans, a metric and an entity in v1 syntax: some `extends` a group of their own type
// (refinements in the v2 view), others an attribute group (signals).
const char* kV1Extends = R"(groups:
  - id: registry.db
    type: attribute_group
    brief: Database attributes.
    attributes:
      - {id: db.name, type: string, brief: A database., examples: [shop], stability: stable}
      - {id: db.rows, type: int, brief: Rows., stability: stable}
  - id: attributes.db.common
    type: attribute_group
    brief: Shared.
    attributes:
      - ref: db.name
  - id: span.db.client
    type: span
    span_kind: client
    brief: A database call.
    stability: stable
    extends: attributes.db.common
  - id: span.db.pg.client
    type: span
    span_kind: client
    brief: A PostgreSQL call.
    stability: development
    extends: span.db.client
    attributes:
      - ref: db.rows
        requirement_level: required
  - id: span.db.pg.copy.client
    type: span
    span_kind: client
    brief: A PostgreSQL COPY.
    stability: development
    extends: span.db.pg.client
  - id: metric.db.calls
    type: metric
    metric_name: db.calls
    instrument: counter
    unit: "{call}"
    brief: Calls.
    stability: development
    attributes:
      - ref: db.name
  - id: metric.db.pg.calls
    type: metric
    metric_name: db.pg.calls
    instrument: counter
    unit: "{call}"
    brief: PostgreSQL calls.
    stability: development
    extends: metric.db.calls
  - id: entity.db
    type: entity
    name: db
    brief: A database.
    stability: development
    attributes:
      - ref: db.name
        role: identifying
  - id: entity.db.pg
    type: entity
    brief: A PostgreSQL database.
    stability: development
    extends: entity.db
)";

std::vector<std::string> names_of(const std::vector<Signal>& signals) {
  std::vector<std::string> out;
  for (const Signal& s : signals) out.push_back(s.group_id + " -> " + s.name);
  return out;
}

TEST(V1Extends, ASignalExtendingOneOfItsTypeIsARefinementOfIt) {
  auto c = check_files({{"db.yaml", kV1Extends}}, false);
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
  auto v2 = check_files({{"shop.yaml", R"(file_format: definition/2
attributes:
  - key: shop.note
    type: string
    brief: A note.
    stability: stable
)"}},
                        false);
  EXPECT_EQ(seen(v2.diagnostics), (std::vector<Seen>{{"UnstableFileFormat", kWarning, 1}}));
  auto v1 = check_files({{"shop.yaml", R"(groups:
  - id: registry.shop
    type: attribute_group
    brief: Shop.
    attributes:
      - id: shop.note
        type: string
        brief: A note.
        stability: stable
)"}},
                        false);
  EXPECT_EQ(seen(v1.diagnostics), (std::vector<Seen>{{"InvalidExampleWarning", kWarning, 6}}));
}

}  // namespace
