// JSON rendering of published views and the live schema: parsed back and checked value by value.
#include "coretel/export/json.h"

#include <limits>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "coretel/export/live_schema.h"
#include "coretel/export/utf8.h"
#include "export_test_sets.h"

namespace coretel_export_test {

// A set described the way generated code describes one: registry facts for its attributes
// (one of them a measurement enum) and a schema URL.
enum class QueueOrder : uint8_t { kFifo, kLifo };
CORETEL_MEASUREMENT_ATTRIBUTE(QueueOrder, "queue.order", "fifo", "lifo");

inline constexpr std::string_view kQueueOrders[] = {"fifo", "lifo"};
inline constexpr coretel::AttributeDescriptor kQueueAttributes[] = {
    {"queue.name", "string", "The queue's name.", coretel::Stability::kStable,
     coretel::RequirementLevel::kRequired},
    {"queue.order", "enum", "How the queue orders items.", coretel::Stability::kBeta,
     coretel::RequirementLevel::kRecommended, kQueueOrders, true},
    {"queue.shard", "int", "", coretel::Stability::kDevelopment, coretel::RequirementLevel::kOptIn},
};

struct CORETEL_METRIC_SET_STRUCT(QueueMetrics) {
  coretel::Counter<uint64_t> pushed;
  coretel::ObserveUpDownCounter<int64_t> depth;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY(
    QueueMetrics, "app.queue", "A work queue.", coretel::Stability::kBeta,
    std::span<const coretel::AttributeDescriptor>(kQueueAttributes),
    "https://example.com/schemas/1.2.0",
    CORETEL_FIELD(pushed, "app.queue.pushed", "{item}", "Items pushed.",
                  coretel::Stability::kStable),
    CORETEL_FIELD(depth, "app.queue.depth", "{item}", "Items waiting."));
using QueueByOrder = coretel::MeasuredSet<QueueMetrics, QueueOrder>;

// A registry-described set from another registry (another schema URL), without attributes.
struct CORETEL_METRIC_SET_STRUCT(PoolMetrics) {
  coretel::Gauge<int64_t> size;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET_FROM_REGISTRY(
    PoolMetrics, "app.pool", "A buffer pool.", coretel::Stability::kDevelopment,
    std::span<const coretel::AttributeDescriptor>(), "https://example.com/schemas/2.0.0",
    CORETEL_FIELD(size, "app.pool.size", "{buffer}", "Buffers in the pool."));

namespace {

using nlohmann::json;

const json* find_set(const json& doc, std::string_view name) {
  for (const json& set : doc.at("metric_sets"))
    if (set.at("name") == name) return &set;
  return nullptr;
}

const json& find_field(const json& combination, std::string_view name) {
  for (const json& field : combination.at("fields"))
    if (field.at("name") == name) return field;
  throw std::out_of_range(std::string(name));
}

TEST(MetricsJson, EveryInstrumentKindAndUnit) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
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
  const json& combination = set->at("buckets")[0];
  EXPECT_EQ(combination.at("attributes"), json::object());
  ASSERT_EQ(combination.at("fields").size(), 7u);

  const json& requests = find_field(combination, "app.requests");
  EXPECT_EQ(requests.at("unit"), "{request}");
  EXPECT_EQ(requests.at("brief"), "Requests served.");
  EXPECT_EQ(requests.at("instrument"), "counter");
  EXPECT_EQ(requests.at("temporality"), "delta");
  EXPECT_EQ(requests.at("value_type"), "u64");
  EXPECT_TRUE(requests.at("value").is_number_unsigned());
  EXPECT_EQ(requests.at("value").get<uint64_t>(), std::numeric_limits<uint64_t>::max());

  const json& sent = find_field(combination, "app.sent");
  EXPECT_EQ(sent.at("unit"), "By");
  EXPECT_EQ(sent.at("value_type"), "f64");
  EXPECT_TRUE(sent.at("value").is_number_float());
  EXPECT_EQ(sent.at("value").get<double>(), 1.5);

  const json& temperature = find_field(combination, "app.temperature");
  EXPECT_EQ(temperature.at("instrument"), "gauge");
  EXPECT_EQ(temperature.at("temporality"), "none");
  EXPECT_EQ(temperature.at("value_type"), "i64");
  EXPECT_TRUE(temperature.at("value").is_number_integer());
  EXPECT_EQ(temperature.at("value").get<int64_t>(), -4);

