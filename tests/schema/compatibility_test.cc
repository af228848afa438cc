// check_compatibility (tools/schema/compatibility.h): the semantic-conventions
// backward-compatibility rules (`compatibility_*`), one test per item kind over small v2
// registries (Weaver's own v2_check_baseline pair: tests/conformance/weaver_baseline_test.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compatibility.h"
#include "registry_pair_support.h"

using namespace coretel::schema;
using coretel::schema::pair_testing::resolve_dir;
using coretel::schema::pair_testing::resolve_yaml;

namespace {

using coretel::schema::pair_testing::findings;
std::vector<std::string> findings(const std::string& baseline, const std::string& current) {
  return findings(resolve_yaml(baseline), resolve_yaml(current));
}

// ------------------------------------------------------------------------------ attributes

const char* const kAttributesBase = R"(file_format: definition/2
attributes:
  - key: a.stable
    type: string
    brief: Stable string.
    stability: stable
  - key: a.enum
    type:
      members:
        - id: one
          brief: One.
          stability: stable
        - id: two
          brief: Two.
          stability: stable
        - id: three
          value: three_v
          brief: Three.
          stability: stable
    brief: Stable enum.
    stability: stable
  - key: a.enum_to_string
    type:
      members:
        - id: x
          brief: X.
          stability: stable
    brief: Stable enum that becomes a string.
    stability: stable
  - key: a.dev
    type: string
    brief: Development string, removed.
    stability: development
  - key: a.dev_enum
    type:
      members:
        - id: x
          brief: X.
          stability: development
        - id: y
          brief: Y.
          stability: development
    brief: Development enum that loses a member.
    stability: development
  - key: a.dev_retyped
    type: string
    brief: Development string that becomes an int.
    stability: development
  - key: a.deprecated
    type: string
    brief: Stable, then deprecated.
    stability: stable
)";

const char* const kAttributesCurrent = R"(file_format: definition/2
attributes:
  - key: a.stable
    type: int
    brief: Stable string.
    stability: development
  - key: a.enum
    type:
      members:
        - id: one
          brief: One.
          stability: development
        - id: three
          value: tres
          brief: Three.
          stability: stable
        - id: four
          brief: Four, new.
          stability: development
    brief: Stable enum.
    stability: stable
  - key: a.enum_to_string
    type: string
    brief: Stable enum that becomes a string.
    stability: stable
  - key: a.dev_enum
    type:
      members:
        - id: x
          brief: X.
          stability: development
    brief: Development enum that loses a member.
    stability: development
  - key: a.dev_retyped
    type: int
    brief: Development string that becomes an int.
    stability: development
  - key: a.deprecated
    type: string
    brief: Stable, then deprecated.
    stability: stable
    deprecated:
      reason: renamed
      renamed_to: a.stable
  - key: a.new
    type: string
    brief: Added.
    stability: development
)";

TEST(Compatibility, Attributes) {
  EXPECT_EQ(
      findings(kAttributesBase, kAttributesCurrent),
      (std::vector<std::string>{
          "compatibility_stable_attribute_now_unstable | a.stable | Attribute 'a.stable' was "
          "stable, but has new stability 'development'",
          "compatibility_stable_attribute_changed_type | a.stable | Attribute 'a.stable' was "
          "'string', but has new type 'int'",
          "compatibility_stable_enum_member_changed_from_stable | a.enum | Enum 'a.enum' had "
          "stable member 'one', but is no longer stable (now 'development')",
          "compatibility_stable_enum_member_missing | a.enum | Enum 'a.enum' had member 'two', "
          "but is no longer defined",
          "compatibility_stable_enum_member_changed_from_stable | a.enum | Enum 'a.enum' member "
          "'three' had value 'three_v', but is now 'tres'",
          "compatibility_stable_attribute_changed_type | a.enum_to_string | Attribute "
          "'a.enum_to_string' was 'enum', but has new type 'string'",
          "compatibility_removed_attribute | a.dev | Attribute 'a.dev' no longer exists in the "
          "attribute registry",
          // Enum members may never be removed, whatever the attribute's stability.
          "compatibility_stable_enum_member_missing | a.dev_enum | Enum 'a.dev_enum' had member "
          "'y', but is no longer defined",
      }));
}

