// diff_registries and its formats (tools/schema/diff.h), and `coretel-schema diff` /
// `coretel-schema check --baseline` end to end.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compatibility.h"
#include "diff.h"
#include "registry_pair_support.h"

using namespace coretel::schema;
using coretel::schema::pair_testing::lines;
using coretel::schema::pair_testing::resolve_dir;
using coretel::schema::pair_testing::resolve_yaml;
using coretel::schema::pair_testing::run_schema_tool;
using coretel::schema::pair_testing::ScratchDir;

namespace {

const char* const kOld = R"(file_format: definition/2
attributes:
  - key: d.kept
    type: string
    brief: Unchanged.
    stability: stable
  - key: d.renamed_old
    type: string
    brief: Renamed to d.renamed_new.
    stability: stable
  - key: d.obsolete
    type: string
    brief: Obsoleted, with a note.
    stability: development
  - key: d.vague
    type: string
    brief: Deprecated without a reason we can classify.
    stability: development
  - key: d.dev_gone
    type: string
    brief: Development, removed.
    stability: development
  - key: d.stable_gone
    type: string
    brief: Stable, removed.
    stability: stable
  - key: d.retyped
    type: string
    brief: Stable, becomes an int.
    stability: stable
  - key: d.dev_retyped
    type: string
    brief: Development, becomes an int.
    stability: development
metrics:
  - name: dm.counter
    brief: Stable; changes unit and gains an opt-in attribute.
    instrument: counter
    unit: s
    stability: stable
    attributes:
      - ref: d.kept
  - name: dm.dev
    brief: Development; changes instrument.
    instrument: counter
    unit: s
    stability: development
  - name: dm.req
    brief: Stable; an attribute goes from recommended to required.
    instrument: gauge
    unit: "1"
    stability: stable
    attributes:
      - ref: d.kept
spans:
  - type: ds.span
    brief: Stable; changes kind.
    kind: client
    stability: stable
events:
  - name: de.event
    brief: Development; removed.
    stability: development
entities:
  - type: dn.entity
    brief: Stable; gains a description attribute.
    stability: stable
    identity:
      - ref: d.kept
attribute_groups:
  - id: dg.group
    visibility: public
    brief: Stable; deprecated.
    stability: stable
    attributes:
      - ref: d.kept
)";

const char* const kNew = R"(file_format: definition/2
attributes:
  - key: d.kept
    type: string
    brief: Unchanged.
    stability: stable
  - key: d.renamed_old
    type: string
    brief: Renamed to d.renamed_new.
    stability: stable
    deprecated:
      reason: renamed
      renamed_to: d.renamed_new
  - key: d.renamed_new
    type: string
    brief: The new name.
    stability: stable
  - key: d.obsolete
    type: string
    brief: Obsoleted, with a note.
    stability: development
    deprecated:
      reason: obsoleted
      note: Gone for good.
  - key: d.vague
    type: string
    brief: Deprecated without a reason we can classify.
    stability: development
    deprecated:
      reason: uncategorized
  - key: d.retyped
    type: int
    brief: Stable, becomes an int.
    stability: stable
  - key: d.dev_retyped
    type: int
    brief: Development, becomes an int.
    stability: development
  - key: d.added
    type: string
    brief: New.
    stability: development
metrics:
  - name: dm.counter
    brief: Stable; changes unit and gains an opt-in attribute.
    instrument: counter
    unit: ms
    stability: stable
    attributes:
      - ref: d.kept
      - ref: d.added
        requirement_level: opt_in
  - name: dm.dev
    brief: Development; changes instrument.
    instrument: histogram
    unit: s
    stability: development
  - name: dm.req
    brief: Stable; an attribute goes from recommended to required.
    instrument: gauge
    unit: "1"
    stability: stable
    attributes:
      - ref: d.kept
        requirement_level: required
  - name: dm.new
    brief: New.
    instrument: gauge
    unit: "1"
    stability: development
spans:
  - type: ds.span
    brief: Stable; changes kind.
    kind: server
    stability: stable
entities:
  - type: dn.entity
    brief: Stable; gains a description attribute.
    stability: stable
    identity:
      - ref: d.kept
    description:
      - ref: d.added
attribute_groups:
  - id: dg.group
    visibility: public
    brief: Stable; deprecated.
    stability: stable
    deprecated:
      reason: obsoleted
    attributes:
      - ref: d.kept
)";