  const json& active = find_field(combination, "app.active");
  EXPECT_EQ(active.at("instrument"), "updowncounter");
  EXPECT_EQ(active.at("temporality"), "cumulative");
  EXPECT_EQ(active.at("value"), 2);

  const json& cpu = find_field(combination, "app.cpu.time");
  EXPECT_EQ(cpu.at("instrument"), "observe_counter");
  EXPECT_EQ(cpu.at("unit"), "s");
  EXPECT_EQ(cpu.at("value"), 12);

  const json& latency = find_field(combination, "app.latency");
  EXPECT_EQ(latency.at("instrument"), "mmsc");
  EXPECT_EQ(latency.at("value_type"), "f64");
  EXPECT_EQ(latency.at("value"), (json{{"min", 0.25}, {"max", 1.0}, {"sum", 1.25}, {"count", 2}}));

  const json& size = find_field(combination, "app.size");
  EXPECT_EQ(size.at("instrument"), "histogram");
  EXPECT_EQ(size.at("value"), (json{{"bounds", {0.5, 1.0, 2.5}},
                                    {"counts", {1, 0, 1, 1}},
                                    {"min", 0.5},
                                    {"max", 10.0},
                                    {"sum", 12.5},
                                    {"count", 3}}));
}

// The series of the Prometheus invalid-UTF-8 and reserved-key tests, exported as JSON: the
// document parses back, every ill-formed subsequence replaced by U+FFFD exactly as the
// Prometheus exposition replaces it; `le` and `quantile` are plain keys in JSON.
TEST(MetricsJson, InvalidUtf8IsReplacedAndReservedKeysKept) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto bad = reporter->register_set<BadTextMetrics>(bad_text_entity(), bad_text_registration());
  auto reserved = reporter->register_set<ReservedMetrics>({{"quantile", "e"}}, {{"le", "x"}});
  bad->value.set(5);
  reserved->hits.add(2);
  reporter->report_all();
  pipeline.collect_now();

  coretel::Resource resource{{{"service.name", "caf\xE9-\xC3"}, {"le", "1"}}};
  std::string text = coretel::render_metrics_json(resource, pipeline.views());
  EXPECT_TRUE(coretel::is_valid_utf8(text));
  json doc = json::parse(text);
  const std::string R = kFffd;
  EXPECT_EQ(doc.at("resource"), (json{{"service.name", "caf" + R + "-" + R}, {"le", "1"}}));

  const json* set = find_set(doc, "app.bad");
  ASSERT_NE(set, nullptr) << doc.dump(2);
  EXPECT_EQ(set->at("entity"), (json{{"host", "h" + R + "\""}}));
  EXPECT_EQ(set->at("registration"), (json{{"region", "eu" + R + " \xC3\xA9 \xF0\x9F\x98\x80\\"},
                                           {"bad.key" + R, "v" + R + R + R + "x"}}));
  EXPECT_EQ(find_field(set->at("buckets").at(0), "app.bad.value").at("brief"),
            "Brief " + R + " with a bad byte.");

  set = find_set(doc, "app.reserved");
  ASSERT_NE(set, nullptr) << doc.dump(2);
  EXPECT_EQ(set->at("entity"), (json{{"quantile", "e"}}));
  EXPECT_EQ(set->at("registration"), (json{{"le", "x"}}));
}

// coretel::append_valid_utf8 (Prometheus, console) and nlohmann::json's
// error_handler_t::replace (JSON, live schema) replace the same bytes the same way, over
// strings dense in lead, continuation and boundary bytes.
TEST(Utf8, SameReplacementAsTheJsonExporters) {
  static constexpr unsigned char kBytes[] = {'a',  0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                             0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED,
                                             0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> length(0, 10);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kBytes) - 1);
  int invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (std::size_t n = length(random); n > 0; --n)
      s.push_back(static_cast<char>(kBytes[pick(random)]));
    std::string ours = coretel::to_valid_utf8(s);
    std::string theirs = json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace))
                             .get<std::string>();
    ASSERT_EQ(ours, theirs) << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
    EXPECT_TRUE(coretel::is_valid_utf8(ours));
    EXPECT_EQ(coretel::is_valid_utf8(s), ours == s);
    invalid += ours != s;
  }
  EXPECT_GT(invalid, 10000);  // the strings do exercise the replacement
}