TEST(Compatibility, NothingChangedNothingFound) {
  EXPECT_TRUE(findings(kAttributesBase, kAttributesBase).empty());
  EXPECT_TRUE(findings(kAttributesCurrent, kAttributesCurrent).empty());
}

// ------------------------------------------------------------------------------ metrics

const char* const kMetricAttributes = R"(attributes:
  - key: m.req
    type: int
    brief: Required.
    stability: stable
  - key: m.rec
    type: int
    brief: Recommended.
    stability: stable
  - key: m.opt
    type: int
    brief: Opt-in.
    stability: stable
  - key: m.new
    type: int
    brief: New, recommended.
    stability: stable
  - key: m.new_opt
    type: int
    brief: New, opt-in.
    stability: stable
)";

TEST(Compatibility, Metrics) {
  std::string base = std::string("file_format: definition/2\n") + kMetricAttributes + R"(metrics:
  - name: m.changed
    brief: Everything changes.
    instrument: counter
    unit: s
    stability: stable
    attributes:
      - ref: m.req
        requirement_level: required
      - ref: m.rec
      - ref: m.opt
        requirement_level: opt_in
  - name: m.dev
    brief: Development metric, free to change.
    instrument: counter
    unit: s
    stability: development
    attributes:
      - ref: m.rec
  - name: m.dev_gone
    brief: Development metric, removed.
    instrument: counter
    unit: s
    stability: development
  - name: m.stable_gone
    brief: Stable metric, removed.
    instrument: counter
    unit: s
    stability: stable
  - name: m.demoted
    brief: Stable metric, now development.
    instrument: gauge
    unit: "1"
    stability: stable
  - name: m.attr_demoted
    brief: Stable metric whose recommended attribute becomes opt-in.
    instrument: gauge
    unit: "1"
    stability: stable
    attributes:
      - ref: m.rec
  - name: m.deprecated
    brief: Stable metric, then deprecated.
    instrument: gauge
    unit: "1"
    stability: stable
)";
  std::string current = std::string("file_format: definition/2\n") + kMetricAttributes +
                        R"(metrics:
  - name: m.changed
    brief: Everything changes.
    instrument: gauge
    unit: ms
    stability: stable
    attributes:
      - ref: m.req
        requirement_level: required
      - ref: m.new
      - ref: m.new_opt
        requirement_level: opt_in
  - name: m.dev
    brief: Development metric, free to change.
    instrument: histogram
    unit: ms
    stability: development
  - name: m.demoted
    brief: Stable metric, now development.
    instrument: gauge
    unit: "1"
    stability: development
  - name: m.attr_demoted
    brief: Stable metric whose recommended attribute becomes opt-in.
    instrument: gauge
    unit: "1"
    stability: stable
    attributes:
      - ref: m.rec
        requirement_level: opt_in
  - name: m.deprecated
    brief: Stable metric, then deprecated.
    instrument: gauge
    unit: "1"
    stability: stable
    deprecated:
      reason: obsoleted
  - name: m.added
    brief: New.
    instrument: gauge
    unit: "1"
    stability: stable
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_metric_changed_instrument | m.changed | Metric 'm.changed' cannot "
                "change instrument (was 'counter', now 'gauge')",
                "compatibility_metric_changed_unit | m.changed | Metric 'm.changed' cannot change "
                "unit (was 's', now 'ms')",
                // Dropping the opt-in m.opt is allowed; dropping the recommended m.rec is not.
                "compatibility_metric_changed_attributes | m.changed | Metric 'm.changed' cannot "
                "change required/recommended attributes (missing m.rec)",
                // Adding the opt-in m.new_opt is allowed; adding the recommended m.new is not.
                "compatibility_metric_added_attributes | m.changed | Metric 'm.changed' cannot "
                "change required/recommended attributes (added m.new)",
                "compatibility_metric_missing | m.dev_gone | Metric 'm.dev_gone' no longer exists "
                "in the registry",
                "compatibility_metric_missing | m.stable_gone | Metric 'm.stable_gone' no longer "
                "exists in the registry",
                "compatibility_metric_changed_stability | m.demoted | Metric 'm.demoted' cannot "
                "change from stable (now 'development')",
                "compatibility_metric_changed_attributes | m.attr_demoted | Metric "
                "'m.attr_demoted' cannot change required/recommended attributes (missing m.rec)",
            }));
}

