// Prometheus text exposition 0.0.4: names, units, types, labels, escaping, golden text and
// promtool.
#include "coretel/export/prometheus_text.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "coretel/collect/pipeline.h"
#include "export_test_sets.h"

namespace coretel_export_test {
namespace {

using coretel::InstrumentKind;
using coretel::MetricsField;
using coretel::Temporality;
using coretel::ValueType;

MetricsField field(std::string_view name, std::string_view unit, InstrumentKind kind) {
  return MetricsField{name, unit, "", kind, Temporality::kDelta, ValueType::kU64, 0, {}, 1};
}

TEST(PrometheusNames, UnitSuffixes) {
  using coretel::prometheus_unit_suffix;
  EXPECT_EQ(prometheus_unit_suffix("s"), "seconds");
  EXPECT_EQ(prometheus_unit_suffix("ms"), "milliseconds");
  EXPECT_EQ(prometheus_unit_suffix("us"), "microseconds");
  EXPECT_EQ(prometheus_unit_suffix("ns"), "nanoseconds");
  EXPECT_EQ(prometheus_unit_suffix("By"), "bytes");
  EXPECT_EQ(prometheus_unit_suffix("KiBy"), "kibibytes");
  EXPECT_EQ(prometheus_unit_suffix("MiBy"), "mebibytes");
  EXPECT_EQ(prometheus_unit_suffix("GiBy"), "gibibytes");
  EXPECT_EQ(prometheus_unit_suffix("kBy"), "kilobytes");
  EXPECT_EQ(prometheus_unit_suffix("KBy"), "kilobytes");
  EXPECT_EQ(prometheus_unit_suffix("MBy"), "megabytes");
  EXPECT_EQ(prometheus_unit_suffix("GBy"), "gigabytes");
  EXPECT_EQ(prometheus_unit_suffix("m"), "meters");
  EXPECT_EQ(prometheus_unit_suffix("V"), "volts");
  EXPECT_EQ(prometheus_unit_suffix("A"), "amperes");
  EXPECT_EQ(prometheus_unit_suffix("J"), "joules");
  EXPECT_EQ(prometheus_unit_suffix("W"), "watts");
  EXPECT_EQ(prometheus_unit_suffix("g"), "grams");
  EXPECT_EQ(prometheus_unit_suffix("Cel"), "celsius");
  EXPECT_EQ(prometheus_unit_suffix("Hz"), "hertz");
  EXPECT_EQ(prometheus_unit_suffix("%"), "percent");
  EXPECT_EQ(prometheus_unit_suffix("d"), "days");
  EXPECT_EQ(prometheus_unit_suffix("h"), "hours");
  EXPECT_EQ(prometheus_unit_suffix("min"), "minutes");
  EXPECT_EQ(prometheus_unit_suffix("1"), "");
  EXPECT_EQ(prometheus_unit_suffix("{request}"), "");
  EXPECT_EQ(prometheus_unit_suffix("By/s"), "bytes_per_second");
  EXPECT_EQ(prometheus_unit_suffix("{request}/s"), "per_second");
  EXPECT_EQ(prometheus_unit_suffix("1/s"), "per_second");
  EXPECT_EQ(prometheus_unit_suffix("m/s"), "meters_per_second");
  EXPECT_EQ(prometheus_unit_suffix("By/{packet}"), "bytes");
  EXPECT_EQ(prometheus_unit_suffix("{packet}By"), "bytes");
  EXPECT_EQ(prometheus_unit_suffix("furlong"), "furlong");
  EXPECT_EQ(prometheus_unit_suffix("mol.L-1"), "mol_L_1");
}

TEST(PrometheusNames, MetricNames) {
  using coretel::prometheus_metric_name;
  EXPECT_EQ(prometheus_metric_name(field("foo.bar", "By", InstrumentKind::kCounter)),
            "foo_bar_bytes_total");
  EXPECT_EQ(prometheus_metric_name(field("foo.bar", "By", InstrumentKind::kObserveCounter)),
            "foo_bar_bytes_total");
  EXPECT_EQ(prometheus_metric_name(field("foo.bar", "By", InstrumentKind::kUpDownCounter)),
            "foo_bar_bytes");
  EXPECT_EQ(prometheus_metric_name(field("foo.bar", "By", InstrumentKind::kGauge)),
            "foo_bar_bytes");
  EXPECT_EQ(prometheus_metric_name(field("foo.bar", "{item}", InstrumentKind::kCounter)),
            "foo_bar_total");
  // The unit is not repeated, nor is _total.
  EXPECT_EQ(prometheus_metric_name(field("rx.bytes", "By", InstrumentKind::kCounter)),
            "rx_bytes_total");
  EXPECT_EQ(prometheus_metric_name(field("rx.total", "1", InstrumentKind::kCounter)), "rx_total");
  EXPECT_EQ(prometheus_metric_name(field("rx.time", "s", InstrumentKind::kHistogram)),
            "rx_time_seconds");
  // Sanitising: invalid characters, runs of '_', leading digit; ':' is kept.
  EXPECT_EQ(prometheus_metric_name(field("a-b..c__d", "1", InstrumentKind::kGauge)), "a_b_c_d");
  EXPECT_EQ(prometheus_metric_name(field("9lives", "1", InstrumentKind::kGauge)), "_9lives");
  EXPECT_EQ(prometheus_metric_name(field("ns:x", "1", InstrumentKind::kGauge)), "ns:x");
}

TEST(PrometheusNames, LabelKeysAndValues) {
  using coretel::prometheus_label_key;
  using coretel::prometheus_label_value;
  EXPECT_EQ(prometheus_label_key("http.request.method"), "http_request_method");
  EXPECT_EQ(prometheus_label_key("9lives"), "_9lives");
  EXPECT_EQ(prometheus_label_key("a..b:c"), "a_b_c");
  EXPECT_EQ(prometheus_label_key(".x"), "_x");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{int64_t{-42}}), "-42");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{0.1}), "0.1");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{1e300}), "1e+300");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{std::nan("")}), "NaN");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{-HUGE_VAL}), "-Infinity");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{true}), "true");
  EXPECT_EQ(prometheus_label_value(coretel::AttributeValue{std::string("x")}), "x");
  std::string escaped;
  coretel::append_escaped_label_value(escaped, "a\\b\"c\nd");
  EXPECT_EQ(escaped, "a\\\\b\\\"c\\nd");
}