TEST(Utf8, SingleLineAndPrefix) {
  std::string out;
  coretel::append_single_line(out, "a\nb\x1b[31m\x7f\xC3\xA9\xFF");
  EXPECT_EQ(out, "a\\x0ab\\x1b[31m\\x7f\xC3\xA9\xEF\xBF\xBD");
  const std::string_view e_acute = "\xC3\xA9\xC3\xA9";  // 4 bytes, 2 characters
  EXPECT_EQ(coretel::utf8_prefix(e_acute, 3), "\xC3\xA9");  // not inside the second one
  EXPECT_EQ(coretel::utf8_prefix(e_acute, 1), "");
  EXPECT_EQ(coretel::utf8_prefix(e_acute, 4), e_acute);
  EXPECT_EQ(coretel::utf8_prefix("abc", 2), "ab");
  EXPECT_EQ(coretel::utf8_prefix("\xE2\x82\xAC!", 2), "");  // a 3-byte euro sign
}

TEST(MetricsJson, MeasuredSetCombinationsAndEmptyMmsc) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto http = reporter->register_set<HttpByMethod>({{"service", "api"}});
  auto idle = reporter->register_set<AppMetrics>({{"id", "idle"}});
  http->with(Method::kPost).requests.add(4);
  reporter->report_all();
  pipeline.collect_now();
  json doc = json::parse(coretel::render_metrics_json({}, pipeline.views()));
  EXPECT_EQ(doc.at("resource"), json::object());

  const json* set = find_set(doc, "app.http");
  ASSERT_NE(set, nullptr);
  ASSERT_EQ(set->at("buckets").size(), 1u);  // only the observed combination
  const json& combination = set->at("buckets")[0];
  EXPECT_EQ(combination.at("attributes"), (json{{"http.request.method", "POST"}}));
  EXPECT_EQ(find_field(combination, "app.http.requests").at("value"), 4);
  EXPECT_EQ(find_field(combination, "app.http.load").at("value"), 0.0);

  const json* idle_set = find_set(doc, "app.server");
  ASSERT_NE(idle_set, nullptr);
  const json& latency = find_field(idle_set->at("buckets")[0], "app.latency").at("value");
  EXPECT_TRUE(latency.at("min").is_null());
  EXPECT_TRUE(latency.at("max").is_null());
  EXPECT_EQ(latency.at("count"), 0);
}

// --- live schema (Weaver resolved/2.0)

/// What every live schema must satisfy whatever the series: resolved/2.0 top level, catalog
/// sorted by key, registry.attributes = first index of every key, metrics sorted by name with
/// every `base` in range, refinements = the metrics with their id.
void expect_resolved_v2(const json& doc) {
  EXPECT_EQ(doc.at("file_format"), "resolved/2.0");
  EXPECT_TRUE(doc.at("schema_url").is_string());
  const json& catalog = doc.at("attribute_catalog");
  ASSERT_TRUE(catalog.is_array());
  json first_of_key = json::array();
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(catalog[i - 1].at("key"), catalog[i].at("key"));
      EXPECT_NE(catalog[i - 1], catalog[i]) << "duplicate catalog entry " << i;
    }
    if (i == 0 || catalog[i - 1].at("key") != catalog[i].at("key")) first_of_key.push_back(i);
    EXPECT_FALSE(catalog[i].contains("requirement_level"));
  }
  const json& registry = doc.at("registry");
  EXPECT_EQ(registry.size(), 6u);
  EXPECT_EQ(registry.at("attributes"), first_of_key);
  for (const char* kind : {"attribute_groups", "spans", "events", "entities"})
    EXPECT_EQ(registry.at(kind), json::array()) << kind;
  const json& metrics = registry.at("metrics");
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    if (m > 0) {
      EXPECT_LT(metrics[m - 1].at("name"), metrics[m].at("name"));
    }
    for (const json& ref : metrics[m].at("attributes")) {
      ASSERT_TRUE(ref.at("base").is_number_unsigned()) << ref;
      EXPECT_LT(ref.at("base").get<std::size_t>(), catalog.size()) << metrics[m].at("name");
    }
  }
  const json& refinements = doc.at("refinements");
  EXPECT_EQ(refinements.size(), 4u);
  for (const char* kind : {"spans", "events", "entities"})
    EXPECT_EQ(refinements.at(kind), json::array()) << kind;
  ASSERT_EQ(refinements.at("metrics").size(), metrics.size());
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    json expected = metrics[m];
    expected["id"] = metrics[m].at("name");
    EXPECT_EQ(refinements.at("metrics")[m], expected);
  }
}