// ------------------------------------------------------------------------------ spans, events

const char* const kSignalAttributes = R"(attributes:
  - key: s.a
    type: string
    brief: A.
    stability: stable
  - key: s.b
    type: string
    brief: B.
    stability: stable
)";

TEST(Compatibility, Spans) {
  std::string base = std::string("file_format: definition/2\n") + kSignalAttributes + R"(spans:
  - type: s.changed
    brief: Changes kind and drops an opt-in attribute.
    kind: client
    stability: stable
    attributes:
      - ref: s.a
      - ref: s.b
        requirement_level: opt_in
  - type: s.demoted
    brief: Stable, then development.
    kind: internal
    stability: stable
  - type: s.gone
    brief: Development, removed.
    kind: internal
    stability: development
  - type: s.dev
    brief: Development, changes kind.
    kind: internal
    stability: development
)";
  std::string current = std::string("file_format: definition/2\n") + kSignalAttributes + R"(spans:
  - type: s.changed
    brief: Changes kind and drops an opt-in attribute.
    kind: server
    stability: stable
    attributes:
      - ref: s.a
  - type: s.demoted
    brief: Stable, then development.
    kind: internal
    stability: development
  - type: s.dev
    brief: Development, changes kind.
    kind: server
    stability: development
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_span_changed_kind | s.changed | Span 's.changed' cannot change "
                "kind (was 'client', now 'server')",
                "compatibility_span_dropped_attributes | s.changed | Span 's.changed' cannot "
                "remove attributes (missing s.b)",
                "compatibility_span_changed_stability | s.demoted | Span 's.demoted' cannot "
                "change from stable (now 'development')",
                "compatibility_span_missing | s.gone | Span 's.gone' no longer exists in the "
                "registry",
            }));
}

TEST(Compatibility, Events) {
  std::string base = std::string("file_format: definition/2\n") + kSignalAttributes + R"(events:
  - name: e.changed
    brief: Drops attributes.
    stability: stable
    attributes:
      - ref: s.a
      - ref: s.b
  - name: e.demoted
    brief: Stable, then development.
    stability: stable
  - name: e.gone
    brief: Stable, removed.
    stability: stable
)";
  std::string current = std::string("file_format: definition/2\n") + kSignalAttributes + R"(events:
  - name: e.changed
    brief: Drops attributes.
    stability: stable
  - name: e.demoted
    brief: Stable, then development.
    stability: development
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_event_dropped_attributes | e.changed | Event 'e.changed' cannot "
                "remove attributes (missing s.a, s.b)",
                "compatibility_event_changed_stability | e.demoted | Event 'e.demoted' cannot "
                "change from stable (now 'development')",
                "compatibility_event_removed | e.gone | Event 'e.gone' no longer exists in the "
                "registry",
            }));
}

// ------------------------------------------------------------------------------ entities

const char* const kEntityAttributes = R"(attributes:
  - key: n.id
    type: string
    brief: Id.
    stability: stable
  - key: n.id2
    type: string
    brief: Second id.
    stability: stable
  - key: n.desc
    type: string
    brief: Description.
    stability: stable
  - key: n.pid
    type: string
    brief: Pod id.
    stability: stable
  - key: n.pid2
    type: string
    brief: New pod id.
    stability: stable
)";