TEST(Diff, EveryChangeTypeSortedByKindAndName) {
  RegistryDiff diff = diff_registries(resolve_yaml(kOld, "https://example.com/schemas/1.0.0"),
                                      resolve_yaml(kNew, "https://example.com/schemas/1.1.0"));
  EXPECT_EQ(diff.old_schema_url, "https://example.com/schemas/1.0.0");
  EXPECT_EQ(diff.new_schema_url, "https://example.com/schemas/1.1.0");
  EXPECT_EQ(lines(diff),
            (std::vector<std::string>{
                "attribute added d.added",
                // Removing is always a compatibility finding, but breaks only a stable item.
                "attribute removed d.dev_gone",
                "attribute updated d.dev_retyped: type: string -> int",
                "attribute obsoleted d.obsolete: Gone for good.",
                "attribute added d.renamed_new",
                "attribute renamed d.renamed_old -> d.renamed_new: Replaced by `d.renamed_new`.",
                "attribute updated d.retyped: type: string -> int BREAKING",
                "attribute removed d.stable_gone BREAKING",
                "attribute uncategorized d.vague: Uncategorized.",
                "metric updated dm.counter: unit: s -> ms; attributes added: d.added BREAKING",
                "metric updated dm.dev: instrument: counter -> histogram",
                "metric added dm.new",
                // Still required/recommended: listed, not breaking.
                "metric updated dm.req: d.kept requirement_level: recommended -> required",
                "span updated ds.span: kind: client -> server BREAKING",
                "event removed de.event",
                "entity updated dn.entity: description added: d.added",
                "attribute_group obsoleted dg.group: Obsoleted.",
            }));
  EXPECT_TRUE(diff.breaks_stable());
}

TEST(Diff, BreakingIsExactlyTheStableCompatibilityFindings) {
  ResolvedRegistry old_registry = resolve_yaml(kOld), new_registry = resolve_yaml(kNew);
  Diagnostics diagnostics;
  check_compatibility(old_registry, new_registry, diagnostics);
  std::set<std::string> flagged;
  for (const Diagnostic& d : diagnostics.all()) flagged.insert(d.subject);
  // check_compatibility flags the removed development items too; diff marks only stable ones.
  EXPECT_EQ(flagged, (std::set<std::string>{"d.dev_gone", "d.stable_gone", "d.retyped",
                                            "dm.counter", "ds.span", "de.event"}));
  std::set<std::string> breaking;
  for (const Change& c : diff_registries(old_registry, new_registry).changes) {
    if (c.breaking) breaking.insert(c.name);
  }
  EXPECT_EQ(breaking,
            (std::set<std::string>{"d.stable_gone", "d.retyped", "dm.counter", "ds.span"}));
}

TEST(Diff, IdenticalRegistriesHaveNoChanges) {
  RegistryDiff diff = diff_registries(resolve_yaml(kOld), resolve_yaml(kOld));
  EXPECT_TRUE(diff.changes.empty());
  EXPECT_FALSE(diff.breaks_stable());
  EXPECT_EQ(format_diff_text(diff),
            "(no schema_url) -> (no schema_url)\n  no changes\nverdict: compatible (0 changes)\n");
}

TEST(Diff, JsonCarriesNewNameAndDetailOnlyWhenSet) {
  RegistryDiff diff;
  diff.old_schema_url = "https://example.com/schemas/1";
  diff.new_schema_url = "https://example.com/schemas/2";
  diff.changes.push_back({"attribute", "renamed", "a.old", "a.new", "Replaced by `a.new`.", false});
  diff.changes.push_back({"metric", "added", "m.new", "", "", false});
  EXPECT_FALSE(diff.breaks_stable());
  EXPECT_EQ(format_diff_json(diff), R"({
  "old_schema_url": "https://example.com/schemas/1",
  "new_schema_url": "https://example.com/schemas/2",
  "verdict": "compatible",
  "changes": [
    {
      "kind": "attribute",
      "type": "renamed",
      "name": "a.old",
      "new_name": "a.new",
      "detail": "Replaced by `a.new`.",
      "breaking": false
    },
    {
      "kind": "metric",
      "type": "added",
      "name": "m.new",
      "breaking": false
    }
  ]
})");
  EXPECT_EQ(format_diff_text(diff),
            "https://example.com/schemas/1 -> https://example.com/schemas/2\n"
            "  attribute       renamed       a.old -> a.new: Replaced by `a.new`.\n"
            "  metric          added         m.new\n"
            "verdict: compatible (2 changes)\n");
}

// ------------------------------------------------------------------------------ the CLI

}  // namespace