json scalar_attribute(std::string_view key, std::string_view type) {
  return json{{"key", key}, {"type", type}, {"brief", ""}, {"stability", "development"}};
}

json enum_members(std::initializer_list<std::string_view> values,
                  std::string_view stability = "development") {
  json members = json::array();
  for (std::string_view v : values)
    members.push_back(json{{"id", v}, {"value", v}, {"stability", stability}});
  return json{{"members", members}};
}

const json kMeasurement = {{"coretel", {{"measurement", true}}}};

json refs(std::initializer_list<std::pair<std::size_t, std::string_view>> bases) {
  json out = json::array();
  for (const auto& [base, level] : bases)
    out.push_back(json{{"base", base}, {"requirement_level", level}});
  return out;
}

json metric(std::string_view name, std::string_view instrument, std::string_view unit,
            std::string_view brief, json attributes, json coretel,
            std::string_view stability = "development") {
  return json{{"name", name},
              {"instrument", instrument},
              {"unit", unit},
              {"attributes", std::move(attributes)},
              {"brief", brief},
              {"stability", stability},
              {"annotations", {{"coretel", std::move(coretel)}}}};
}

json annotation(std::string_view set, std::string_view value_type, std::string_view temporality,
                std::string_view instrument = "") {
  json out = {{"metric_set", set}, {"value_type", value_type}, {"temporality", temporality}};
  if (!instrument.empty()) out["instrument"] = instrument;
  return out;
}

const json& find_metric(const json& doc, std::string_view name) {
  for (const json& m : doc.at("registry").at("metrics"))
    if (m.at("name") == name) return m;
  throw std::out_of_range(std::string(name));
}

TEST(LiveSchema, InferredFromLiveSeries) {
  coretel::SeriesRegistry registry;
  [[maybe_unused]] auto a = registry.register_series(
      AppMetrics::descriptor, {{"pipeline.name", "p1"}}, {{"region", "eu"}}, {}, 0);
  [[maybe_unused]] auto b = registry.register_series(
      AppMetrics::descriptor, {{"pipeline.name", "p2"}, {"core", int64_t{1}}}, {}, {}, 0);
  [[maybe_unused]] auto http =
      registry.register_series(HttpMetrics::descriptor, {{"service", "api"}, {"core", int64_t{7}}},
                               {{"ratio", 0.5}, {"tls", true}}, HttpByMethod::kAttributes, 0);
  json doc = json::parse(coretel::render_live_schema(registry));
  expect_resolved_v2(doc);
  EXPECT_EQ(doc.at("schema_url"), "");  // hand-declared sets declare none

  json method = scalar_attribute("http.request.method", "");
  method["type"] = enum_members({"GET", "POST", "O\"D\\D"});
  method["annotations"] = kMeasurement;
  // `core` is an int in both sets: one entry.
  EXPECT_EQ(
      doc.at("attribute_catalog"),
      (json{scalar_attribute("core", "int"), method, scalar_attribute("pipeline.name", "string"),
            scalar_attribute("ratio", "double"), scalar_attribute("region", "string"),
            scalar_attribute("service", "string"), scalar_attribute("tls", "boolean")}));
  EXPECT_EQ(doc.at("registry").at("attributes"), (json{0, 1, 2, 3, 4, 5, 6}));

  // app.server: entity keys of both series plus the registration key; app.http: entity,
  // registration and measurement keys.
  json app_refs = refs({{0, "recommended"}, {2, "recommended"}, {4, "recommended"}});
  json http_refs = refs({{0, "recommended"},
                         {1, "recommended"},
                         {3, "recommended"},
                         {5, "recommended"},
                         {6, "recommended"}});
  json size_annotation = annotation("app.server", "f64", "delta");
  size_annotation["bounds"] = {0.5, 1.0, 2.5};
  json expected = {
      metric("app.active", "updowncounter", "{connection}", "Open connections.", app_refs,
             annotation("app.server", "i64", "cumulative")),
      metric("app.cpu.time", "counter", "s", "CPU time.", app_refs,
             annotation("app.server", "u64", "cumulative", "observe_counter")),
      metric("app.http.load", "gauge", "1", "Load.", http_refs,
             annotation("app.http", "f64", "none")),
      metric("app.http.requests", "counter", "{request}", "HTTP requests.", http_refs,
             annotation("app.http", "u64", "delta")),
      metric("app.latency", "histogram", "s", "Request latency.", app_refs,
             annotation("app.server", "f64", "delta", "mmsc")),
      metric("app.requests", "counter", "{request}", "Requests served.", app_refs,
             annotation("app.server", "u64", "delta")),
      metric("app.sent", "counter", "By", "Bytes sent.", app_refs,
             annotation("app.server", "f64", "delta")),
      metric("app.size", "histogram", "By", "Payload size.", app_refs, size_annotation),
      metric("app.temperature", "gauge", "Cel", "Temperature with a \\ backslash\nand a newline.",
             app_refs, annotation("app.server", "i64", "none")),
  };
  EXPECT_EQ(doc.at("registry").at("metrics"), expected);
}