TEST(Compatibility, Entities) {
  std::string base = std::string("file_format: definition/2\n") + kEntityAttributes + R"(entities:
  - type: n.host
    brief: Widens its identity, drops its description.
    stability: stable
    identity:
      - ref: n.id
    description:
      - ref: n.desc
  - type: n.pod
    brief: Swaps its identity.
    stability: stable
    identity:
      - ref: n.pid
  - type: n.gone
    brief: Removed.
    stability: development
    identity:
      - ref: n.id
  - type: n.dev
    brief: Development, free to change.
    stability: development
    identity:
      - ref: n.id
)";
  std::string current = std::string("file_format: definition/2\n") + kEntityAttributes +
                        R"(entities:
  - type: n.host
    brief: Widens its identity, drops its description.
    stability: stable
    identity:
      - ref: n.id
      - ref: n.id2
  - type: n.pod
    brief: Swaps its identity.
    stability: stable
    identity:
      - ref: n.pid2
  - type: n.dev
    brief: Development, free to change.
    stability: development
    identity:
      - ref: n.id2
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_entity_missing_attribute | n.host | Entity 'n.host' cannot remove "
                "attributes from description (missing n.desc)",
                "compatibility_entity_changed_identity | n.host | Entity 'n.host' cannot change "
                "identity (added n.id2)",
                "compatibility_entity_missing_attribute | n.pod | Entity 'n.pod' cannot remove "
                "attributes from identity (missing n.pid)",
                "compatibility_entity_changed_identity | n.pod | Entity 'n.pod' cannot change "
                "identity (added n.pid2)",
                "compatibility_entity_missing | n.gone | Entity 'n.gone' no longer exists in the "
                "registry",
            }));
}

// ------------------------------------------------------------------------------ attribute groups

TEST(Compatibility, AttributeGroups) {
  const char* attributes = R"(attributes:
  - key: g.a
    type: string
    brief: A.
    stability: stable
  - key: g.b
    type: string
    brief: B.
    stability: stable
  - key: g.c
    type: string
    brief: C.
    stability: stable
  - key: g.d
    type: string
    brief: D.
    stability: stable
)";
  std::string base = std::string("file_format: definition/2\n") + attributes + R"(
attribute_groups:
  - id: g.changed
    visibility: public
    brief: Drops an opt-in attribute, adds a recommended and an opt-in one.
    stability: stable
    attributes:
      - ref: g.a
      - ref: g.b
        requirement_level: opt_in
  - id: g.demoted
    visibility: public
    brief: Stable, then development.
    stability: stable
    attributes:
      - ref: g.a
  - id: g.gone
    visibility: public
    brief: Removed.
    stability: development
    attributes:
      - ref: g.a
  - id: g.internal
    visibility: internal
    brief: Internal groups are authoring aids and may go away.
    stability: stable
    attributes:
      - ref: g.a
)";
  std::string current = std::string("file_format: definition/2\n") + attributes + R"(
attribute_groups:
  - id: g.changed
    visibility: public
    brief: Drops an opt-in attribute, adds a recommended and an opt-in one.
    stability: stable
    attributes:
      - ref: g.a
      - ref: g.c
      - ref: g.d
        requirement_level: opt_in
  - id: g.demoted
    visibility: public
    brief: Stable, then development.
    stability: development
    attributes:
      - ref: g.a
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_attribute_group_dropped_attributes | g.changed | Attribute group "
                "'g.changed' cannot remove attributes (missing g.b)",
                "compatibility_attribute_group_added_attributes | g.changed | Attribute group "
                "'g.changed' cannot add required/recommended attributes (added g.c)",
                "compatibility_attribute_group_changed_stability | g.demoted | Attribute group "
                "'g.demoted' cannot change from stable (now 'development')",
                "compatibility_attribute_group_removed | g.gone | Attribute group 'g.gone' no "
                "longer exists in the registry",
            }));
}