// Keys Prometheus reserves for histogram buckets and summary quantiles are renamed; keys that
// merely contain them are not.
TEST(PrometheusNames, ReservedLabelKeys) {
  using coretel::prometheus_label_key;
  EXPECT_EQ(prometheus_label_key("le"), "exported_le");
  EXPECT_EQ(prometheus_label_key("quantile"), "exported_quantile");
  EXPECT_EQ(prometheus_label_key("l.e"), "l_e");
  EXPECT_EQ(prometheus_label_key("le.x"), "le_x");
  EXPECT_EQ(prometheus_label_key("_le"), "_le");
  EXPECT_EQ(prometheus_label_key("LE"), "LE");
  EXPECT_EQ(prometheus_label_key("exported_le"), "exported_le");
  // Non-ASCII key bytes are invalid key characters: each becomes '_' (then collapsed).
  EXPECT_EQ(prometheus_label_key("caf\xC3\xA9.x"), "caf_x");
  EXPECT_EQ(prometheus_label_key("k\xFF"), "k_");
}

// Label values are always valid UTF-8: one U+FFFD per maximal subpart of an ill-formed
// subsequence, well-formed characters kept, escaping unchanged around them.
TEST(PrometheusNames, InvalidUtf8LabelValues) {
  auto escaped = [](std::string_view value) {
    std::string out;
    coretel::append_escaped_label_value(out, value);
    return out;
  };
  const std::string R = kFffd;
  EXPECT_EQ(escaped("a\xFF"
                    "b"),
            "a" + R + "b");
  EXPECT_EQ(escaped("\xFF\xFE"), R + R);
  EXPECT_EQ(escaped("\x80\xBF"), R + R);  // lone continuation bytes
  EXPECT_EQ(escaped("\xE2\x82"), R);      // truncated 3-byte sequence
  EXPECT_EQ(escaped("\xE2\x82"
                    "A"),
            R + "A");                                             // ... followed by ASCII
  EXPECT_EQ(escaped("\xF0\x9F\x98"), R);                          // truncated 4-byte sequence
  EXPECT_EQ(escaped("\xC0\xAF"), R + R);                          // overlong '/'
  EXPECT_EQ(escaped("\xE0\x80\xAF"), R + R + R);                  // overlong, 3 bytes
  EXPECT_EQ(escaped("\xED\xA0\x80"), R + R + R);                  // surrogate U+D800
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), R + R + R + R);          // above U+10FFFF
  EXPECT_EQ(escaped("\xF8\x88\x80\x80\x80"), R + R + R + R + R);  // 5-byte form
  EXPECT_EQ(escaped("\xE2\x82\"\\\n"), R + "\\\"\\\\\\n");
  // Well-formed 2-, 3- and 4-byte characters, the largest code point, U+FFFD itself: unchanged.
  const std::string valid = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF" + R;
  EXPECT_EQ(escaped(valid), valid);
}

// Runs `<promtool> check metrics` (parse and lint) on `text`. promtool is a test dependency
// (scripts/install-deps.sh installs Debian's `prometheus` package): when it is missing, the
// check fails rather than being skipped, so no build can pass without it.
::testing::AssertionResult promtool_check(const std::string& promtool, const std::string& text) {
  if (access(promtool.c_str(), X_OK) != 0)
    return ::testing::AssertionFailure()
           << promtool << " is not installed (scripts/install-deps.sh installs it)";
  char path[] = "/tmp/coretel_promtool_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return ::testing::AssertionFailure() << "mkstemp failed";
  bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!written) {
    unlink(path);
    return ::testing::AssertionFailure() << "cannot write " << path;
  }
  std::string command = promtool + " check metrics < " + path + " 2>&1";
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    unlink(path);
    return ::testing::AssertionFailure() << "popen failed";
  }
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) output += buf;
  int status = pclose(p);
  unlink(path);
  // Success is exit status 0 with nothing printed (lint findings exit 3, parse errors 1).
  if (status != 0 || !output.empty())
    return ::testing::AssertionFailure()
           << "promtool exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ":\n"
           << output << "--- input ---\n"
           << text;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult promtool_accepts(const std::string& text) {
  return promtool_check("/usr/bin/promtool", text);
}

// The check cannot pass without promtool.
TEST(Promtool, MissingPromtoolIsAFailure) {
  auto result = promtool_check("/nonexistent/promtool", "# HELP x X.\n# TYPE x gauge\nx 1\n");
  EXPECT_FALSE(result);
  EXPECT_STREQ(result.message(),
               "/nonexistent/promtool is not installed (scripts/install-deps.sh installs it)");
  EXPECT_TRUE(promtool_accepts("# HELP x X.\n# TYPE x gauge\nx 1\n"));
}

// A pipeline with one unpinned reporter; publish() makes recorded values visible in views().
struct Harness {
  explicit Harness(coretel::PipelineOptions options = {})
      : pipeline(options, coretel::Topology::detect()) {}
  coretel::CollectionPipeline pipeline;
  std::unique_ptr<coretel::Reporter> reporter = pipeline.make_reporter(coretel::kUnpinned);
  coretel::PrometheusTextRenderer renderer;

  void publish() {
    reporter->report_all();
    pipeline.collect_now();
  }
  std::string render(const coretel::MetricsDescriptor& descriptor,
                     const coretel::Resource& resource = {}) {
    auto views = only(pipeline.views(), descriptor);
    std::string out;
    renderer.render(resource, views, out);
    return out;
  }
};

