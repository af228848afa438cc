// JSON rendering of published views and the live schema: parsed back and checked value by value.
#include "coretel/export/json.h"

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "coretel/export/live_schema.h"
#include "export_test_sets.h"

namespace coretel_export_test {
namespace {

using nlohmann::json;

const json* find_set(const json& doc, std::string_view name) {
  for (const json& set : doc.at("metric_sets"))
    if (set.at("name") == name) return &set;
  return nullptr;
}

const json& find_field(const json& bucket, std::string_view name) {
  for (const json& field : bucket.at("fields"))
    if (field.at("name") == name) return field;
  throw std::out_of_range(std::string(name));
}

TEST(MetricsJson, EveryInstrumentKindAndUnit) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(-1);
  auto app = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}, {"core", int64_t{3}}},
                                                {{"region", "eu"}, {"ratio", 0.5}, {"on", true}});
  app->requests.add(std::numeric_limits<uint64_t>::max());  // exact, not via double
  app->sent.add(1.5);
  app->temperature.set(-4);
  app->active.add(2);
  app->cpu_time.observe(12);
  app->latency.record(0.25);
  app->latency.record(1.0);
  app->size.record(0.5);
  app->size.record(2.0);
  app->size.record(10.0);
  reporter->report_all();
  pipeline.collect_now();

  coretel::Resource resource{{{"service.name", "svc"}, {"process.pid", int64_t{42}}}};
  json doc = json::parse(coretel::render_metrics_json(resource, pipeline.views()));
  EXPECT_EQ(doc.at("resource"), (json{{"service.name", "svc"}, {"process.pid", 42}}));
  EXPECT_GT(doc.at("time_unix_nano").get<uint64_t>(), 0u);

  const json* set = find_set(doc, "app.server");
  ASSERT_NE(set, nullptr) << doc.dump(2);
  EXPECT_EQ(set->at("brief"), "An application server.");
  EXPECT_EQ(set->at("series_id"), app.series().id);
  EXPECT_EQ(set->at("entity"), (json{{"pipeline.name", "p1"}, {"core", 3}}));
  EXPECT_TRUE(set->at("entity").at("core").is_number_integer());
  EXPECT_EQ(set->at("registration"), (json{{"region", "eu"}, {"ratio", 0.5}, {"on", true}}));
  EXPECT_EQ(set->at("start_time_unix_nano"), app.series().start_time_unix_nano);
  EXPECT_GE(set->at("last_update_unix_nano").get<uint64_t>(),
            set->at("start_time_unix_nano").get<uint64_t>());
  ASSERT_EQ(set->at("buckets").size(), 1u);
  const json& bucket = set->at("buckets")[0];
  EXPECT_EQ(bucket.at("attributes"), json::object());
  ASSERT_EQ(bucket.at("fields").size(), 7u);

  const json& requests = find_field(bucket, "app.requests");
  EXPECT_EQ(requests.at("unit"), "{request}");
  EXPECT_EQ(requests.at("brief"), "Requests served.");
  EXPECT_EQ(requests.at("instrument"), "counter");
  EXPECT_EQ(requests.at("temporality"), "delta");
  EXPECT_EQ(requests.at("value_type"), "u64");
  EXPECT_TRUE(requests.at("value").is_number_unsigned());
  EXPECT_EQ(requests.at("value").get<uint64_t>(), std::numeric_limits<uint64_t>::max());

  const json& sent = find_field(bucket, "app.sent");
  EXPECT_EQ(sent.at("unit"), "By");
  EXPECT_EQ(sent.at("value_type"), "f64");
  EXPECT_TRUE(sent.at("value").is_number_float());
  EXPECT_EQ(sent.at("value").get<double>(), 1.5);

  const json& temperature = find_field(bucket, "app.temperature");
  EXPECT_EQ(temperature.at("instrument"), "gauge");
  EXPECT_EQ(temperature.at("temporality"), "none");
  EXPECT_EQ(temperature.at("value_type"), "i64");
  EXPECT_TRUE(temperature.at("value").is_number_integer());
  EXPECT_EQ(temperature.at("value").get<int64_t>(), -4);

  const json& active = find_field(bucket, "app.active");
  EXPECT_EQ(active.at("instrument"), "updowncounter");
  EXPECT_EQ(active.at("temporality"), "cumulative");
  EXPECT_EQ(active.at("value"), 2);

  const json& cpu = find_field(bucket, "app.cpu.time");
  EXPECT_EQ(cpu.at("instrument"), "observe_counter");
  EXPECT_EQ(cpu.at("unit"), "s");
  EXPECT_EQ(cpu.at("value"), 12);

  const json& latency = find_field(bucket, "app.latency");
  EXPECT_EQ(latency.at("instrument"), "mmsc");
  EXPECT_EQ(latency.at("value_type"), "f64");
  EXPECT_EQ(latency.at("value"), (json{{"min", 0.25}, {"max", 1.0}, {"sum", 1.25}, {"count", 2}}));

  const json& size = find_field(bucket, "app.size");
  EXPECT_EQ(size.at("instrument"), "histogram");
  EXPECT_EQ(
      size.at("value"),
      (json{{"bounds", {0.5, 1.0, 2.5}}, {"counts", {1, 0, 1, 1}}, {"sum", 12.5}, {"count", 3}}));
}