// ------------------------------------------------------------------------------ exceptions

TEST(Compatibility, RemovalExcusedByAnnotatedRefinementOrGroup) {
  const char* attributes = R"(attributes:
  - key: x.id
    type: string
    brief: Id.
    stability: stable
)";
  std::string base = std::string("file_format: definition/2\n") + attributes + R"(metrics:
  - name: x.old
    brief: Now a refinement of x.base.
    instrument: counter
    unit: "1"
    stability: stable
spans:
  - type: x.old
    brief: Now a refinement of x.base.
    kind: client
    stability: stable
events:
  - name: x.old
    brief: Now a refinement of x.base.
    stability: stable
entities:
  - type: x.host
    brief: Now a public attribute group.
    stability: stable
    identity:
      - ref: x.id
  - type: x.old2
    brief: Now a refinement, without the exception.
    stability: stable
    identity:
      - ref: x.id
)";
  std::string current = std::string("file_format: definition/2\n") + attributes + R"(metrics:
  - name: x.base
    brief: Base.
    instrument: counter
    unit: "1"
    stability: stable
spans:
  - type: x.base
    brief: Base.
    kind: client
    stability: stable
events:
  - name: x.base
    brief: Base.
    stability: stable
entities:
  - type: x.base
    brief: Base.
    stability: stable
    identity:
      - ref: x.id
metric_refinements:
  - id: x.old
    ref: x.base
    annotations:
      compatibility:
        policy_exceptions: [metric_missing]
span_refinements:
  - id: span.x.old
    ref: x.base
    annotations:
      compatibility:
        policy_exceptions: [span_missing]
event_refinements:
  - id: event.x.old
    ref: x.base
    annotations:
      compatibility:
        policy_exceptions: [event_missing]
entity_refinements:
  - id: x.old2
    ref: x.base
attribute_groups:
  - id: x.host
    visibility: public
    brief: The former entity x.host.
    stability: development
    annotations:
      compatibility:
        policy_exceptions: [entity_missing]
    attributes:
      - ref: x.id
        requirement_level: opt_in
)";
  EXPECT_EQ(findings(base, current),
            (std::vector<std::string>{
                "compatibility_entity_missing | x.old2 | Entity 'x.old2' no longer exists in the "
                "registry",
            }));
}

// ------------------------------------------------------------------------------ locations

TEST(Compatibility, ChangesPointAtTheCurrentItemRemovalsAtTheBaselineOne) {
  std::string base = R"(file_format: definition/2
metrics:
  - name: l.changed
    brief: Changes unit.
    instrument: counter
    unit: s
    stability: stable
  - name: l.gone
    brief: Removed.
    instrument: counter
    unit: s
    stability: stable
)";
  std::string current = R"(file_format: definition/2
# two lines
# moved
metrics:
  - name: l.changed
    brief: Changes unit.
    instrument: counter
    unit: ms
    stability: stable
)";
  Diagnostics diagnostics;
  check_compatibility(resolve_yaml(base), resolve_yaml(current), diagnostics);
  ASSERT_EQ(diagnostics.all().size(), 2u);
  const Diagnostic& changed = diagnostics.all()[0];
  EXPECT_EQ(changed.id, "compatibility_metric_changed_unit");
  EXPECT_EQ(changed.location.file, "model.yaml");
  EXPECT_EQ(changed.location.line, 5);
  const Diagnostic& gone = diagnostics.all()[1];
  EXPECT_EQ(gone.id, "compatibility_metric_missing");
  EXPECT_EQ(gone.location.file, "model.yaml");
  EXPECT_EQ(gone.location.line, 8);
}

// ------------------------------------------------------------------------------ Weaver's pair

}  // namespace