void record_app(AppMetrics& m) {
  m.requests.add(3);
  m.sent.add(1.5);
  m.temperature.set(-4);
  m.active.inc();
  m.active.inc();
  m.active.dec();
  m.cpu_time.observe(12);
  m.latency.record(0.25);
  m.latency.record(1.0);
  m.size.record(0.5);
  m.size.record(2.0);
  m.size.record(10.0);
}

TEST(PrometheusText, EveryInstrumentGolden) {
  Harness h;
  auto app = h.reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}, {"core", int64_t{3}}},
                                                  {{"region", "eu \"west\"\\\n"}});
  record_app(*app);
  h.publish();
  const std::string l =
      R"(otel_scope_name="app.server",otel_scope_core="3",otel_scope_pipeline_name="p1",)"
      R"(region="eu \"west\"\\\n")";
  const std::string expected =
      "# HELP app_active Open connections.\n"
      "# TYPE app_active gauge\n"
      "app_active{" +
      l +
      "} 1\n"
      "# HELP app_cpu_time_seconds_total CPU time.\n"
      "# TYPE app_cpu_time_seconds_total counter\n"
      "app_cpu_time_seconds_total{" +
      l +
      "} 12\n"
      "# HELP app_latency_seconds Request latency.\n"
      "# TYPE app_latency_seconds summary\n"
      "app_latency_seconds_sum{" +
      l +
      "} 1.25\n"
      "app_latency_seconds_count{" +
      l +
      "} 2\n"
      "# HELP app_latency_seconds_max Request latency.\n"
      "# TYPE app_latency_seconds_max gauge\n"
      "app_latency_seconds_max{" +
      l +
      "} 1\n"
      "# HELP app_latency_seconds_min Request latency.\n"
      "# TYPE app_latency_seconds_min gauge\n"
      "app_latency_seconds_min{" +
      l +
      "} 0.25\n"
      "# HELP app_requests_total Requests served.\n"
      "# TYPE app_requests_total counter\n"
      "app_requests_total{" +
      l +
      "} 3\n"
      "# HELP app_sent_bytes_total Bytes sent.\n"
      "# TYPE app_sent_bytes_total counter\n"
      "app_sent_bytes_total{" +
      l +
      "} 1.5\n"
      "# HELP app_size_bytes Payload size.\n"
      "# TYPE app_size_bytes histogram\n"
      "app_size_bytes_bucket{" +
      l +
      ",le=\"0.5\"} 1\n"
      "app_size_bytes_bucket{" +
      l +
      ",le=\"1\"} 1\n"
      "app_size_bytes_bucket{" +
      l +
      ",le=\"2.5\"} 2\n"
      "app_size_bytes_bucket{" +
      l +
      ",le=\"+Inf\"} 3\n"
      "app_size_bytes_sum{" +
      l +
      "} 12.5\n"
      "app_size_bytes_count{" +
      l +
      "} 3\n"
      "# HELP app_temperature_celsius Temperature with a \\\\ backslash\\nand a newline.\n"
      "# TYPE app_temperature_celsius gauge\n"
      "app_temperature_celsius{" +
      l + "} -4\n";
  EXPECT_EQ(h.render(AppMetrics::descriptor), expected);

  // Values are cumulative: a second scrape after more records adds up, and the renderer's
  // caches give the same text for the same views.
  app->requests.add(2);
  h.publish();
  std::string again = h.render(AppMetrics::descriptor);
  EXPECT_NE(again.find("app_requests_total{" + l + "} 5\n"), std::string::npos) << again;
  EXPECT_EQ(again, h.render(AppMetrics::descriptor));
}

