// read_sdk_configuration: every OTEL_* variable coretel reads, through a map-backed lookup: the
// defaults, the OTLP endpoint URL rules, per-signal over generic, headers, the value types
// (timeouts, booleans, enums), exporter selection, resource attributes, and the exact warnings.
#include "coretel/config/environment.h"

#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using coretel::Attribute;
using coretel::EnvironmentLookup;
using coretel::OtlpCompression;
using coretel::OtlpProtocol;
using coretel::SdkConfiguration;
using coretel::TemporalityPreference;
using std::chrono::milliseconds;
using Strings = std::vector<std::string>;
using Headers = std::vector<std::pair<std::string, std::string>>;
using Environment = std::map<std::string, std::string, std::less<>>;

EnvironmentLookup lookup_of(Environment environment) {
  return [environment = std::move(environment)](std::string_view name) {
    const auto found = environment.find(name);
    return found == environment.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

SdkConfiguration read(Environment environment) {
  return coretel::read_sdk_configuration(lookup_of(std::move(environment)));
}

// The metrics endpoint read from `environment`, which must give no warning.
std::string endpoint_of(Environment environment) {
  const SdkConfiguration config = read(std::move(environment));
  EXPECT_EQ(config.warnings, Strings{});
  return config.otlp_metrics.endpoint;
}

TEST(Environment, DefaultsWhenNothingIsSet) {
  const SdkConfiguration config = read({});
  EXPECT_FALSE(config.sdk_disabled);
  EXPECT_EQ(config.service_name, std::nullopt);
  EXPECT_TRUE(config.resource_attributes.empty());
  EXPECT_TRUE(config.metrics_exporters.empty());
  EXPECT_FALSE(config.otlp_metrics_enabled);
  const coretel::OtlpExporterOptions& otlp = config.otlp_metrics;
  EXPECT_EQ(otlp.endpoint, "http://localhost:4318/v1/metrics");
  EXPECT_EQ(otlp.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_TRUE(otlp.headers.empty());
  EXPECT_EQ(otlp.timeout, milliseconds(10000));
  EXPECT_EQ(otlp.compression, OtlpCompression::kNone);
  EXPECT_EQ(otlp.certificate, "");
  EXPECT_EQ(otlp.client_key, "");
  EXPECT_EQ(otlp.client_certificate, "");
  EXPECT_FALSE(otlp.insecure);
  EXPECT_EQ(otlp.temporality, TemporalityPreference::kCumulative);
  EXPECT_EQ(config.metric_reader.interval, milliseconds(60000));
  EXPECT_EQ(config.metric_reader.timeout, milliseconds(30000));
  EXPECT_EQ(config.warnings, Strings{});
  // The struct's own defaults are the same as read_sdk_configuration's.
  EXPECT_EQ(coretel::OtlpExporterOptions{}.endpoint, otlp.endpoint);
}

TEST(Environment, EmptyValueMeansUnset) {
  Environment environment;
  for (const char* name : {"OTEL_SDK_DISABLED",
                           "OTEL_SERVICE_NAME",
                           "OTEL_RESOURCE_ATTRIBUTES",
                           "OTEL_METRICS_EXPORTER",
                           "OTEL_EXPORTER_OTLP_ENDPOINT",
                           "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                           "OTEL_EXPORTER_OTLP_PROTOCOL",
                           "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
                           "OTEL_EXPORTER_OTLP_HEADERS",
                           "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
                           "OTEL_EXPORTER_OTLP_TIMEOUT",
                           "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
                           "OTEL_EXPORTER_OTLP_COMPRESSION",
                           "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
                           "OTEL_EXPORTER_OTLP_CERTIFICATE",
                           "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE",
                           "OTEL_EXPORTER_OTLP_CLIENT_KEY",
                           "OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY",
                           "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
                           "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE",
                           "OTEL_EXPORTER_OTLP_INSECURE",
                           "OTEL_EXPORTER_OTLP_METRICS_INSECURE",
                           "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                           "OTEL_METRIC_EXPORT_INTERVAL",
                           "OTEL_METRIC_EXPORT_TIMEOUT"})
    environment[name] = "";
  const SdkConfiguration config = read(environment);
  EXPECT_EQ(config.warnings, Strings{});
  EXPECT_EQ(config.service_name, std::nullopt);
  EXPECT_FALSE(config.otlp_metrics_enabled);  // an empty endpoint variable is not "set"
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://localhost:4318/v1/metrics");
  EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(10000));
  EXPECT_EQ(config.metric_reader.interval, milliseconds(60000));

  // An empty metrics form lets the generic form through.
  const SdkConfiguration generic = read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "5000"},
                                         {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", ""},
                                         {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                                         {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", ""}});
  EXPECT_EQ(generic.otlp_metrics.timeout, milliseconds(5000));
  EXPECT_EQ(generic.otlp_metrics.headers, (Headers{{"a", "1"}}));
}

TEST(Environment, GenericEndpointGetsTheMetricsPathAppended) {
  const char* kGeneric = "OTEL_EXPORTER_OTLP_ENDPOINT";
  EXPECT_EQ(endpoint_of({{kGeneric, "http://c:4318"}}), "http://c:4318/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "http://c:4318/"}}), "http://c:4318/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "http://c:4318/mycollector"}}),
            "http://c:4318/mycollector/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "http://c:4318/mycollector/"}}),
            "http://c:4318/mycollector/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "https://otlp.example.com"}}),
            "https://otlp.example.com/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "HTTPS://[::1]:4318"}}), "HTTPS://[::1]:4318/v1/metrics");
  EXPECT_EQ(endpoint_of({{kGeneric, "http://user@c.example.com:4318"}}),
            "http://user@c.example.com:4318/v1/metrics");
  // A query stays at the end.
  EXPECT_EQ(endpoint_of({{kGeneric, "http://c:4318/base?tenant=a"}}),
            "http://c:4318/base/v1/metrics?tenant=a");
  // http/json posts to the same path.
  EXPECT_EQ(
      endpoint_of({{kGeneric, "http://c:4318"}, {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}}),
      "http://c:4318/v1/metrics");
}

TEST(Environment, MetricsEndpointIsUsedAsIsExceptAnEmptyPathBecomesRoot) {
  const char* kMetrics = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
  EXPECT_EQ(endpoint_of({{kMetrics, "http://c:4318"}}), "http://c:4318/");
  EXPECT_EQ(endpoint_of({{kMetrics, "http://c:4318/"}}), "http://c:4318/");
  EXPECT_EQ(endpoint_of({{kMetrics, "http://c:4318/custom/ingest"}}),
            "http://c:4318/custom/ingest");
  EXPECT_EQ(endpoint_of({{kMetrics, "https://c/v1/metrics"}}), "https://c/v1/metrics");
  EXPECT_EQ(endpoint_of({{kMetrics, "http://c:4318?tenant=a"}}), "http://c:4318/?tenant=a");
  // It wins over the generic form.
  EXPECT_EQ(endpoint_of(
                {{kMetrics, "http://m:4318/in"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318"}}),
            "http://m:4318/in");
}

TEST(Environment, GrpcEndpointDefaultAndUsedAsIs) {
  const Environment grpc{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}};
  EXPECT_EQ(endpoint_of(grpc), "http://localhost:4317");
  Environment with = grpc;
  with["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://c:4317";
  EXPECT_EQ(endpoint_of(with), "http://c:4317");  // no path appended
  with["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector:4317";
  EXPECT_EQ(endpoint_of(with), "collector:4317");  // host:port without a scheme
  with["OTEL_EXPORTER_OTLP_ENDPOINT"] = "[::1]:4317";
  EXPECT_EQ(endpoint_of(with), "[::1]:4317");
  with["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = "https://m.example.com:443";
  EXPECT_EQ(endpoint_of(with), "https://m.example.com:443");  // no "/" added either
}

TEST(Environment, InvalidEndpointWarnsAndTheFallbackApplies) {
  SdkConfiguration config = read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}});
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://localhost:4318/v1/metrics");
  // Read for each signal: one warning per outcome, so each says where its signal goes.
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318: not an http:// or https:// URL "
                     "with a host; using http://localhost:4318/v1/metrics",
                     "OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318: not an http:// or https:// URL "
                     "with a host; using http://localhost:4318/v1/logs",
                     "OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318: not an http:// or https:// URL "
                     "with a host; using http://localhost:4318/v1/traces"}));
  EXPECT_TRUE(config.otlp_metrics_enabled);  // set, even if unusable

  for (const char* bad :
       {"ftp://c:21", "http://", "http://:4318", "http://c:99999", "http://c:43x8",
        "http://c d:4318", "http://c<d>:4318", "http://[::1", "localhost"}) {
    config = read({{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", bad}});
    EXPECT_EQ(config.otlp_metrics.endpoint, "http://localhost:4318/v1/metrics") << bad;
    EXPECT_EQ(config.warnings.size(), 1u) << bad;
  }

  // An unusable metrics form falls back to the generic form.
  config = read({{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "c:4318/v1/metrics"},
                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318"}});
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://g:4318/v1/metrics");
  EXPECT_EQ(config.warnings, Strings{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=c:4318/v1/metrics: not "
                                     "an http:// or https:// URL with a host; using "
                                     "http://g:4318/v1/metrics"});

  for (const char* bad : {"c:", "dns:///c:4317", "c:4317/x", "c/x:4317"}) {
    config = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", bad}});
    EXPECT_EQ(config.otlp_metrics.endpoint, "http://localhost:4317") << bad;
    EXPECT_EQ(config.warnings.size(), 1u) << bad;  // both signals: the same outcome, once
  }
  config = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "c"}});
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://localhost:4317");
  EXPECT_EQ(config.warnings, Strings{"OTEL_EXPORTER_OTLP_ENDPOINT=c: not an http:// or https:// "
                                     "URL or a host:port; using http://localhost:4317"});
}

TEST(Environment, EveryOptionHasAGenericForm) {
  const SdkConfiguration config = read({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4318"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "g=1"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/g/ca.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/g/key.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/g/cert.pem"},
      {"OTEL_EXPORTER_OTLP_INSECURE", "true"},
  });
  EXPECT_EQ(config.warnings, Strings{});
  const coretel::OtlpExporterOptions& otlp = config.otlp_metrics;
  EXPECT_EQ(otlp.endpoint, "http://g:4318/v1/metrics");
  EXPECT_EQ(otlp.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(otlp.headers, (Headers{{"g", "1"}}));
  EXPECT_EQ(otlp.timeout, milliseconds(1000));
  EXPECT_EQ(otlp.compression, OtlpCompression::kGzip);
  EXPECT_EQ(otlp.certificate, "/g/ca.pem");
  EXPECT_EQ(otlp.client_key, "/g/key.pem");
  EXPECT_EQ(otlp.client_certificate, "/g/cert.pem");
  EXPECT_TRUE(otlp.insecure);
}

TEST(Environment, PerSignalFormWinsForEveryOption) {
  const SdkConfiguration config = read({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:4317"},
      {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "m:4317"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
      {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "g=1,shared=g"},
      {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "m=2"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
      {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2000"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "none"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/g/ca.pem"},
      {"OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "/m/ca.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/g/key.pem"},
      {"OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY", "/m/key.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/g/cert.pem"},
      {"OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", "/m/cert.pem"},
      {"OTEL_EXPORTER_OTLP_INSECURE", "false"},
      {"OTEL_EXPORTER_OTLP_METRICS_INSECURE", "true"},
  });
  EXPECT_EQ(config.warnings, Strings{});
  const coretel::OtlpExporterOptions& otlp = config.otlp_metrics;
  EXPECT_EQ(otlp.endpoint, "m:4317");
  EXPECT_EQ(otlp.protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(otlp.headers, (Headers{{"m", "2"}}));  // replaces the generic list entirely
  EXPECT_EQ(otlp.timeout, milliseconds(2000));
  EXPECT_EQ(otlp.compression, OtlpCompression::kNone);
  EXPECT_EQ(otlp.certificate, "/m/ca.pem");
  EXPECT_EQ(otlp.client_key, "/m/key.pem");
  EXPECT_EQ(otlp.client_certificate, "/m/cert.pem");
  EXPECT_TRUE(otlp.insecure);

  // A false metrics form wins over a true generic one.
  EXPECT_FALSE(read({{"OTEL_EXPORTER_OTLP_INSECURE", "true"},
                     {"OTEL_EXPORTER_OTLP_METRICS_INSECURE", "false"}})
                   .otlp_metrics.insecure);
}

TEST(Environment, HeadersArePercentDecodedAndTrimmedAndBadEntriesSkipped) {
  SdkConfiguration config =
      read({{"OTEL_EXPORTER_OTLP_HEADERS",
             " api-key = secret%20value ,x-list=a%2Cb,,tenant=a=b, empty=,bad-secret, =v,"
             "k%zz=1,x=%ZZsecret,my%20key=1,split=a%0D%0AInjected: 1,tab=a\tb"}});
  EXPECT_EQ(config.otlp_metrics.headers, (Headers{{"api-key", "secret value"},
                                                  {"x-list", "a,b"},
                                                  {"tenant", "a=b"},
                                                  {"empty", ""},
                                                  {"tab", "a\tb"}}));
  EXPECT_EQ(
      config.warnings,
      (Strings{
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 6 has no '='; skipped that entry",
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 7 has an empty key; skipped that entry",
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 8 (\"k%zz\") has a bad percent escape; "
          "skipped that entry",
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 9 (\"x\") has a bad percent escape; "
          "skipped that entry",
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 10 (\"my%20key\") has a key that is not "
          "an HTTP header name; skipped that entry",
          "OTEL_EXPORTER_OTLP_HEADERS=<hidden>: entry 11 (\"split\") has a control "
          "character; skipped that entry",
      }));
  for (const std::string& warning : config.warnings)
    EXPECT_EQ(warning.find("secret"), std::string::npos) << warning;

  // The metrics form replaces the generic one even when none of its entries is usable.
  config = read(
      {{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}, {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "nothing"}});
  EXPECT_EQ(config.otlp_metrics.headers, Headers{});
  EXPECT_EQ(config.warnings, Strings{"OTEL_EXPORTER_OTLP_METRICS_HEADERS=<hidden>: entry 1 has no "
                                     "'='; skipped that entry"});

  // A repeated key is kept twice (HTTP allows it), in order.
  EXPECT_EQ(read({{"OTEL_EXPORTER_OTLP_HEADERS", "a=1,a=2"}}).otlp_metrics.headers,
            (Headers{{"a", "1"}, {"a", "2"}}));
}

TEST(Environment, TimeoutParseErrorsWarnAndTheDefaultApplies) {
  const struct {
    const char* value;
    const char* problem;
  } cases[] = {
      {"abc", "not a whole number of milliseconds"},
      {"-5", "negative"},
      {"99999999999", "greater than 2147483647"},
      {"2147483648", "greater than 2147483647"},
      {"-99999999999999999999", "negative"},
      {"99999999999999999999", "greater than 2147483647"},
      {"1.5", "not a whole number of milliseconds"},
      {"10s", "not a whole number of milliseconds"},
      {" 10", "not a whole number of milliseconds"},
      {"+10", "not a whole number of milliseconds"},
  };
  for (const auto& c : cases) {
    const SdkConfiguration config = read({{"OTEL_EXPORTER_OTLP_TIMEOUT", c.value}});
    EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(10000)) << c.value;
    EXPECT_EQ(config.warnings, Strings{std::string("OTEL_EXPORTER_OTLP_TIMEOUT=") + c.value + ": " +
                                       c.problem + "; using 10000 ms"});
  }

  // 0 is accepted: no limit.
  SdkConfiguration config = read({{"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "0"}});
  EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(0));
  EXPECT_EQ(config.warnings, Strings{});
  config = read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "2147483647"}});
  EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(2147483647));
  EXPECT_EQ(config.warnings, Strings{});

  // An unusable metrics form falls back to the generic one, and the warning says so.
  config =
      read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "5000"}, {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "-1"}});
  EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(5000));
  EXPECT_EQ(config.warnings,
            Strings{"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT=-1: negative; using 5000 ms"});
}

TEST(Environment, MetricReaderIntervalAndTimeout) {
  SdkConfiguration config =
      read({{"OTEL_METRIC_EXPORT_INTERVAL", "15000"}, {"OTEL_METRIC_EXPORT_TIMEOUT", "0"}});
  EXPECT_EQ(config.metric_reader.interval, milliseconds(15000));
  EXPECT_EQ(config.metric_reader.timeout, milliseconds(0));
  EXPECT_EQ(config.warnings, Strings{});

  config = read({{"OTEL_METRIC_EXPORT_INTERVAL", "0"}, {"OTEL_METRIC_EXPORT_TIMEOUT", "soon"}});
  EXPECT_EQ(config.metric_reader.interval, milliseconds(60000));
  EXPECT_EQ(config.metric_reader.timeout, milliseconds(30000));
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_METRIC_EXPORT_INTERVAL=0: an interval must be greater than 0; using "
                     "60000 ms",
                     "OTEL_METRIC_EXPORT_TIMEOUT=soon: not a whole number of milliseconds; using "
                     "30000 ms"}));
}

TEST(Environment, BooleansAreTrueOnlyForTrue) {
  for (const char* value : {"true", "TRUE", "True"}) {
    const SdkConfiguration config = read({{"OTEL_SDK_DISABLED", value}});
    EXPECT_TRUE(config.sdk_disabled) << value;
    EXPECT_EQ(config.warnings, Strings{});
  }
  for (const char* value : {"false", "FALSE", "False"}) {
    const SdkConfiguration config = read({{"OTEL_SDK_DISABLED", value}});
    EXPECT_FALSE(config.sdk_disabled) << value;
    EXPECT_EQ(config.warnings, Strings{});
  }
  for (const char* value : {"yes", "1", "on", " true"}) {
    const SdkConfiguration config = read({{"OTEL_SDK_DISABLED", value}});
    EXPECT_FALSE(config.sdk_disabled) << value;
    EXPECT_EQ(config.warnings, Strings{std::string("OTEL_SDK_DISABLED=") + value +
                                       ": not true or false; taken as false"});
  }
  // An unrecognised metrics form is false, and as such still wins over the generic form.
  const SdkConfiguration config = read(
      {{"OTEL_EXPORTER_OTLP_INSECURE", "true"}, {"OTEL_EXPORTER_OTLP_METRICS_INSECURE", "yes"}});
  EXPECT_FALSE(config.otlp_metrics.insecure);
  EXPECT_EQ(config.warnings,
            Strings{"OTEL_EXPORTER_OTLP_METRICS_INSECURE=yes: not true or false; taken as false"});
}

TEST(Environment, EnumsAreCaseInsensitiveAndUnknownValuesWarn) {
  SdkConfiguration config = read(
      {{"OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/JSON"}, {"OTEL_EXPORTER_OTLP_COMPRESSION", "GZip"}});
  EXPECT_EQ(config.otlp_metrics.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(config.otlp_metrics.compression, OtlpCompression::kGzip);
  EXPECT_EQ(config.warnings, Strings{});
  EXPECT_EQ(read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC"}}).otlp_metrics.protocol,
            OtlpProtocol::kGrpc);
  EXPECT_EQ(read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "Http/Protobuf"}}).otlp_metrics.protocol,
            OtlpProtocol::kHttpProtobuf);

  config = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http"},
                 {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd"}});
  EXPECT_EQ(config.otlp_metrics.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(config.otlp_metrics.compression, OtlpCompression::kNone);
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_EXPORTER_OTLP_PROTOCOL=http: not grpc, http/protobuf or http/json; "
                     "using http/protobuf",
                     "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION=zstd: not gzip or none; using none"}));

  // An unknown metrics form leaves the generic one in force.
  config = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                 {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuff"}});
  EXPECT_EQ(config.otlp_metrics.protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(config.warnings,
            Strings{"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuff: not grpc, http/protobuf "
                    "or http/json; using grpc"});

  EXPECT_EQ(coretel::to_string(OtlpProtocol::kHttpProtobuf), "http/protobuf");
  EXPECT_EQ(coretel::to_string(OtlpProtocol::kHttpJson), "http/json");
  EXPECT_EQ(coretel::to_string(OtlpProtocol::kGrpc), "grpc");
  EXPECT_EQ(coretel::to_string(OtlpCompression::kNone), "none");
  EXPECT_EQ(coretel::to_string(OtlpCompression::kGzip), "gzip");
}

TEST(Environment, TemporalityPreference) {
  const char* kName = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
  EXPECT_EQ(read({{kName, "cumulative"}}).otlp_metrics.temporality,
            TemporalityPreference::kCumulative);
  EXPECT_EQ(read({{kName, "delta"}}).otlp_metrics.temporality, TemporalityPreference::kDelta);
  EXPECT_EQ(read({{kName, "LowMemory"}}).otlp_metrics.temporality,
            TemporalityPreference::kLowMemory);
  const SdkConfiguration config = read({{kName, "deltas"}});
  EXPECT_EQ(config.otlp_metrics.temporality, TemporalityPreference::kCumulative);
  EXPECT_EQ(config.warnings,
            Strings{"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=deltas: not cumulative, "
                    "delta or lowmemory; using cumulative"});
  // It has no generic form.
  EXPECT_EQ(read({{"OTEL_EXPORTER_OTLP_TEMPORALITY_PREFERENCE", "delta"}}).otlp_metrics.temporality,
            TemporalityPreference::kCumulative);

  EXPECT_EQ(coretel::to_string(TemporalityPreference::kCumulative), "cumulative");
  EXPECT_EQ(coretel::to_string(TemporalityPreference::kDelta), "delta");
  EXPECT_EQ(coretel::to_string(TemporalityPreference::kLowMemory), "lowmemory");
}

TEST(Environment, MetricsExporterList) {
  SdkConfiguration config = read({{"OTEL_METRICS_EXPORTER", " OTLP , prometheus,,console,otlp"}});
  EXPECT_EQ(config.metrics_exporters, (Strings{"otlp", "prometheus", "console"}));
  EXPECT_EQ(config.warnings, Strings{});

  config = read({{"OTEL_METRICS_EXPORTER", "none"}});
  EXPECT_EQ(config.metrics_exporters, Strings{"none"});
  EXPECT_EQ(config.warnings, Strings{});

  config = read({{"OTEL_METRICS_EXPORTER", "otlp,logging,none"}});
  EXPECT_EQ(config.metrics_exporters, Strings{"none"});
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_METRICS_EXPORTER=otlp,logging,none: unknown exporter \"logging\" "
                     "(known: otlp, prometheus, console, none); skipped it",
                     "OTEL_METRICS_EXPORTER=otlp,logging,none: \"none\" listed with other "
                     "exporters; using none"}));
  EXPECT_FALSE(config.otlp_metrics_enabled);
}