// The live schema of the same series: valid JSON whose keys and briefs carry U+FFFD.
TEST(LiveSchema, InvalidUtf8IsReplaced) {
  coretel::SeriesRegistry registry;
  [[maybe_unused]] auto a = registry.register_series(BadTextMetrics::descriptor, bad_text_entity(),
                                                     bad_text_registration(), {}, 0);
  std::string text = coretel::render_live_schema(registry);
  EXPECT_TRUE(coretel::is_valid_utf8(text));
  json doc = json::parse(text);
  const std::string R = kFffd;
  std::vector<std::string> keys;
  for (const json& entry : doc.at("attribute_catalog")) keys.push_back(entry.at("key"));
  EXPECT_EQ(keys, (std::vector<std::string>{"bad.key" + R, "host", "region"}));
  EXPECT_EQ(find_metric(doc, "app.bad.value").at("brief"), "Brief " + R + " with a bad byte.");
}

TEST(LiveSchema, DisagreeingTypesAndVariants) {
  coretel::SeriesRegistry registry;
  // app.server: `core` is an int in one series and a string in the other.
  [[maybe_unused]] auto a =
      registry.register_series(AppMetrics::descriptor, {{"core", int64_t{1}}}, {}, {}, 0);
  [[maybe_unused]] auto b =
      registry.register_series(AppMetrics::descriptor, {{"core", "one"}}, {}, {}, 0);
  // app.http: `core` is an int; the method is an enum in one series and a plain string in the
  // other, so the enum does not describe it; `flag` is a string and a boolean.
  [[maybe_unused]] auto c =
      registry.register_series(HttpMetrics::descriptor, {{"core", int64_t{2}}}, {{"flag", "yes"}},
                               HttpByMethod::kAttributes, 0);
  [[maybe_unused]] auto d =
      registry.register_series(HttpMetrics::descriptor, {{"core", int64_t{3}}},
                               {{"http.request.method", "PATCH"}, {"flag", true}}, {}, 0);
  json doc = json::parse(coretel::render_live_schema(registry));
  expect_resolved_v2(doc);

  // Two variants of `core` (app.http's seen first: sets are walked by name), one per set.
  EXPECT_EQ(
      doc.at("attribute_catalog"),
      (json{scalar_attribute("core", "int"), scalar_attribute("core", "any"),
            scalar_attribute("flag", "any"), scalar_attribute("http.request.method", "string")}));
  EXPECT_EQ(doc.at("registry").at("attributes"), (json{0, 2, 3}));
  EXPECT_EQ(find_metric(doc, "app.requests").at("attributes"), refs({{1, "recommended"}}));
  EXPECT_EQ(find_metric(doc, "app.http.load").at("attributes"),
            refs({{0, "recommended"}, {2, "recommended"}, {3, "recommended"}}));
}