TEST(PrometheusText, EmptyMmscOmitsMinAndMaxSamples) {
  Harness h;
  auto app = h.reporter->register_set<AppMetrics>({{"id", "idle"}});
  h.publish();
  std::string text = h.render(AppMetrics::descriptor);
  const std::string l = R"(otel_scope_name="app.server",otel_scope_id="idle")";
  EXPECT_NE(
      text.find("app_latency_seconds_sum{" + l + "} 0\napp_latency_seconds_count{" + l + "} 0\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("app_latency_seconds_min{"), std::string::npos) << text;
  EXPECT_EQ(text.find("app_latency_seconds_max{"), std::string::npos) << text;
  // A plain set is exported from registration on, with zero values.
  EXPECT_NE(text.find("app_requests_total{" + l + "} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_size_bytes_bucket{" + l + ",le=\"+Inf\"} 0\n"), std::string::npos);
}

// An ExponentialHistogram in text is a classic histogram (OpenTelemetry "Prometheus and
// OpenMetrics Compatibility": exponential histograms MAY be converted): `le` is the upper bound
// of each non-empty bucket, negative buckets first (most negative up), then the zero bucket,
// then the positive ones, cumulative; promtool accepts it.
TEST(PrometheusText, ExponentialHistogramIsAClassicHistogram) {
  Harness h;
  auto queue = h.reporter->register_set<DelayMetrics>({{"queue", "q1"}});
  // Scale 2 (base 2^(1/4)), as in the OTLP test: 1 closes bucket -1 (le 1), 2 closes bucket 3
  // (le 2), 3 is in bucket 6 (le 2^(7/4)); -3 in negative bucket 6 (le -2^(6/4)); one zero.
  // Buckets 0-2, 4 and 5 are empty: no line.
  for (double v : {1.0, 2.0, 3.0, 0.0, -3.0}) queue->delay.record(v);
  h.publish();
  const std::string l = R"(otel_scope_name="app.queue",otel_scope_queue="q1")";
  const std::string b = "app_queue_delay_seconds_bucket{" + l;
  const std::string expected =
      "# HELP app_queue_delay_seconds Queueing delay.\n"
      "# TYPE app_queue_delay_seconds histogram\n" +
      b + ",le=\"-2.8284271247461903\"} 1\n" +  //
      b + ",le=\"0\"} 2\n" +                    //
      b + ",le=\"1\"} 3\n" +                    //
      b + ",le=\"2\"} 4\n" +                    //
      b + ",le=\"3.363585661014858\"} 5\n" +    //
      b + ",le=\"+Inf\"} 5\n" +                 //
      "app_queue_delay_seconds_sum{" + l + "} 3\n" + "app_queue_delay_seconds_count{" + l + "} 5\n";
  const std::string text = h.render(DelayMetrics::descriptor);
  EXPECT_EQ(text, expected);
  EXPECT_TRUE(promtool_accepts(text));
}

TEST(PrometheusText, MeasuredSetShowsObservedBucketsWithEscapedValues) {
  Harness h;
  auto http = h.reporter->register_set<HttpByMethod>({{"service", "api"}});
  http->with(Method::kGet).requests.add(7);
  http->with(Method::kOdd).requests.inc();
  http->with(Method::kOdd).load.set(0.5);
  h.publish();
  const std::string expected =
      "# HELP app_http_load Load.\n"
      "# TYPE app_http_load gauge\n"
      "app_http_load{otel_scope_name=\"app.http\",otel_scope_service=\"api\","
      "http_request_method=\"GET\"} 0\n"
      "app_http_load{otel_scope_name=\"app.http\",otel_scope_service=\"api\","
      "http_request_method=\"O\\\"D\\\\D\"} 0.5\n"
      "# HELP app_http_requests_total HTTP requests.\n"
      "# TYPE app_http_requests_total counter\n"
      "app_http_requests_total{otel_scope_name=\"app.http\",otel_scope_service=\"api\","
      "http_request_method=\"GET\"} 7\n"
      "app_http_requests_total{otel_scope_name=\"app.http\",otel_scope_service=\"api\","
      "http_request_method=\"O\\\"D\\\\D\"} 1\n";
  EXPECT_EQ(h.render(HttpMetrics::descriptor), expected);
}

struct CORETEL_METRIC_SET_STRUCT(TinyMetrics) {
  coretel::Gauge<uint64_t> value;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(TinyMetrics, "app.tiny", "Tiny.",
                            CORETEL_FIELD(value, "app.tiny.value", "1", "A value."));

TEST(PrometheusText, LabelSanitisingCollisionsAndValueTypes) {
  Harness h;
  auto tiny = h.reporter->register_set<TinyMetrics>({{"name", "entity-name"}, {"k8s.pod", "p"}},
                                                    {{"a.b", "dot"},
                                                     {"a_b", "underscore"},
                                                     {"9lives", true},
                                                     {"ratio", 0.25},
                                                     {"count", int64_t{-7}}});
  tiny->value.set(1);
  h.publish();
  // Colliding keys (a.b/a_b, and the entity's `name` with the scope name) are joined with ';' in
  // the order of their original keys; then labels come sorted by key.
  EXPECT_EQ(h.render(TinyMetrics::descriptor),
            "# HELP app_tiny_value A value.\n"
            "# TYPE app_tiny_value gauge\n"
            "app_tiny_value{_9lives=\"true\",a_b=\"dot;underscore\",count=\"-7\","
            "otel_scope_k8s_pod=\"p\",otel_scope_name=\"app.tiny;entity-name\","
            "ratio=\"0.25\"} 1\n");
}

TEST(PrometheusText, TargetInfoFromResource) {
  Harness h;
  coretel::Resource resource{{{"service.name", "svc"},
                              {"process.pid", int64_t{42}},
                              {"host.name", "h\"1"},
                              {"service_name", "dup"}}};
  std::string text = h.render(TinyMetrics::descriptor, resource);
  EXPECT_EQ(text,
            "# HELP target_info Target metadata\n"
            "# TYPE target_info gauge\n"
            "target_info{host_name=\"h\\\"1\",process_pid=\"42\",service_name=\"svc;dup\"} 1\n");
  // No resource, no target_info.
  EXPECT_EQ(h.render(TinyMetrics::descriptor), "");
}

TEST(PrometheusText, DetectedResourceHasTheSdkAttributes) {
  setenv("OTEL_SERVICE_NAME", "from-env", 1);
  auto resource = coretel::Resource::detect("default-name");
  unsetenv("OTEL_SERVICE_NAME");
  EXPECT_EQ(*resource.attributes.find("service.name"), coretel::AttributeValue("from-env"));
  EXPECT_EQ(*coretel::Resource::detect("default-name").attributes.find("service.name"),
            coretel::AttributeValue("default-name"));
  EXPECT_EQ(*resource.attributes.find("telemetry.sdk.name"), coretel::AttributeValue("coretel"));
  EXPECT_EQ(*resource.attributes.find("telemetry.sdk.language"), coretel::AttributeValue("cpp"));
  EXPECT_EQ(*resource.attributes.find("telemetry.sdk.version"), coretel::AttributeValue("0.1.0"));
  EXPECT_EQ(*resource.attributes.find("process.pid"), coretel::AttributeValue(int64_t{getpid()}));
  ASSERT_TRUE(resource.attributes.find("host.name"));
  const std::string id(
      std::get<std::string_view>(*resource.attributes.find("service.instance.id")));
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');                                          // version 4
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC variant
  EXPECT_NE(id, std::get<std::string_view>(
                    *coretel::Resource::detect("x").attributes.find("service.instance.id")));
}

TEST(PrometheusText, ResourceTakesTheOtelVariables) {
  auto config =
      coretel::read_sdk_configuration([](std::string_view name) -> std::optional<std::string> {
        if (name == "OTEL_RESOURCE_ATTRIBUTES")
          return "deployment.environment.name=prod,host.name=edge%2C1,service.name=from-attrs,"
                 "telemetry.sdk.name=fake";
        return std::nullopt;
      });
  auto resource = coretel::Resource::detect("default-name", config);
  EXPECT_EQ(*resource.attributes.find("deployment.environment.name"),
            coretel::AttributeValue("prod"));
  EXPECT_EQ(*resource.attributes.find("host.name"), coretel::AttributeValue("edge,1"));
  EXPECT_EQ(*resource.attributes.find("service.name"), coretel::AttributeValue("from-attrs"));
  EXPECT_EQ(*resource.attributes.find("telemetry.sdk.name"), coretel::AttributeValue("coretel"));
  EXPECT_EQ(*resource.attributes.find("process.executable.name"),
            coretel::AttributeValue(std::string(program_invocation_short_name)));
  config.service_name = "from-service-name";
  EXPECT_EQ(*coretel::Resource::detect("default-name", config).attributes.find("service.name"),
            coretel::AttributeValue("from-service-name"));
}

// Two descriptors mapping fields to one name: same TYPE merges (one HELP/TYPE, samples
// contiguous), different TYPE drops the later family.
struct CORETEL_METRIC_SET_STRUCT(FirstSet) {
  coretel::Histogram<kSizeBounds> x;
  coretel::Gauge<int64_t> y;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(FirstSet, "dup.first", "First.",
                            CORETEL_FIELD(x, "dup.x", "1", "X as a histogram."),
                            CORETEL_FIELD(y, "dup.y", "1", "Y from first."));
struct CORETEL_METRIC_SET_STRUCT(SecondSet) {
  coretel::Gauge<int64_t> x;
  coretel::UpDownCounter<int64_t> y;
  CORETEL_METRIC_SET_DESCRIPTOR;
};
CORETEL_DESCRIBE_METRIC_SET(SecondSet, "dup.second", "Second.",
                            CORETEL_FIELD(x, "dup.x", "1", "X as a gauge."),
                            CORETEL_FIELD(y, "dup.y", "1", "Y from second."));

TEST(PrometheusText, SameNameAcrossDescriptors) {
  coretel::CollectionPipeline pipeline({}, coretel::Topology::detect());
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto first = reporter->register_set<FirstSet>({});
  auto second = reporter->register_set<SecondSet>({});
  first->y.set(1);
  second->x.set(5);
  second->y.add(2);
  reporter->report_all();
  pipeline.collect_now();
  std::vector<coretel::MetricsViewPtr> views;
  for (const auto& v : only(pipeline.views(), FirstSet::descriptor)) views.push_back(v);
  for (const auto& v : only(pipeline.views(), SecondSet::descriptor)) views.push_back(v);
  coretel::PrometheusTextRenderer renderer;
  std::string out;
  renderer.render({}, views, out);
  EXPECT_EQ(out,
            "# HELP dup_x X as a histogram.\n"
            "# TYPE dup_x histogram\n"
            "dup_x_bucket{otel_scope_name=\"dup.first\",le=\"0.5\"} 0\n"
            "dup_x_bucket{otel_scope_name=\"dup.first\",le=\"1\"} 0\n"
            "dup_x_bucket{otel_scope_name=\"dup.first\",le=\"2.5\"} 0\n"
            "dup_x_bucket{otel_scope_name=\"dup.first\",le=\"+Inf\"} 0\n"
            "dup_x_sum{otel_scope_name=\"dup.first\"} 0\n"
            "dup_x_count{otel_scope_name=\"dup.first\"} 0\n"
            "# HELP dup_y Y from first.\n"
            "# TYPE dup_y gauge\n"
            "dup_y{otel_scope_name=\"dup.first\"} 1\n"
            "dup_y{otel_scope_name=\"dup.second\"} 2\n");
}

TEST(PrometheusText, FamiliesStayContiguousAcrossCollectors) {
  coretel::CollectionPipeline pipeline(
      {}, coretel::Topology::synthetic("package:2 numa:1 core:1 pu:1"));
  ASSERT_EQ(pipeline.collectors().size(), 2u);
  auto r0 = pipeline.make_reporter(coretel::CpuId{0});
  auto r1 = pipeline.make_reporter(coretel::CpuId{1});
  auto a = r0->register_set<TinyMetrics>({{"node", int64_t{0}}});
  auto b = r1->register_set<TinyMetrics>({{"node", int64_t{1}}});
  a->value.set(10);
  b->value.set(11);
  r0->report_all();
  r1->report_all();
  pipeline.collect_now();
  coretel::PrometheusTextRenderer renderer;
  std::string out = "prefix\n";  // render appends
  renderer.render({}, only(pipeline.views(), TinyMetrics::descriptor), out);
  EXPECT_EQ(out,
            "prefix\n"
            "# HELP app_tiny_value A value.\n"
            "# TYPE app_tiny_value gauge\n"
            "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"0\"} 10\n"
            "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"1\"} 11\n");
}

// The renderer caches each series' label text across scrapes by SeriesId. A retired series'
// id is reused by a later registration: a scrape must then show the new series' labels, whether
// or not a scrape ran between the retirement and the reuse.
TEST(PrometheusText, SeriesIdReuseRendersFreshLabels) {
  // A retired series waits for a scrape to see its last values, but only for max_lag_cycles
  // cycles (collector.h): with 1, it is gone after the three publications below.
  coretel::PipelineOptions options;
  options.collector.max_lag_cycles = 1;
  Harness h(options);
  auto kept = h.reporter->register_set<TinyMetrics>({{"node", "kept"}});
  auto retired = h.reporter->register_set<TinyMetrics>({{"node", "retired"}}, {{"zone", "a"}});
  kept->value.set(1);
  retired->value.set(2);
  h.publish();
  const std::string header =
      "# HELP app_tiny_value A value.\n"
      "# TYPE app_tiny_value gauge\n";
  const std::string kept_line =
      "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"kept\"} 1\n";
  EXPECT_EQ(h.render(TinyMetrics::descriptor),
            header + kept_line +
                "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"retired\","
                "zone=\"a\"} 2\n");

  // Retired and its id reused with no scrape in between (the reader let the lag bound pass):
  // the cache still holds the retired series under that id.
  const coretel::SeriesId id = retired.series().id;
  retired.reset();
  for (int i = 0; i < 3; ++i) h.publish();
  auto fresh = h.reporter->register_set<TinyMetrics>({{"node", "fresh"}}, {{"zone", "b\"q"}});
  ASSERT_EQ(fresh.series().id, id);
  fresh->value.set(3);
  h.publish();
  const std::string fresh_line =
      "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"fresh\","
      "zone=\"b\\\"q\"} 3\n";
  EXPECT_EQ(h.render(TinyMetrics::descriptor), header + kept_line + fresh_line);
  EXPECT_EQ(h.render(TinyMetrics::descriptor), header + kept_line + fresh_line);

  // Retired, scraped without it, then its id reused.
  fresh.reset();
  for (int i = 0; i < 3; ++i) h.publish();
  EXPECT_EQ(h.render(TinyMetrics::descriptor), header + kept_line);
  auto third = h.reporter->register_set<TinyMetrics>({{"node", "third"}});
  ASSERT_EQ(third.series().id, id);
  third->value.set(4);
  h.publish();
  EXPECT_EQ(h.render(TinyMetrics::descriptor),
            header + kept_line +
                "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"third\"} 4\n");

  // Everything retired: nothing left to render.
  kept.reset();
  third.reset();
  for (int i = 0; i < 3; ++i) h.publish();
  EXPECT_EQ(h.render(TinyMetrics::descriptor), "");
}

// The label cache keeps a series' label text without the leading scope label, which is written
// from the sample head; a series whose keys collide (joined, then sorted by key) keeps its full
// text after a bare head. Both kinds in one descriptor, across scrapes, retirements and the
// compaction that follows them.
TEST(PrometheusText, ScopeLabelFromTheHeadAndFullTextForCollidingKeys) {
  coretel::PipelineOptions options;
  options.collector.max_lag_cycles = 1;  // retired series are gone after three publications
  Harness h(options);
  constexpr int kSeries = 240;
  std::vector<coretel::Registration<TinyMetrics>> regs;
  std::vector<std::string> lines;
  for (int i = 0; i < kSeries; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 3) {
      case 0:  // plain: scope label, then the entity's
        regs.push_back(
            h.reporter->register_set<TinyMetrics>({{"node", std::string("n").append(n)}}));
        lines.push_back(
            std::string("app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"n") + n +
            "\"} " + n + "\n");
        break;
      case 1:  // a.b and a_b collide: sorted by key, a_b comes before the scope label
        regs.push_back(h.reporter->register_set<TinyMetrics>({{"node", std::string("n").append(n)}},
                                                             {{"a.b", "x"}, {"a_b", "y"}}));
        lines.push_back(
            std::string(
                "app_tiny_value{a_b=\"x;y\",otel_scope_name=\"app.tiny\",otel_scope_node=\"n") +
            n + "\"} " + n + "\n");
        break;
      case 2:  // the entity's `name` collides with the scope name: the scope label is joined
        regs.push_back(
            h.reporter->register_set<TinyMetrics>({{"name", std::string("e").append(n)}}));
        lines.push_back(std::string("app_tiny_value{otel_scope_name=\"app.tiny;e") + n + "\"} " +
                        n + "\n");
        break;
    }
    regs.back()->value.set(static_cast<uint64_t>(i));
  }
  h.publish();
  const std::string header =
      "# HELP app_tiny_value A value.\n"
      "# TYPE app_tiny_value gauge\n";
  auto expected = [&](int step) {
    std::string text = header;
    for (int i = 0; i < kSeries; i += step) text += lines[static_cast<std::size_t>(i)];
    return text;
  };
  EXPECT_EQ(h.render(TinyMetrics::descriptor), expected(1));
  EXPECT_EQ(h.render(TinyMetrics::descriptor), expected(1));

  // Retire all but every fourth series: their entries are dropped, then the cache compacted.
  for (int i = 0; i < kSeries; ++i)
    if (i % 4 != 0) regs[static_cast<std::size_t>(i)].reset();
  for (int i = 0; i < 3; ++i) h.publish();
  EXPECT_EQ(h.render(TinyMetrics::descriptor), expected(4));
  EXPECT_EQ(h.render(TinyMetrics::descriptor), expected(4));
  EXPECT_TRUE(promtool_accepts(h.render(TinyMetrics::descriptor)));
}

// Every sample head (histogram _bucket/_sum/_count, summary, _min/_max) has a bare form for a
// series with its full label text: the colliding series' samples are the plain series' ones with
// the colliding label added in front.
TEST(PrometheusText, EveryInstrumentWithCollidingKeys) {
  Harness h;
  auto plain = h.reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}});
  auto colliding =
      h.reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}}, {{"a.b", "x"}, {"a_b", "y"}});
  record_app(*plain);
  record_app(*colliding);
  h.publish();
  const std::string text = h.render(AppMetrics::descriptor);
  EXPECT_TRUE(promtool_accepts(text));

  Harness alone;
  auto only_plain = alone.reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}});
  record_app(*only_plain);
  alone.publish();
  const std::string plain_text = alone.render(AppMetrics::descriptor);
  std::string plain_samples;
  for (std::size_t pos = 0; pos < plain_text.size();) {
    std::size_t end = plain_text.find('\n', pos) + 1;
    if (plain_text[pos] != '#') plain_samples.append(plain_text, pos, end - pos);
    pos = end;
  }
  EXPECT_GT(plain_samples.size(), 500u);

  // Split `text` into the plain series' lines (headers included) and the colliding series'
  // samples, with the colliding label taken out.
  const std::string mark = "{a_b=\"x;y\",";
  std::string without_colliding;
  std::string colliding_samples;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos) + 1;
    std::string_view line(text.data() + pos, end - pos);
    pos = end;
    std::size_t at = line.find(mark);
    if (at == std::string::npos) {
      without_colliding.append(line);
      continue;
    }
    colliding_samples.append(line.substr(0, at));
    colliding_samples.push_back('{');
    colliding_samples.append(line.substr(at + mark.size()));
  }
  EXPECT_EQ(without_colliding, plain_text);
  EXPECT_EQ(colliding_samples, plain_samples);
}