TEST(MetricsJson, MeasuredSetBucketsAndEmptyMmsc) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(-1);
  auto http = reporter->register_set<HttpByMethod>({{"service", "api"}});
  auto idle = reporter->register_set<AppMetrics>({{"id", "idle"}});
  http->with(Method::kPost).requests.add(4);
  reporter->report_all();
  pipeline.collect_now();
  json doc = json::parse(coretel::render_metrics_json({}, pipeline.views()));
  EXPECT_EQ(doc.at("resource"), json::object());

  const json* set = find_set(doc, "app.http");
  ASSERT_NE(set, nullptr);
  ASSERT_EQ(set->at("buckets").size(), 1u);  // only the observed bucket
  const json& bucket = set->at("buckets")[0];
  EXPECT_EQ(bucket.at("attributes"), (json{{"http.request.method", "POST"}}));
  EXPECT_EQ(find_field(bucket, "app.http.requests").at("value"), 4);
  EXPECT_EQ(find_field(bucket, "app.http.load").at("value"), 0.0);

  const json* idle_set = find_set(doc, "app.server");
  ASSERT_NE(idle_set, nullptr);
  const json& latency = find_field(idle_set->at("buckets")[0], "app.latency").at("value");
  EXPECT_TRUE(latency.at("min").is_null());
  EXPECT_TRUE(latency.at("max").is_null());
  EXPECT_EQ(latency.at("count"), 0);
}

TEST(LiveSchema, DistinctSetsWithAttributeKinds) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(-1);
  auto a = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}}, {{"region", "eu"}});
  auto b = reporter->register_set<AppMetrics>({{"pipeline.name", "p2"}, {"core", int64_t{1}}});
  auto http = reporter->register_set<HttpByMethod>({{"service", "api"}});
  json doc = json::parse(coretel::render_live_schema(pipeline.registry()));
  EXPECT_EQ(doc.at("file_format"), "coretel-live-schema/1");

  const json* app = find_set(doc, "app.server");
  ASSERT_NE(app, nullptr);
  int app_sets = 0;
  for (const json& s : doc.at("metric_sets")) app_sets += s.at("name") == "app.server";
  EXPECT_EQ(app_sets, 1);  // deduplicated by descriptor
  EXPECT_EQ(app->at("brief"), "An application server.");
  EXPECT_EQ(app->at("stability"), "development");
  ASSERT_EQ(app->at("fields").size(), 7u);
  const json& size = app->at("fields")[6];
  EXPECT_EQ(size.at("name"), "app.size");
  EXPECT_EQ(size.at("unit"), "By");
  EXPECT_EQ(size.at("instrument"), "histogram");
  EXPECT_EQ(size.at("bounds"), (json{0.5, 1.0, 2.5}));
  EXPECT_FALSE(app->at("fields")[0].contains("bounds"));
  EXPECT_EQ(app->at("entity_attributes"), (json{{{"key", "core"}, {"type", "int"}},
                                                {{"key", "pipeline.name"}, {"type", "string"}}}));
  EXPECT_EQ(app->at("registration_attributes"), (json{{{"key", "region"}, {"type", "string"}}}));
  EXPECT_EQ(app->at("measurement_attributes"), json::array());

  const json* h = find_set(doc, "app.http");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->at("measurement_attributes"), (json{{{"key", "http.request.method"},
                                                    {"type", "string"},
                                                    {"values", {"GET", "POST", "O\"D\\D"}}}}));

  // Self-metrics of the reporter are live series too.
  EXPECT_NE(find_set(doc, "coretel.reporter"), nullptr);

  json method;
  for (const json& attribute : doc.at("attributes"))
    if (attribute.at("key") == "http.request.method") method = attribute;
  EXPECT_EQ(method, (json{{"key", "http.request.method"},
                          {"type", "string"},
                          {"kinds", {"measurement"}},
                          {"values", {"GET", "POST", "O\"D\\D"}}}));
  json region;
  for (const json& attribute : doc.at("attributes"))
    if (attribute.at("key") == "region") region = attribute;
  EXPECT_EQ(region, (json{{"key", "region"}, {"type", "string"}, {"kinds", {"registration"}}}));
}

}  // namespace
}  // namespace coretel_export_test