TEST(LiveSchema, RegistryFactsFromTheDescriptor) {
  coretel::SeriesRegistry registry;
  // Declared: queue.name, queue.order (measurement), queue.shard (unused by any series, still
  // part of the set). Undeclared: `extra`, inferred from the series.
  [[maybe_unused]] auto q =
      registry.register_series(QueueMetrics::descriptor, {{"queue.name", "ingest"}},
                               {{"extra", true}}, QueueByOrder::kAttributes, 0);
  [[maybe_unused]] auto app =
      registry.register_series(AppMetrics::descriptor, {{"core", int64_t{1}}}, {}, {}, 0);
  json doc = json::parse(coretel::render_live_schema(registry));
  expect_resolved_v2(doc);
  // The one schema URL declared; the hand-declared app.server declares none and does not vote.
  EXPECT_EQ(doc.at("schema_url"), "https://example.com/schemas/1.2.0");

  json order = {{"key", "queue.order"},
                {"type", enum_members({"fifo", "lifo"})},
                {"brief", "How the queue orders items."},
                {"stability", "beta"},
                {"annotations", kMeasurement}};
  EXPECT_EQ(doc.at("attribute_catalog"),
            (json{scalar_attribute("core", "int"), scalar_attribute("extra", "boolean"),
                  json{{"key", "queue.name"},
                       {"type", "string"},
                       {"brief", "The queue's name."},
                       {"stability", "stable"}},
                  order, scalar_attribute("queue.shard", "int")}));
  EXPECT_EQ(doc.at("registry").at("attributes"), (json{0, 1, 2, 3, 4}));

  json queue_refs = refs({{1, "recommended"}, {2, "required"}, {3, "recommended"}, {4, "opt_in"}});
  EXPECT_EQ(find_metric(doc, "app.queue.depth"),
            metric("app.queue.depth", "updowncounter", "{item}", "Items waiting.", queue_refs,
                   annotation("app.queue", "i64", "cumulative", "observe_updowncounter")));
  EXPECT_EQ(find_metric(doc, "app.queue.pushed"),
            metric("app.queue.pushed", "counter", "{item}", "Items pushed.", queue_refs,
                   annotation("app.queue", "u64", "delta"), "stable"));
  EXPECT_EQ(find_metric(doc, "app.requests").at("attributes"), refs({{0, "recommended"}}));

  // Two registries' schema URLs disagree: none is claimed.
  [[maybe_unused]] auto pool = registry.register_series(PoolMetrics::descriptor, {}, {}, {}, 0);
  doc = json::parse(coretel::render_live_schema(registry));
  expect_resolved_v2(doc);
  EXPECT_EQ(doc.at("schema_url"), "");
  EXPECT_EQ(find_metric(doc, "app.pool.size").at("attributes"), json::array());
}

TEST(LiveSchema, PipelineSeriesIncludingSelfMetrics) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto a = reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}}, {{"region", "eu"}});
  auto http = reporter->register_set<HttpByMethod>({{"service", "api"}});
  json doc = json::parse(coretel::render_live_schema(pipeline.registry()));
  expect_resolved_v2(doc);

  std::size_t app_requests = 0;
  for (const json& m : doc.at("registry").at("metrics"))
    app_requests += m.at("name") == "app.requests";
  EXPECT_EQ(app_requests, 1u);  // one metric per field, not per series
  // Self-metrics of the reporter and the collector are live series too.
  EXPECT_EQ(find_metric(doc, "coretel.reporter.snapshots")
                .at("annotations")
                .at("coretel")
                .at("metric_set"),
            "coretel.reporter");
  const json& lag = find_metric(doc, "coretel.collector.lag");
  ASSERT_EQ(lag.at("attributes").size(), 1u);
  // The self-metrics are generated from registry/coretel: the catalog carries its facts.
  json numa_node = scalar_attribute("coretel.numa_node.logical_number", "int");
  numa_node["brief"] = "The NUMA node whose rings a collector drains.";
  EXPECT_EQ(doc.at("attribute_catalog")[lag.at("attributes")[0].at("base").get<std::size_t>()],
            numa_node);
  EXPECT_EQ(lag.at("attributes")[0].at("requirement_level"), "required");
  // The application's sets here are hand-declared (no schema_url): the self-metrics' registry
  // names the document.
  EXPECT_EQ(doc.at("schema_url"), "https://github.com/coretel/coretel/schemas/0.1.0");
}

}  // namespace
}  // namespace coretel_export_test