TEST(Environment, OtlpMetricsEnabled) {
  EXPECT_FALSE(read({}).otlp_metrics_enabled);
  EXPECT_TRUE(read({{"OTEL_METRICS_EXPORTER", "otlp"}}).otlp_metrics_enabled);
  EXPECT_TRUE(read({{"OTEL_METRICS_EXPORTER", "prometheus,otlp"}}).otlp_metrics_enabled);
  EXPECT_FALSE(read({{"OTEL_METRICS_EXPORTER", "prometheus"}}).otlp_metrics_enabled);
  // Not chosen: an endpoint variable turns OTLP on.
  EXPECT_TRUE(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).otlp_metrics_enabled);
  EXPECT_TRUE(
      read({{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://c:4318"}}).otlp_metrics_enabled);
  // Chosen without otlp: an endpoint does not.
  EXPECT_FALSE(
      read({{"OTEL_METRICS_EXPORTER", "console"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}})
          .otlp_metrics_enabled);
  EXPECT_FALSE(
      read({{"OTEL_METRICS_EXPORTER", "none"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}})
          .otlp_metrics_enabled);
  // A list of nothing known chooses nothing: the endpoint rule applies.
  const SdkConfiguration unknown =
      read({{"OTEL_METRICS_EXPORTER", "zipkin"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}});
  EXPECT_TRUE(unknown.metrics_exporters.empty());
  EXPECT_TRUE(unknown.otlp_metrics_enabled);
  EXPECT_EQ(unknown.warnings.size(), 1u);
  // OTEL_SDK_DISABLED=true turns it off whatever else says.
  const SdkConfiguration disabled = read({{"OTEL_SDK_DISABLED", "true"},
                                          {"OTEL_METRICS_EXPORTER", "otlp"},
                                          {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}});
  EXPECT_TRUE(disabled.sdk_disabled);
  EXPECT_FALSE(disabled.otlp_metrics_enabled);
  EXPECT_EQ(disabled.otlp_metrics.endpoint, "http://c:4318/v1/metrics");  // still parsed
}

TEST(Environment, ServiceNameAndResourceAttributes) {
  SdkConfiguration config =
      read({{"OTEL_SERVICE_NAME", "checkout"},
            {"OTEL_RESOURCE_ATTRIBUTES",
             "service.name=from-attributes, deployment.environment = prod ,team=a%2Cb%3Dc,"
             "note=caf%C3%A9%20ok,"}});
  EXPECT_EQ(config.service_name, "checkout");
  EXPECT_EQ(config.resource_attributes,
            (std::vector<Attribute>{{"service.name", std::string("from-attributes")},
                                    {"deployment.environment", std::string("prod")},
                                    {"team", std::string("a,b=c")},
                                    {"note", std::string("caf\xC3\xA9 ok")}}));
  EXPECT_EQ(config.warnings, Strings{});

  // A repeated key keeps its first place and takes the last value.
  EXPECT_EQ(read({{"OTEL_RESOURCE_ATTRIBUTES", "a=1,b=2,a=3"}}).resource_attributes,
            (std::vector<Attribute>{{"a", std::string("3")}, {"b", std::string("2")}}));
}

TEST(Environment, ABadResourceAttributeDiscardsTheWholeVariable) {
  const struct {
    const char* value;
    const char* problem;
  } cases[] = {
      {"a=1,b", "entry 2 has no '='"},
      {"a=1, =2", "entry 2 has an empty key"},
      {"a=1,b=%G1", "entry 2 has a bad percent escape"},
      {"a%=1", "entry 1 has a bad percent escape"},
      {"a=100%", "entry 1 has a bad percent escape"},
  };
  for (const auto& c : cases) {
    const SdkConfiguration config = read({{"OTEL_RESOURCE_ATTRIBUTES", c.value}});
    EXPECT_TRUE(config.resource_attributes.empty()) << c.value;
    EXPECT_EQ(config.warnings, Strings{std::string("OTEL_RESOURCE_ATTRIBUTES=") + c.value + ": " +
                                       c.problem + "; ignored the whole variable"});
  }
}

TEST(Environment, WarningsShowAtMost64BytesOfAValueAndEscapeControls) {
  const std::string long_value(100, 'x');
  SdkConfiguration config = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", long_value}});
  EXPECT_EQ(config.warnings,
            Strings{"OTEL_EXPORTER_OTLP_PROTOCOL=" + std::string(64, 'x') +
                    "...: not grpc, http/protobuf or http/json; using http/protobuf"});

  // A cut never splits a UTF-8 sequence; bytes that are not UTF-8 become U+FFFD.
  const std::string accented = std::string(63, 'x') + "\xC3\xA9tail";
  config = read({{"OTEL_EXPORTER_OTLP_COMPRESSION", accented}});
  EXPECT_EQ(config.warnings, Strings{"OTEL_EXPORTER_OTLP_COMPRESSION=" + std::string(63, 'x') +
                                     "...: not gzip or none; using none"});
  config = read({{"OTEL_EXPORTER_OTLP_COMPRESSION", "gz\x1b[31m\xFF"}});
  EXPECT_EQ(config.warnings, Strings{"OTEL_EXPORTER_OTLP_COMPRESSION=gz\\x1b[31m\xEF\xBF\xBD: not "
                                     "gzip or none; using none"});
}

TEST(Environment, AsksTheLookupForEachVariableOnce) {
  std::map<std::string, int> asked;
  const SdkConfiguration config = coretel::read_sdk_configuration(
      [&asked](std::string_view name) -> std::optional<std::string> {
        ++asked[std::string(name)];
        return std::nullopt;
      });
  // 63 OTEL_* and CORETEL_LOG (OTEL_TRACES_SAMPLER_ARG is read only with a ratio sampler).
  EXPECT_EQ(asked.size(), 64u);
  for (const auto& [name, count] : asked) {
    EXPECT_EQ(count, 1) << name;
    EXPECT_TRUE(name.rfind("OTEL_", 0) == 0 || name == "CORETEL_LOG") << name;
  }
}

TEST(Environment, TracesHaveTheirOwnExporterBatchLimitsAndEndpoint) {
  // Defaults: no traces exporter chosen, the spec's BSP and span limit defaults.
  SdkConfiguration config = read({});
  EXPECT_FALSE(config.otlp_traces_enabled);
  EXPECT_EQ(config.otlp_traces.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(config.span_batch, coretel::trace::BatchSpanProcessorOptions{});
  EXPECT_EQ(config.span_batch.schedule_delay, milliseconds(5000));
  EXPECT_EQ(config.span_batch.export_timeout, milliseconds(30000));
  EXPECT_EQ(config.span_batch.max_queue_size, 2048u);
  EXPECT_EQ(config.span_batch.max_export_batch_size, 512u);
  EXPECT_EQ(config.span_limits, coretel::trace::SpanLimits{});

  config = read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                 {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"},
                 {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:4317"},
                 {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                 {"OTEL_BSP_EXPORT_TIMEOUT", "2000"},
                 {"OTEL_BSP_MAX_QUEUE_SIZE", "64"},
                 {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"},
                 {"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                 {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20"},
                 {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "30"},
                 {"OTEL_SPAN_EVENT_COUNT_LIMIT", "4"},
                 {"OTEL_SPAN_LINK_COUNT_LIMIT", "0"},
                 {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "5"},
                 {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "6"}});
  EXPECT_EQ(config.warnings, Strings{});
  EXPECT_TRUE(config.otlp_traces_enabled);  // an endpoint and no exporter chosen
  EXPECT_EQ(config.otlp_traces.protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(config.otlp_traces.endpoint, "http://t:4317");
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://c:4318/v1/metrics");
  EXPECT_EQ(config.span_batch, (coretel::trace::BatchSpanProcessorOptions{
                                   milliseconds(100), milliseconds(2000), 64, 16}));
  EXPECT_EQ(config.span_limits, (coretel::trace::SpanLimits{.attribute_count = 20,
                                                            .event_count = 4,
                                                            .link_count = 0,
                                                            .event_attribute_count = 5,
                                                            .link_attribute_count = 6,
                                                            .attribute_value_length = 30}));

  // The span's own length limit wins; bad values warn and the default applies.
  config = read({{"OTEL_TRACES_EXPORTER", "console,none"},
                 {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "30"},
                 {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "40"},
                 {"OTEL_SPAN_EVENT_COUNT_LIMIT", "-1"},
                 {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                 {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"}});
  EXPECT_EQ(config.traces_exporters, Strings{"none"});
  EXPECT_FALSE(config.otlp_traces_enabled);
  EXPECT_EQ(config.span_limits.attribute_value_length, 40u);
  EXPECT_EQ(config.span_limits.event_count, 128u);
  EXPECT_EQ(config.span_batch.max_export_batch_size, 100u);
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_TRACES_EXPORTER=console,none: \"none\" listed with other exporters; "
                     "using none",
                     "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=200: greater than the queue size (100); "
                     "using 100",
                     "OTEL_SPAN_EVENT_COUNT_LIMIT=-1: not a whole number from 0 to 2147483647; "
                     "using 128"}));

  // The general count applies to every attribute collection without a variable of its own.
  config = read({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "7"}, {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "3"}});
  EXPECT_EQ(config.span_limits.attribute_count, 7u);
  EXPECT_EQ(config.span_limits.event_attribute_count, 7u);
  EXPECT_EQ(config.span_limits.link_attribute_count, 3u);

  config = read({{"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "0"},
                 {"OTEL_TRACES_EXPORTER", "otlp"},
                 {"OTEL_SDK_DISABLED", "true"}});
  EXPECT_EQ(config.span_limits.attribute_value_length, 0u);  // no limit
  EXPECT_FALSE(config.otlp_traces_enabled);                  // the SDK is disabled
  EXPECT_EQ(config.warnings, (Strings{"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT=0: a length limit "
                                      "must be at least 1; using 0"}));
}

TEST(Environment, LogsHaveTheirOwnExporterBatchAndEndpoint) {
  // Defaults: no logs exporter chosen, the console of `its` on, the spec's BLRP defaults.
  SdkConfiguration config = read({});
  EXPECT_FALSE(config.otlp_logs_enabled);
  EXPECT_TRUE(config.events.its.console);
  EXPECT_FALSE(config.events.its.otlp);
  EXPECT_EQ(config.events.otlp.endpoint, "http://localhost:4318/v1/logs");
  EXPECT_EQ(config.events.batch.schedule_delay, milliseconds(1000));
  EXPECT_EQ(config.events.batch.export_timeout, milliseconds(30000));
  EXPECT_EQ(config.events.batch.max_queue_size, 2048u);
  EXPECT_EQ(config.events.batch.max_export_batch_size, 512u);

  // The generic endpoint gets the logs path; a logs variable wins over its generic form.
  config = read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/base"},
                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
                 {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2000"},
                 {"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"},
                 {"OTEL_BLRP_SCHEDULE_DELAY", "250"},
                 {"OTEL_BLRP_EXPORT_TIMEOUT", "0"},
                 {"OTEL_BLRP_MAX_QUEUE_SIZE", "100"},
                 {"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "10"}});
  EXPECT_EQ(config.warnings, Strings{});
  EXPECT_TRUE(config.otlp_logs_enabled);  // an endpoint and no exporter chosen
  EXPECT_TRUE(config.events.its.otlp);
  EXPECT_EQ(config.events.otlp.endpoint, "http://c:4318/base/v1/logs");
  EXPECT_EQ(config.otlp_metrics.endpoint, "http://c:4318/base/v1/metrics");
  EXPECT_EQ(config.events.otlp.timeout, milliseconds(2000));
  EXPECT_EQ(config.otlp_metrics.timeout, milliseconds(1000));
  EXPECT_EQ(config.events.otlp.protocol, OtlpProtocol::kHttpJson);
  EXPECT_EQ(config.events.batch.schedule_delay, milliseconds(250));
  EXPECT_EQ(config.events.batch.export_timeout, milliseconds(0));
  EXPECT_EQ(config.events.batch.max_queue_size, 100u);
  EXPECT_EQ(config.events.batch.max_export_batch_size, 10u);

  // OTEL_LOGS_EXPORTER chooses what `its` feeds.
  config = read({{"OTEL_LOGS_EXPORTER", "console"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}});
  EXPECT_EQ(config.logs_exporters, Strings{"console"});
  EXPECT_FALSE(config.events.its.otlp);
  EXPECT_TRUE(config.events.its.console);
  config = read({{"OTEL_LOGS_EXPORTER", "otlp"}});
  EXPECT_TRUE(config.events.its.otlp);
  EXPECT_FALSE(config.events.its.console);
  config = read({{"OTEL_LOGS_EXPORTER", "otlp"}, {"OTEL_SDK_DISABLED", "true"}});
  EXPECT_FALSE(config.events.its.otlp);

  // Bad values warn once and fall back.
  config = read({{"OTEL_LOGS_EXPORTER", "prometheus,console"},
                 {"OTEL_BLRP_SCHEDULE_DELAY", "0"},
                 {"OTEL_BLRP_MAX_QUEUE_SIZE", "70000"},
                 {"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "4000"}});
  EXPECT_EQ(
      config.warnings,
      (Strings{"OTEL_LOGS_EXPORTER=prometheus,console: unknown exporter \"prometheus\" "
               "(known: otlp, console, none); skipped it",
               "OTEL_BLRP_SCHEDULE_DELAY=0: an interval must be greater than 0; using 1000 ms",
               "OTEL_BLRP_MAX_QUEUE_SIZE=70000: not a whole number from 1 to 65534; using "
               "2048",
               "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=4000: greater than the queue size (2048); "
               "using 2048"}));
  EXPECT_EQ(config.events.batch.max_export_batch_size, 2048u);
}

TEST(Environment, TracesSamplerAndPropagators) {
  SdkConfiguration config = read({});
  EXPECT_EQ(config.traces_sampler, "parentbased_always_on");
  EXPECT_EQ(config.traces_sampler_ratio, 1.0);
  EXPECT_EQ(config.propagators, (Strings{"tracecontext", "baggage"}));

  config = read({{"OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio"},
                 {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
                 {"OTEL_PROPAGATORS", " baggage ,tracecontext,baggage"}});
  EXPECT_EQ(config.warnings, Strings{});
  EXPECT_EQ(config.traces_sampler, "parentbased_traceidratio");
  EXPECT_EQ(config.traces_sampler_ratio, 0.25);
  EXPECT_EQ(config.propagators, (Strings{"baggage", "tracecontext"}));

  // The argument only with a ratio sampler, and only when the sampler is set.
  config = read({{"OTEL_TRACES_SAMPLER_ARG", "0.5"}});
  EXPECT_EQ(config.traces_sampler_ratio, 1.0);
  EXPECT_EQ(config.warnings, Strings{});

  // Bad values warn and fall back.
  config = read(
      {{"OTEL_TRACES_SAMPLER", "jaeger_remote"}, {"OTEL_PROPAGATORS", "b3,tracecontext,bogus"}});
  EXPECT_EQ(config.traces_sampler, "parentbased_always_on");
  EXPECT_EQ(config.propagators, Strings{"tracecontext"});
  EXPECT_EQ(config.warnings,
            (Strings{"OTEL_PROPAGATORS=b3,tracecontext,bogus: propagator \"b3\" is not in "
                     "coretel; skipped it",
                     "OTEL_PROPAGATORS=b3,tracecontext,bogus: unknown propagator \"bogus\" "
                     "(known: tracecontext, baggage, none); skipped it",
                     "OTEL_TRACES_SAMPLER=jaeger_remote: not always_on, always_off, traceidratio, "
                     "parentbased_always_on, parentbased_always_off or "
                     "parentbased_traceidratio; using parentbased_always_on"}));
  for (const char* bad : {"1.5", "-0.1", "half", "0.5x", "nan"}) {
    config = read({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", bad}});
    EXPECT_EQ(config.traces_sampler_ratio, 1.0) << bad;
    EXPECT_EQ(config.warnings, Strings{"OTEL_TRACES_SAMPLER_ARG=" + std::string(bad) +
                                       ": not a probability from 0 to 1; using 1"})
        << bad;
  }
  config = read({{"OTEL_PROPAGATORS", "none,tracecontext"}});
  EXPECT_EQ(config.propagators, Strings{"none"});
}

TEST(Environment, CoretelLogIsTheEventsLevel) {
  EXPECT_EQ(read({}).events.level, "info");
  EXPECT_EQ(read({{"CORETEL_LOG", "warn,app=debug"}}).events.level, "warn,app=debug");
  EXPECT_EQ(read({{"CORETEL_LOG", ""}}).events.level, "info");  // empty is unset
  EXPECT_EQ(read({{"CORETEL_LOG", "warn"}}).events.engine,
            coretel::events::ProviderMode::kConsoleDirect);  // providers: the defaults
}

TEST(Environment, ProcessEnvironmentReadsGetenv) {
  const EnvironmentLookup lookup = coretel::process_environment();
  ::setenv("CORETEL_ENVIRONMENT_TEST_VARIABLE", "value", 1);
  EXPECT_EQ(lookup("CORETEL_ENVIRONMENT_TEST_VARIABLE"), "value");
  ::setenv("CORETEL_ENVIRONMENT_TEST_VARIABLE", "", 1);
  EXPECT_EQ(lookup("CORETEL_ENVIRONMENT_TEST_VARIABLE"), "");  // read_sdk_configuration: unset
  ::unsetenv("CORETEL_ENVIRONMENT_TEST_VARIABLE");
  EXPECT_EQ(lookup("CORETEL_ENVIRONMENT_TEST_VARIABLE"), std::nullopt);
}

TEST(Environment, ReportPrintsEachWarningOncePerProcess) {
  SdkConfiguration config;
  config.warnings = {"OTEL_TEST=1: first", "OTEL_TEST=2: second", "OTEL_TEST=1: first"};
  testing::internal::CaptureStderr();
  coretel::report_configuration_warnings(config);
  coretel::report_configuration_warnings(config);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "coretel: OTEL_TEST=1: first\ncoretel: OTEL_TEST=2: second\n");
}

TEST(PercentDecode, DecodesEscapesAndRefusesBadOnes) {
  EXPECT_EQ(coretel::percent_decode("a%20b"), "a b");
  EXPECT_EQ(coretel::percent_decode("%2c%2C%3d"), ",,=");
  EXPECT_EQ(coretel::percent_decode("a+b"), "a+b");  // not form encoding
  EXPECT_EQ(coretel::percent_decode(""), "");
  EXPECT_EQ(coretel::percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(coretel::percent_decode("%"), std::nullopt);
  EXPECT_EQ(coretel::percent_decode("%2"), std::nullopt);
  EXPECT_EQ(coretel::percent_decode("a%zz"), std::nullopt);
  EXPECT_EQ(coretel::percent_decode("100%"), std::nullopt);
}

}  // namespace
