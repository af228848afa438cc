// Rules Weaver applies that registries written from its documentation rely on: multi-registry
// setups (an application registry on top of dependencies: what it may name, refinements of
// their signals, entity associations, versions, manifests) and legacy syntax (the `version`
// field, `prefix: true`, inherited ref levels, v1 resources and `extends`, examples). One folder
// of registries per rule under tests/schema/registries/weaver-rules/, listed with its
// expectations in INDEX.yaml there, in the data-driven style of the Weaver cases test
// (tests/conformance/weaver_cases_test.cc).
//
// How INDEX.yaml is read, per case:
//   folder:      the case's folder of registries (default: the case's id); cases may share one.
//   check:       the registry folder (below the case's folder) that is checked; its manifest
//                names the others as dependencies.
//   expect:      accept (no error) | reject (an error).
//   diagnostics: every diagnostic, in order, as `Id severity file:line[ subject]` (file
//                relative to the checked registry); UnstableFileFormat warnings (one per
//                definition/2 file) are left out.
//   resolved:    for each listed section (metrics, spans, events, entities and their
//                `*_refinements`), every resolved signal in order, as
//                `<name> [<key>=<requirement level>[/<role>], ...]`, a refinement as
//                `<id> refines <signal> [...]`, an imported signal prefixed with `dep:`;
//                then ` entities: ` and the entity associations, `one_of(...)` / `all_of(...)`
//                nested, a leaf `<entity>` or `<entity>@<schema_url of the declaring registry>`.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "schema_test_support.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;

namespace {

const fs::path kCases = fs::path(CORETEL_SOURCE_DIR) / "tests/schema/registries/weaver-rules";

struct RuleCase {
  std::string id;
  std::string folder;
  std::string check;
  std::string expect;
  std::vector<std::string> diagnostics;
  std::vector<std::pair<std::string, std::vector<std::string>>> resolved;
};

std::vector<std::string> strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const YAML::Node& s : list) out.push_back(s.as<std::string>());
  return out;
}

std::vector<RuleCase> load_index() {
  YAML::Node index = YAML::LoadFile((kCases / "INDEX.yaml").string());
  std::vector<RuleCase> cases;
  for (const YAML::Node& c : index["cases"]) {
    RuleCase mc;
    mc.id = c["id"].as<std::string>();
    mc.folder = c["folder"] ? c["folder"].as<std::string>() : mc.id;
    mc.check = c["check"].as<std::string>();
    mc.expect = c["expect"].as<std::string>();
    if (c["diagnostics"]) mc.diagnostics = strings(c["diagnostics"]);
    if (c["resolved"]) {
      for (const auto& section : c["resolved"]) {
        mc.resolved.emplace_back(section.first.as<std::string>(), strings(section.second));
      }
    }
    cases.push_back(std::move(mc));
  }
  return cases;
}

std::string associations(const std::vector<EntityAssociation>& list) {
  std::vector<std::string> parts;
  for (const EntityAssociation& a : list) {
    if (a.kind == EntityAssociation::Kind::kEntity) {
      parts.push_back(a.provenance.empty() ? a.entity : a.entity + "@" + a.provenance);
    } else {
      parts.push_back(fmt::format("{}({})",
                                  a.kind == EntityAssociation::Kind::kOneOf ? "one_of" : "all_of",
                                  associations(a.members)));
    }
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string summary(const ResolvedRegistry& r, const Signal& s, bool refinement) {
  std::vector<std::string> attributes;
  for (const AttributeRef& a : s.attributes) {
    attributes.push_back(fmt::format("{}={}{}", r.attribute(a).key,
                                     to_string(a.requirement_level.level),
                                     a.role.empty() ? "" : "/" + a.role));
  }
  std::string head = refinement ? fmt::format("{} refines {}", s.group_id, s.refines) : s.name;
  std::string out =
      fmt::format("{}{} [{}]", s.from_dependency ? "dep:" : "", head, fmt::join(attributes, ", "));
  if (!s.entity_associations.empty()) out += " entities: " + associations(s.entity_associations);
  return out;
}

std::vector<std::string> section(const ResolvedRegistry& r, const std::string& name) {
  const std::vector<Signal>* list = name == "metrics"              ? &r.metrics
                                    : name == "spans"              ? &r.spans
                                    : name == "events"             ? &r.events
                                    : name == "entities"           ? &r.entities
                                    : name == "metric_refinements" ? &r.metric_refinements
                                    : name == "span_refinements"   ? &r.span_refinements
                                    : name == "event_refinements"  ? &r.event_refinements
                                    : name == "entity_refinements" ? &r.entity_refinements
                                                                   : nullptr;
  if (!list) return {"unknown section " + name};
  std::vector<std::string> out;
  bool refinement = name.find("refinements") != std::string::npos;
  for (const Signal& s : *list) out.push_back(summary(r, s, refinement));
  return out;
}

void PrintTo(const RuleCase& c, std::ostream* os) {
  *os << c.id;
}

class WeaverRuleCase : public ::testing::TestWithParam<RuleCase> {};

TEST_P(WeaverRuleCase, DiagnosticsAndResolvedSignals) {
  const RuleCase& c = GetParam();
  auto checked = check_dir(kCases / c.folder / c.check, false);
  std::vector<std::string> seen;
  for (const Diagnostic& d : checked.diagnostics.all()) {
    if (d.id == "UnstableFileFormat") continue;
    std::string line =
        fmt::format("{} {} {}:{}", d.id, d.severity == Severity::kError ? "error" : "warning",
                    d.location.file, d.location.line);
    seen.push_back(d.subject.empty() ? line : line + " " + d.subject);
  }
  std::string listing;
  for (const Diagnostic& d : checked.diagnostics.all()) listing += "  " + format_text(d) + "\n";
  SCOPED_TRACE("diagnostics:\n" + listing);
  EXPECT_EQ(seen, c.diagnostics);
  EXPECT_EQ(checked.diagnostics.failed(), c.expect == "reject");
  for (const auto& [name, expected] : c.resolved) {
    ASSERT_TRUE(checked.loaded.resolved_ok);
    EXPECT_EQ(section(checked.loaded.resolved, name), expected) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Index, WeaverRuleCase, ::testing::ValuesIn(load_index()),
                         [](const ::testing::TestParamInfo<RuleCase>& info) {
                           std::string name = info.param.id;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// The index uses every case folder, and every folder it names exists.
TEST(WeaverRuleIndex, ListsEveryCaseFolder) {
  std::set<std::string> listed;
  for (const RuleCase& c : load_index()) listed.insert(c.folder);
  std::set<std::string> folders;
  for (const fs::directory_entry& e : fs::directory_iterator(kCases)) {
    if (e.is_directory()) folders.insert(e.path().filename().string());
  }
  EXPECT_EQ(listed, folders);
}

}  // namespace
