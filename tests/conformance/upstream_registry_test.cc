// The schema tool over the real upstream registries (conformance data, CORETEL_CONFORMANCE_DATA):
// the OpenTelemetry semantic-conventions registry (model/), OpenTelemetry Weaver's resolver
// fixtures and the otel-arrow registry: check with no error and exact counts, resolved output
// read back as a published registry, Markdown of the whole registry, and the command line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "generate_markdown.h"
#include "resolved_writer.h"
#include "schema_test_support.h"
#include "stats.h"

namespace fs = std::filesystem;
using namespace coretel::schema;
using coretel::schema::testing::check_dir;
using coretel::schema::testing::run_schema_tool;
using coretel::schema::testing::TempDir;

namespace {

const fs::path kData = fs::path(CORETEL_CONFORMANCE_DATA);
const fs::path kModel = kData / "semconv" / "model";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    files.insert(e.path().filename().string());
  }
  return files;
}

TEST(Resolver, RefinementsDeepMergeAnnotationsAndKeepInheritedLevels) {
  fs::path file = kData /
                  "weaver-cases/weaver/crates/weaver_resolver/data/"
                  "registry-test-v2-4-refinements/registry";
  auto c = check_dir(file, false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  const ResolvedRegistry& r = c.loaded.resolved;
  ASSERT_EQ(r.metric_refinements.size(), 1u);
  const Signal& refined = r.metric_refinements[0];
  EXPECT_EQ(refined.refines, "base.metric");
  EXPECT_EQ(refined.brief, "Refined metric");
  EXPECT_EQ(refined.annotations["config"],
            Json::parse(R"({"enabled":true,"mode":"slow","nested":{"a":1,"b":99,"c":3},)"
                        R"("timeout":500})"));
  for (const AttributeRef& ref : refined.attributes) {
    if (r.attribute(ref).key == "test.attr") {
      EXPECT_EQ(to_string(ref.requirement_level.level), "conditionally_required");
      EXPECT_EQ(r.attribute(ref).examples, Json::array({42}));
    }
  }
  ASSERT_EQ(r.entity_refinements.size(), 1u);
  EXPECT_EQ(r.entity_refinements[0].attributes.size(), 3u);
}

TEST(Upstream, SemanticConventionsCheckWithNoErrorsAndCount) {
  auto c = check_dir(kModel);
  std::string errors;
  for (const Diagnostic& d : c.diagnostics.all()) {
    if (d.severity == Severity::kError) errors += format_text(d) + "\n";
  }
  EXPECT_EQ(errors, "");
  ASSERT_TRUE(c.loaded.resolved_ok);
  Json stats = registry_stats(c.loaded.definition, c.loaded.resolved);
  EXPECT_EQ(stats["attributes"], 943);
  EXPECT_EQ(stats["metrics"], 541);
  EXPECT_EQ(stats["events"], 32);
  // 78 span definitions, 20 of them v1 groups that `extend` another span: refinements of it in
  // the v2 view, as Weaver's v1 -> v2 conversion makes them (35 v2 refinements + 20).
  EXPECT_EQ(stats["spans"], 58);
  EXPECT_EQ(stats["entities"], 64);
  EXPECT_EQ(stats["attribute_groups"], 229);
  EXPECT_EQ(stats["deprecated_attributes"], 207);
  EXPECT_EQ(stats["deprecated_metrics"], 97);
  EXPECT_EQ(stats["metric_refinements"], 21);
  EXPECT_EQ(stats["span_refinements"], 55);
  const ResolvedRegistry& r = c.loaded.resolved;
  auto postgres =
      std::find_if(r.span_refinements.begin(), r.span_refinements.end(),
                   [](const Signal& s) { return s.group_id == "span.db.postgresql.client"; });
  ASSERT_NE(postgres, r.span_refinements.end());
  EXPECT_EQ(postgres->refines, "db.sql.client");  // its `extends: span.db.sql.client`
  EXPECT_EQ(postgres->name, "db.sql.client");
  EXPECT_EQ(postgres->span_kind, "client");
  EXPECT_EQ(postgres->stability, RegistryStability::kStable);
}

TEST(Upstream, ResolvedOutputRoundTripsAsAPublishedRegistry) {
  auto c = check_dir(kModel, false);
  ASSERT_TRUE(c.loaded.resolved_ok);
  Json resolved = to_resolved_json(c.loaded.resolved);
  EXPECT_EQ(resolved["file_format"], "resolved/2.0");
  for (const Json& m : resolved["registry"]["metrics"]) {
    for (const Json& a : m["attributes"]) {
      ASSERT_LT(a["base"].get<std::size_t>(), resolved["attribute_catalog"].size());
    }
  }
  TempDir published;
  published.write("manifest.yaml",
                  "file_format: manifest/2.0\nschema_url: https://example.com/schemas/1.0.0\n"
                  "resolved_registry_uri: resolved.yaml\n");
  published.write("resolved.yaml", to_yaml(resolved));
  auto again = check_dir(published.path(), false);
  ASSERT_TRUE(again.loaded.resolved_ok) << format_json(again.diagnostics.all());
  Json a = registry_stats(c.loaded.definition, c.loaded.resolved);
  Json b = registry_stats(again.loaded.definition, again.loaded.resolved);
  for (const char* key : {"attributes", "metrics", "events", "spans", "entities",
                          "deprecated_attributes", "deprecated_metrics"}) {
    EXPECT_EQ(a[key], b[key]) << key;
  }
  // Per-signal overrides survive: the catalog read back holds the same variants (in another
  // order: the catalog is in resolution order).
  auto variants = [](const Json& catalog) {
    std::multiset<std::string> out;
    for (const Json& a : catalog) out.insert(a.dump());
    return out;
  };
  auto written = variants(resolved["attribute_catalog"]);
  auto read_back = variants(to_resolved_json(again.loaded.resolved)["attribute_catalog"]);
  // Every variant comes back. (Three did not while the role-less attributes of v1 `type:
  // resource` groups were left out of an entity's identity and description lists; they are
  // description attributes, as Weaver converts them.)
  std::vector<std::string> lost;
  std::set_difference(written.begin(), written.end(), read_back.begin(), read_back.end(),
                      std::back_inserter(lost));
  EXPECT_TRUE(lost.empty()) << lost.size()
                            << " variants lost, the first: " << (lost.empty() ? "" : lost.front());
  EXPECT_TRUE(std::includes(written.begin(), written.end(), read_back.begin(), read_back.end()))
      << "the published registry read back holds a variant that was not written";
  Json c2 = registry_stats(again.loaded.definition, again.loaded.resolved);
  EXPECT_EQ(a["metric_refinements"], c2["metric_refinements"]);
  EXPECT_EQ(a["span_refinements"], c2["span_refinements"]);
}

TEST(Upstream, OtelArrowRegistryLoadsAndChecks) {
  auto c = check_dir(kData / "otel-arrow-registry");
  EXPECT_FALSE(c.diagnostics.failed()) << format_json(c.diagnostics.all());
  EXPECT_EQ(c.loaded.resolved.events.size(), 3u);
  EXPECT_EQ(c.loaded.definition.manifest.schema_url,
            "https://opentelemetry.io/otap-dataflow/schemas/0.1.0");
}

TEST(CommandLine, StatsJsonKeys) {
  std::string out;
  ASSERT_EQ(run_schema_tool("stats --format json " + (kModel).string(), out), 0);
  Json stats = Json::parse(out);
  for (const char* key :
       {"attributes", "metrics", "events", "spans", "entities", "attribute_groups", "metric_sets",
        "deprecated_attributes", "deprecated_metrics"}) {
    EXPECT_TRUE(stats.contains(key)) << key;
  }
  EXPECT_EQ(stats["metrics"], 541);
}

TEST(CommandLine, ResolveWritesJsonAndYaml) {
  TempDir out_dir;
  std::string out;
  fs::path json_file = out_dir.path() / "r.json";
  ASSERT_EQ(run_schema_tool("resolve --format json -o " + json_file.string() + " " +
                                (kData / "weaver-cases/weaver/tests/v2_check/model").string(),
                            out),
            0)
      << out;
  std::ifstream in(json_file);
  Json doc = Json::parse(in);
  EXPECT_EQ(doc["registry"]["metrics"][0]["name"], "my.metric");
  EXPECT_EQ(doc["registry"]["metrics"][0]["attributes"][0]["requirement_level"], "recommended");
  EXPECT_EQ(doc["attribute_catalog"]
               [doc["registry"]["metrics"][0]["attributes"][0]["base"].get<std::size_t>()]["key"],
            "my.attr");
  EXPECT_EQ(doc["registry"]["entities"][0]["identity"].size(), 1u);
  EXPECT_EQ(doc["registry"]["attribute_groups"][0]["id"], "my");
}

TEST(Markdown, WholeUpstreamRegistry) {
  Diagnostics diagnostics;
  LoadedRegistry loaded = load_registry(kModel, diagnostics, CheckOptions{false});
  ASSERT_TRUE(loaded.resolved_ok);
  const ResolvedRegistry& r = loaded.resolved;

  // One page per root namespace of everything the registry documents. Refinements are named by
  // group ids (`span.db.postgresql.client`, `metric.hw.enclosure.status`), whose kind prefix
  // does not count; v1 spans by their type (`span.http.client` is type `http.client`).
  std::set<std::string> namespaces;
  auto root = [](std::string name) { return name.substr(0, name.find('.')); };
  auto root_of_id = [&](const std::string& id, const std::string& prefix) {
    return root(id.rfind(prefix, 0) == 0 ? id.substr(prefix.size()) : id);
  };
  for (std::size_t index : r.attributes) namespaces.insert(root(r.catalog[index].key));
  for (const auto* list : {&r.metrics, &r.events, &r.entities, &r.attribute_groups}) {
    for (const Signal& s : *list) namespaces.insert(root(s.name));
  }
  for (const Signal& s : r.spans) namespaces.insert(root(s.name));
  for (const auto& [list, prefix] :
       {std::pair{&r.metric_refinements, "metric."}, std::pair{&r.span_refinements, "span."},
        std::pair{&r.event_refinements, "event."}, std::pair{&r.entity_refinements, "entity."}}) {
    for (const Signal& s : *list) namespaces.insert(root_of_id(s.group_id, prefix));
  }
  EXPECT_EQ(namespaces.count("span"), 0u);
  EXPECT_EQ(namespaces.count("metric"), 0u);

  TempDir out;
  std::string error;
  ASSERT_TRUE(generate_markdown(r, out.path(), error)) << error;
  std::set<std::string> files = files_in(out.path());
  EXPECT_EQ(files.size(), namespaces.size() + 1);
  EXPECT_GT(files.size(), 50u);
  for (const std::string& ns : namespaces) EXPECT_EQ(files.count(ns + ".md"), 1u) << ns;

  std::string http = read(out.path() / "http.md");
  EXPECT_NE(http.find("| `http.request.method` | enum: `CONNECT`, "), std::string::npos);
  EXPECT_NE(http.find("| `http.server.request.duration` | histogram | `s` |"), std::string::npos);
  EXPECT_NE(http.find("| `http.client` | client |"), std::string::npos);
  std::string index = read(out.path() / "README.md");
  EXPECT_NE(index.find("- Schema URL: `https://opentelemetry.io/schemas/"), std::string::npos);
  EXPECT_NE(index.find("| [http](http.md) |"), std::string::npos);
  EXPECT_NE(index.find("| Attributes | " + std::to_string(r.attributes.size()) + " |"),
            std::string::npos);

  // Every table row has as many cells as its header: no stray `|` or newline split a row.
  for (const std::string& f : files) {
    std::istringstream in(read(out.path() / f));
    std::size_t columns = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("|", 0) != 0) {
        columns = 0;
        continue;
      }
      std::size_t cells = 0;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\') {
          ++i;
        } else if (line[i] == '|') {
          ++cells;
        }
      }
      if (columns == 0) columns = cells;
      EXPECT_EQ(cells, columns) << f << ": " << line;
    }
  }

  // A second run over the same output changes nothing.
  std::string before = read(out.path() / "http.md");
  ASSERT_TRUE(generate_markdown(r, out.path(), error)) << error;
  EXPECT_EQ(read(out.path() / "http.md"), before);
}

TEST(Markdown, Cli) {
  TempDir out;
  std::string output;
  int code = run_schema_tool(
      "generate markdown " + kModel.string() + " -o " + (out.path() / "md").string(), output);
  ASSERT_EQ(code, 0) << output;
  EXPECT_TRUE(fs::exists(out.path() / "md" / "README.md"));
  EXPECT_TRUE(fs::exists(out.path() / "md" / "http.md"));
  EXPECT_NE(read(out.path() / "md" / "http.md").find("`http.request.method`"), std::string::npos);
}

}  // namespace