// Views of two pipelines in one scrape: their series share ids but keep their own labels.
TEST(PrometheusText, SameIdsFromTwoPipelines) {
  Harness a;
  Harness b;
  auto x = a.reporter->register_set<TinyMetrics>({{"node", "a"}});
  auto y = b.reporter->register_set<TinyMetrics>({{"node", "b"}});
  ASSERT_EQ(x.series().id, y.series().id);
  x->value.set(1);
  y->value.set(2);
  a.publish();
  b.publish();
  std::vector<coretel::MetricsViewPtr> views = only(a.pipeline.views(), TinyMetrics::descriptor);
  for (const auto& v : only(b.pipeline.views(), TinyMetrics::descriptor)) views.push_back(v);
  const std::string expected =
      "# HELP app_tiny_value A value.\n"
      "# TYPE app_tiny_value gauge\n"
      "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"a\"} 1\n"
      "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_node=\"b\"} 2\n";
  coretel::PrometheusTextRenderer renderer;
  for (int i = 0; i < 2; ++i) {
    std::string out;
    renderer.render({}, views, out);
    EXPECT_EQ(out, expected);
  }
}

// A measured set's bucket first observed after earlier scrapes gets its own labels.
TEST(PrometheusText, MeasuredBucketObservedLater) {
  Harness h;
  auto http = h.reporter->register_set<HttpByMethod>({{"service", "api"}});
  http->with(Method::kOdd).requests.add(2);
  h.publish();
  const std::string head =
      "# HELP app_http_requests_total HTTP requests.\n"
      "# TYPE app_http_requests_total counter\n";
  const std::string l =
      "app_http_requests_total{otel_scope_name=\"app.http\",otel_scope_service=\"api\",";
  std::string text = h.render(HttpMetrics::descriptor);
  EXPECT_NE(text.find(head + l + "http_request_method=\"O\\\"D\\\\D\"} 2\n"), std::string::npos)
      << text;
  http->with(Method::kGet).requests.add(5);
  h.publish();
  text = h.render(HttpMetrics::descriptor);
  EXPECT_NE(text.find(head + l + "http_request_method=\"GET\"} 5\n" + l +
                      "http_request_method=\"O\\\"D\\\\D\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(PrometheusText, SpecialDoubleValues) {
  Harness h;
  auto http = h.reporter->register_set<HttpByMethod>({});
  http->with(Method::kGet).load.set(std::numeric_limits<double>::infinity());
  http->with(Method::kPost).load.set(-std::numeric_limits<double>::infinity());
  http->with(Method::kOdd).load.set(std::nan(""));
  h.publish();
  std::string text = h.render(HttpMetrics::descriptor);
  EXPECT_NE(text.find("method=\"GET\"} +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("method=\"POST\"} -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("D\"} NaN\n"), std::string::npos) << text;
}

// The whole exposition of a busy pipeline (coretel's self-metrics included) passes
// `promtool check metrics` (parse and lint).
TEST(PrometheusText, PromtoolAcceptsTheOutput) {
  Harness h;
  auto app = h.reporter->register_set<AppMetrics>({{"pipeline.name", "p1"}, {"core", int64_t{3}}},
                                                  {{"region", "eu \"west\"\\\n"}});
  auto idle = h.reporter->register_set<AppMetrics>({{"pipeline.name", "p2"}});
  auto http = h.reporter->register_set<HttpByMethod>({{"service", "api"}});
  auto tiny =
      h.reporter->register_set<TinyMetrics>({{"name", "n"}}, {{"a.b", 1.5}, {"a_b", false}});
  record_app(*app);
  http->with(Method::kGet).requests.add(7);
  http->with(Method::kOdd).load.set(std::nan(""));
  h.publish();
  h.publish();  // self-metrics of the first cycle
  std::string text;
  h.renderer.render(coretel::Resource::detect("promtool-test"), h.pipeline.views(), text);
  ASSERT_NE(text.find("coretel_collector_lag_seconds_count"), std::string::npos) << text;
  EXPECT_TRUE(promtool_accepts(text));
}

// Entity and registration values, a key and a HELP text that are not UTF-8: each ill-formed
// subsequence becomes U+FFFD and promtool accepts the scrape (it rejects the whole scrape over
// one bad byte otherwise).
TEST(PrometheusText, InvalidUtf8IsReplaced) {
  Harness h;
  auto bad = h.reporter->register_set<BadTextMetrics>(bad_text_entity(), bad_text_registration());
  bad->value.set(5);
  h.publish();
  const std::string R = kFffd;
  const std::string text = h.render(BadTextMetrics::descriptor);
  EXPECT_EQ(text, "# HELP app_bad_value Brief " + R +
                      " with a bad byte.\n"
                      "# TYPE app_bad_value gauge\n"
                      "app_bad_value{otel_scope_name=\"app.bad\",otel_scope_host=\"h" +
                      R + "\\\"\",bad_key_=\"v" + R + R + R + "x\",region=\"eu" + R +
                      " \xC3\xA9 \xF0\x9F\x98\x80\\\\\"} 5\n");
  EXPECT_TRUE(promtool_accepts(text));
}

// Attributes named `le` and `quantile` on a counter, a histogram and a summary (Mmsc): exported
// as `exported_le` / `exported_quantile` on every family, so the bucket's own `le` stays the only
// one. Entity attributes are `otel_scope_le` / `otel_scope_quantile` and need no renaming.
TEST(PrometheusText, ReservedLabelKeysAreRenamed) {
  Harness h;
  auto set = h.reporter->register_set<ReservedMetrics>({}, {{"le", "x"}, {"quantile", "0.5"}});
  set->hits.add(2);
  set->size.record(0.75);
  set->wait.record(0.25);
  h.publish();
  const std::string l = R"(otel_scope_name="app.reserved",exported_le="x",exported_quantile="0.5")";
  const std::string text = h.render(ReservedMetrics::descriptor);
  EXPECT_EQ(text,
            "# HELP app_reserved_hits_total Hits.\n"
            "# TYPE app_reserved_hits_total counter\n"
            "app_reserved_hits_total{" +
                l +
                "} 2\n"
                "# HELP app_reserved_size_bytes Sizes.\n"
                "# TYPE app_reserved_size_bytes histogram\n"
                "app_reserved_size_bytes_bucket{" +
                l +
                ",le=\"0.5\"} 0\n"
                "app_reserved_size_bytes_bucket{" +
                l +
                ",le=\"1\"} 1\n"
                "app_reserved_size_bytes_bucket{" +
                l +
                ",le=\"2.5\"} 1\n"
                "app_reserved_size_bytes_bucket{" +
                l +
                ",le=\"+Inf\"} 1\n"
                "app_reserved_size_bytes_sum{" +
                l +
                "} 0.75\n"
                "app_reserved_size_bytes_count{" +
                l +
                "} 1\n"
                "# HELP app_reserved_wait_seconds Waits.\n"
                "# TYPE app_reserved_wait_seconds summary\n"
                "app_reserved_wait_seconds_sum{" +
                l +
                "} 0.25\n"
                "app_reserved_wait_seconds_count{" +
                l +
                "} 1\n"
                "# HELP app_reserved_wait_seconds_max Waits.\n"
                "# TYPE app_reserved_wait_seconds_max gauge\n"
                "app_reserved_wait_seconds_max{" +
                l +
                "} 0.25\n"
                "# HELP app_reserved_wait_seconds_min Waits.\n"
                "# TYPE app_reserved_wait_seconds_min gauge\n"
                "app_reserved_wait_seconds_min{" +
                l + "} 0.25\n");
  EXPECT_TRUE(promtool_accepts(text));

  auto tiny = h.reporter->register_set<TinyMetrics>({{"le", "e"}, {"quantile", "q"}});
  tiny->value.set(1);
  h.publish();
  const std::string entity = h.render(TinyMetrics::descriptor);
  EXPECT_EQ(entity,
            "# HELP app_tiny_value A value.\n"
            "# TYPE app_tiny_value gauge\n"
            "app_tiny_value{otel_scope_name=\"app.tiny\",otel_scope_le=\"e\","
            "otel_scope_quantile=\"q\"} 1\n");
  EXPECT_TRUE(promtool_accepts(entity));
}

// A measured counter-only set with `le` and `quantile`, and `le` beside an attribute whose key
// is `exported_le` after sanitising: the two are joined with `;` in the order of their original
// keys (OTel spec, "Metric Attributes").
TEST(PrometheusText, ReservedLabelKeysOnACounterAndCollisions) {
  Harness h;
  auto http = h.reporter->register_set<HttpByMethod>(
      {}, {{"le", "1"}, {"quantile", "q"}, {"exported.le", "z"}});
  http->with(Method::kGet).requests.add(4);
  h.publish();
  const std::string text = h.render(HttpMetrics::descriptor);
  EXPECT_EQ(text,
            "# HELP app_http_load Load.\n"
            "# TYPE app_http_load gauge\n"
            "app_http_load{exported_le=\"z;1\",exported_quantile=\"q\","
            "http_request_method=\"GET\",otel_scope_name=\"app.http\"} 0\n"
            "# HELP app_http_requests_total HTTP requests.\n"
            "# TYPE app_http_requests_total counter\n"
            "app_http_requests_total{exported_le=\"z;1\",exported_quantile=\"q\","
            "http_request_method=\"GET\",otel_scope_name=\"app.http\"} 4\n");
  EXPECT_TRUE(promtool_accepts(text));
}

// target_info from a resource whose values are not UTF-8 and whose keys are reserved.
TEST(PrometheusText, TargetInfoWithInvalidUtf8AndReservedKeys) {
  Harness h;
  coretel::Resource resource{{{"service.name", "s\xFF"}, {"le", "1"}, {"quantile", "2"}}};
  const std::string text = h.render(TinyMetrics::descriptor, resource);
  EXPECT_EQ(text,
            "# HELP target_info Target metadata\n"
            "# TYPE target_info gauge\n"
            "target_info{exported_le=\"1\",exported_quantile=\"2\",service_name=\"s" +
                kFffd + "\"} 1\n");
  EXPECT_TRUE(promtool_accepts(text));
}

// OTEL_SERVICE_NAME holding bytes that are not UTF-8 (a Latin-1 environment, say): the resource
// keeps them as they are; the exposition replaces them, and the whole scrape stays valid.
TEST(PrometheusText, InvalidUtf8ServiceNameFromTheEnvironment) {
  setenv("OTEL_SERVICE_NAME", "caf\xE9-\xC3", 1);
  auto resource = coretel::Resource::detect("default-name");
  unsetenv("OTEL_SERVICE_NAME");
  EXPECT_EQ(*resource.attributes.find("service.name"), coretel::AttributeValue("caf\xE9-\xC3"));

  Harness h;
  auto tiny = h.reporter->register_set<TinyMetrics>({});
  tiny->value.set(1);
  h.publish();
  auto text_of = [&](std::string_view key) {
    return std::string(std::get<std::string_view>(*resource.attributes.find(key)));
  };
  ASSERT_TRUE(resource.attributes.find("host.name"));
  std::string host;
  coretel::append_escaped_label_value(host, text_of("host.name"));
  const std::string text = h.render(TinyMetrics::descriptor, resource);
  EXPECT_EQ(text,
            "# HELP target_info Target metadata\n"
            "# TYPE target_info gauge\n"
            "target_info{host_name=\"" +
                host + "\",process_executable_name=\"" + text_of("process.executable.name") +
                "\",process_pid=\"" + std::to_string(getpid()) + "\",service_instance_id=\"" +
                text_of("service.instance.id") + "\",service_name=\"caf" + kFffd + "-" + kFffd +
                "\",telemetry_sdk_language=\"cpp\",telemetry_sdk_name=\"coretel\","
                "telemetry_sdk_version=\"0.1.0\"} 1\n"
                "# HELP app_tiny_value A value.\n"
                "# TYPE app_tiny_value gauge\n"
                "app_tiny_value{otel_scope_name=\"app.tiny\"} 1\n");
  EXPECT_TRUE(promtool_accepts(text));
}

}  // namespace
}  // namespace coretel_export_test
