// The OTLP metrics encoder (src/export/otlp/metrics_encoder.h): what coretel writes, decoded with
// the libprotobuf classes generated from proto/, field by field, for every instrument kind and
// both temporalities; and the wire writer's lengths against libprotobuf's own bytes.
#include "metrics_encoder.h"

#include <cmath>
#include <limits>
#include <string>

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "export_test_sets.h"
#include "http_transport.h"
#include "otlp_test_receiver.h"
#include "protobuf_wire.h"

namespace coretel_export_test {
namespace {

using coretel_otlp_test::attributes_text;
using coretel_otlp_test::decode;
using coretel_otlp_test::find_metric;
namespace pb = opentelemetry::proto;
constexpr auto kDelta = pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA;
constexpr auto kCumulative = pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE;
constexpr auto kProtobuf = coretel::otlp::Encoding::kProtobuf;
constexpr auto kJson = coretel::otlp::Encoding::kJson;

coretel::PipelineOptions one_consumer() {
  coretel::PipelineOptions options;
  options.delta_consumers = 1;
  return options;
}

const coretel::Resource kResource{
    coretel::Attributes{{"service.name", std::string("svc")}, {"process.pid", int64_t{42}}}};

struct Fixture {
  coretel::CollectionPipeline pipeline{one_consumer(), coretel::Topology::detect()};
  std::unique_ptr<coretel::Reporter> reporter = pipeline.make_reporter(coretel::kUnpinned);
  coretel::Registration<AppMetrics> app = reporter->register_set<AppMetrics>(
      {{"pipeline.name", "p1"}, {"core", int64_t{3}}}, {{"region", "eu"}});
  coretel::Registration<HttpByMethod> http =
      reporter->register_set<HttpByMethod>({{"service", "api"}});

  void record_round_one() {
    app->requests.add(3);
    app->sent.add(1.5);
    app->temperature.set(-4);
    app->active.add(2);
    app->cpu_time.observe(12);
    app->latency.record(0.5);
    app->latency.record(1.5);
    app->size.record(0.7);
    app->size.record(2.0);
    app->size.record(9.0);
    http->with(Method::kPost).requests.add(5);
    http->with(Method::kPost).load.set(0.25);
    reporter->report(app);
    reporter->report(http);
    pipeline.collect_now();
  }
};

TEST(OtlpEncoder, CumulativeCarriesEveryKindWithExactValues) {
  Fixture fx;
  fx.record_round_one();
  std::string bytes;
  auto views = only(fx.pipeline.views(), AppMetrics::descriptor);
  auto http_views = only(fx.pipeline.views(), HttpMetrics::descriptor);
  views.insert(views.end(), http_views.begin(), http_views.end());
  const uint64_t points = coretel::otlp::encode_cumulative(kResource, views, kProtobuf, bytes);
  // AppMetrics: 7 fields, one point each; HttpByMethod: POST only (GET, ODD never recorded),
  // 2 fields.
  EXPECT_EQ(points, 9u);
  auto request = decode(bytes);
  ASSERT_EQ(request.resource_metrics_size(), 1);
  const auto& rm = request.resource_metrics(0);
  EXPECT_EQ(attributes_text(rm.resource().attributes()), "process.pid=42,service.name=svc");
  ASSERT_EQ(rm.scope_metrics_size(), 2);
  // Scopes in the order of the views: app.server, then app.http.
  EXPECT_EQ(rm.scope_metrics(0).scope().name(), "app.server");
  EXPECT_EQ(attributes_text(rm.scope_metrics(0).scope().attributes()), "core=3,pipeline.name=p1");
  EXPECT_EQ(rm.scope_metrics(1).scope().name(), "app.http");
  EXPECT_EQ(attributes_text(rm.scope_metrics(1).scope().attributes()), "service=api");
  const uint64_t start = fx.app.series().start_time_unix_nano;
  const uint64_t time = views[0]->time_unix_nano();
  ASSERT_GT(start, 0u);
  ASSERT_GE(time, start);

  const auto* requests = find_metric(request, "app.server", "app.requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->unit(), "{request}");
  EXPECT_EQ(requests->description(), "Requests served.");
  ASSERT_TRUE(requests->has_sum());
  EXPECT_TRUE(requests->sum().is_monotonic());
  EXPECT_EQ(requests->sum().aggregation_temporality(), kCumulative);
  ASSERT_EQ(requests->sum().data_points_size(), 1);
  const auto& rp = requests->sum().data_points(0);
  EXPECT_EQ(rp.as_int(), 3);
  EXPECT_EQ(rp.value_case(), pb::metrics::v1::NumberDataPoint::kAsInt);
  EXPECT_EQ(rp.start_time_unix_nano(), start);
  EXPECT_EQ(rp.time_unix_nano(), time);
  EXPECT_EQ(attributes_text(rp.attributes()), "region=eu");

  const auto* sent = find_metric(request, "app.server", "app.sent");
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->sum().data_points(0).as_double(), 1.5);

  const auto* temperature = find_metric(request, "app.server", "app.temperature");
  ASSERT_NE(temperature, nullptr);
  ASSERT_TRUE(temperature->has_gauge());
  EXPECT_EQ(temperature->gauge().data_points(0).as_int(), -4);
  EXPECT_EQ(temperature->gauge().data_points(0).start_time_unix_nano(), 0u);
  EXPECT_EQ(temperature->description(), "Temperature with a \\ backslash\nand a newline.");

  const auto* active = find_metric(request, "app.server", "app.active");
  ASSERT_NE(active, nullptr);
  EXPECT_FALSE(active->sum().is_monotonic());
  EXPECT_EQ(active->sum().aggregation_temporality(), kCumulative);
  EXPECT_EQ(active->sum().data_points(0).as_int(), 2);

  const auto* cpu = find_metric(request, "app.server", "app.cpu.time");
  ASSERT_NE(cpu, nullptr);
  EXPECT_TRUE(cpu->sum().is_monotonic());
  EXPECT_EQ(cpu->sum().data_points(0).as_int(), 12);

  const auto* latency = find_metric(request, "app.server", "app.latency");
  ASSERT_NE(latency, nullptr);
  ASSERT_TRUE(latency->has_summary());
  const auto& lp = latency->summary().data_points(0);
  EXPECT_EQ(lp.count(), 2u);
  EXPECT_EQ(lp.sum(), 2.0);
  ASSERT_EQ(lp.quantile_values_size(), 2);
  EXPECT_EQ(lp.quantile_values(0).quantile(), 0.0);
  EXPECT_EQ(lp.quantile_values(0).value(), 0.5);
  EXPECT_EQ(lp.quantile_values(1).quantile(), 1.0);
  EXPECT_EQ(lp.quantile_values(1).value(), 1.5);
  EXPECT_EQ(lp.start_time_unix_nano(), start);

  const auto* size = find_metric(request, "app.server", "app.size");
  ASSERT_NE(size, nullptr);
  ASSERT_TRUE(size->has_histogram());
  EXPECT_EQ(size->histogram().aggregation_temporality(), kCumulative);
  const auto& hp = size->histogram().data_points(0);
  EXPECT_EQ(hp.count(), 3u);
  EXPECT_TRUE(hp.has_sum());
  EXPECT_DOUBLE_EQ(hp.sum(), 11.7);
  EXPECT_EQ(std::vector<double>(hp.explicit_bounds().begin(), hp.explicit_bounds().end()),
            (std::vector<double>{0.5, 1.0, 2.5}));
  EXPECT_EQ(std::vector<uint64_t>(hp.bucket_counts().begin(), hp.bucket_counts().end()),
            (std::vector<uint64_t>{0, 1, 1, 1}));
  ASSERT_TRUE(hp.has_min() && hp.has_max());
  EXPECT_EQ(hp.min(), 0.7);
  EXPECT_EQ(hp.max(), 9.0);

  const auto* http = find_metric(request, "app.http", "app.http.requests");
  ASSERT_NE(http, nullptr);
  ASSERT_EQ(http->sum().data_points_size(), 1);
  EXPECT_EQ(attributes_text(http->sum().data_points(0).attributes()), "http.request.method=POST");
  EXPECT_EQ(http->sum().data_points(0).as_int(), 5);
  const auto* load = find_metric(request, "app.http", "app.http.load");
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->gauge().data_points(0).as_double(), 0.25);
}

TEST(OtlpEncoder, DeltaCarriesWindowsAndRollsBack) {
  Fixture fx;
  fx.record_round_one();
  uint64_t first_time = 0;
  {
    auto tx = fx.pipeline.begin_export(0);
    std::string bytes;
    EXPECT_GT(coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes), 0u);
    auto request = decode(bytes);
    const auto* requests = find_metric(request, "app.server", "app.requests");
    ASSERT_NE(requests, nullptr);
    EXPECT_EQ(requests->sum().aggregation_temporality(), kDelta);
    EXPECT_EQ(requests->sum().data_points(0).as_int(), 3);
    EXPECT_EQ(requests->sum().data_points(0).start_time_unix_nano(),
              fx.app.series().start_time_unix_nano);
    first_time = requests->sum().data_points(0).time_unix_nano();
    const auto* active = find_metric(request, "app.server", "app.active");
    EXPECT_EQ(active->sum().aggregation_temporality(), kCumulative);
    const auto* size = find_metric(request, "app.server", "app.size");
    EXPECT_EQ(size->histogram().aggregation_temporality(), kDelta);
    // Without observed totals (the `lowmemory` preference) an ObserveCounter stays cumulative.
    const auto* cpu_time = find_metric(request, "app.server", "app.cpu.time");
    EXPECT_EQ(cpu_time->sum().aggregation_temporality(), kCumulative);
    EXPECT_EQ(cpu_time->sum().data_points(0).as_int(), 12);
    tx.commit();
  }
  fx.app->requests.add(4);
  fx.app->active.add(-1);
  fx.reporter->report(fx.app);
  fx.pipeline.collect_now();
  {
    auto tx = fx.pipeline.begin_export(0);
    std::string bytes;
    coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes);
    // Not committed: rolled back when tx goes.
  }
  auto tx = fx.pipeline.begin_export(0);
  std::string bytes;
  coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes);
  auto request = decode(bytes);
  const auto* requests = find_metric(request, "app.server", "app.requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->sum().data_points(0).as_int(), 4);  // the window after the commit only
  EXPECT_EQ(requests->sum().data_points(0).start_time_unix_nano(), first_time);
  const auto* active = find_metric(request, "app.server", "app.active");
  EXPECT_EQ(active->sum().data_points(0).as_int(), 1);  // current value, not a delta
  EXPECT_EQ(active->sum().data_points(0).start_time_unix_nano(),
            fx.app.series().start_time_unix_nano);
  // Mmsc without a record in the window: no point, so no metric.
  EXPECT_EQ(find_metric(request, "app.server", "app.latency"), nullptr);
}

// Under `delta`, an ObserveCounter goes out as a DELTA Sum: its total minus the total last
// committed; a rolled-back export leaves the baseline; a total that went down (the source was
// reset) is sent whole.
TEST(OtlpEncoder, ObserveCounterGoesAsDeltaOverTheLastCommittedTotal) {
  Fixture fx;
  fx.record_round_one();  // cpu_time observes 12
  coretel::otlp::Scratch scratch;
  coretel::otlp::ObservedTotals totals;
  auto cpu_time_point = [&](bool commit) {
    auto tx = fx.pipeline.begin_export(0);
    std::string bytes;
    coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes, scratch, &totals);
    const auto request = decode(bytes);
    const auto* m = find_metric(request, "app.server", "app.cpu.time");
    EXPECT_NE(m, nullptr);
    if (m == nullptr) return std::pair<int64_t, uint64_t>{-1, 0};
    EXPECT_EQ(m->sum().aggregation_temporality(), kDelta);
    EXPECT_TRUE(m->sum().is_monotonic());
    const auto& p = m->sum().data_points(0);
    if (commit) {
      tx.commit();
      totals.commit();
    } else {
      totals.rollback();  // tx rolls back as it goes
    }
    return std::pair<int64_t, uint64_t>{p.as_int(), p.start_time_unix_nano()};
  };
  const auto first = cpu_time_point(true);
  EXPECT_EQ(first.first, 12);
  EXPECT_EQ(first.second, fx.app.series().start_time_unix_nano);

  fx.app->cpu_time.observe(20);
  fx.reporter->report(fx.app);
  fx.pipeline.collect_now();
  EXPECT_EQ(cpu_time_point(false).first, 8);  // rolled back
  const auto second = cpu_time_point(true);   // the same delta again
  EXPECT_EQ(second.first, 8);
  EXPECT_GE(second.second, first.second);  // from the first commit (a coarse clock: may be equal)

  fx.app->cpu_time.observe(5);  // the source restarted
  fx.reporter->report(fx.app);
  fx.pipeline.collect_now();
  EXPECT_EQ(cpu_time_point(true).first, 5);
  EXPECT_EQ(totals.size(), 1u);
}

// An exporter reuses its working memory: an encode after another (bigger or smaller) gives the
// bytes a fresh one gives.
TEST(OtlpEncoder, ReusedScratchGivesTheSameBytes) {
  Fixture fx;
  fx.record_round_one();
  const auto all = fx.pipeline.views();
  const auto app = only(all, AppMetrics::descriptor);
  coretel::otlp::Scratch scratch;
  for (const auto* views : {&all, &app, &all, &app}) {
    std::string reused, fresh;
    coretel::otlp::encode_cumulative(kResource, *views, kProtobuf, reused, scratch);
    coretel::otlp::encode_cumulative(kResource, *views, kProtobuf, fresh);
    EXPECT_EQ(reused, fresh);
  }
}

// The exporter's RequestBuffer (kept across encodes, written over, the top-level length in front
// of the body) holds the same bytes as a fresh string, whatever it held before; nothing to send
// leaves it empty.
TEST(OtlpEncoder, RequestBufferGivesTheSameBytes) {
  Fixture fx;
  fx.record_round_one();
  const auto all = fx.pipeline.views();
  const auto app = only(all, AppMetrics::descriptor);
  coretel::otlp::RequestBuffer buffer;
  coretel::otlp::Scratch scratch;
  for (const auto* views : {&all, &app, &all, &app}) {
    std::string fresh;
    const uint64_t points = coretel::otlp::encode_cumulative(kResource, *views, kProtobuf, fresh);
    EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, *views, kProtobuf, buffer, scratch),
              points);
    EXPECT_EQ(buffer.bytes, fresh);
  }
  // Over 127 and over 16383 bytes, the top-level length takes 2 and 3 bytes.
  std::vector<coretel::Registration<AppMetrics>> many;
  for (int i = 0; i < 200; ++i) {
    many.push_back(fx.reporter->register_set<AppMetrics>({{"i", int64_t{i}}}));
    fx.reporter->report(many.back());
  }
  fx.pipeline.collect_now();
  const auto big = fx.pipeline.views();
  std::string fresh;
  coretel::otlp::encode_cumulative(kResource, big, kProtobuf, fresh);
  ASSERT_GT(fresh.size(), 16384u);
  coretel::otlp::encode_cumulative(kResource, big, kProtobuf, buffer, scratch);
  EXPECT_EQ(buffer.bytes, fresh);
  coretel::otlp::encode_cumulative(kResource, app, kProtobuf, buffer, scratch);
  EXPECT_LT(buffer.bytes.size(), 16384u);
  EXPECT_EQ(decode(std::string(buffer.bytes)).resource_metrics_size(), 1);
  EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, {}, kProtobuf, buffer, scratch), 0u);
  EXPECT_TRUE(buffer.bytes.empty());
}

TEST(OtlpEncoder, NothingToSendWritesNothing) {
  std::string bytes;
  EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, {}, kProtobuf, bytes), 0u);
  EXPECT_TRUE(bytes.empty());
}

TEST(OtlpEncoder, UnsignedAboveInt64GoesAsDouble) {
  Fixture fx;
  fx.app->requests.add(std::numeric_limits<uint64_t>::max());
  fx.reporter->report(fx.app);
  fx.pipeline.collect_now();
  std::string bytes;
  coretel::otlp::encode_cumulative(kResource, only(fx.pipeline.views(), AppMetrics::descriptor),
                                   kProtobuf, bytes);
  auto request = decode(bytes);
  const auto* requests = find_metric(request, "app.server", "app.requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->sum().data_points(0).as_double(), 18446744073709551615.0);
}

// The same views and transactions, encoded as OTLP/JSON, read back by libprotobuf's JSON parser
// (lowerCamelCase keys, 64-bit integers as strings, enums as integers), equal the protobuf
// request field for field.
TEST(OtlpEncoder, JsonAndProtobufCarryTheSameRequest) {
  Fixture fx;
  auto bad = fx.reporter->register_set<BadTextMetrics>(bad_text_entity(), bad_text_registration());
  bad->value.set(7);
  fx.reporter->report(bad);
  fx.app->sent.add(std::numeric_limits<double>::infinity());  // ignored: counted as invalid
  fx.record_round_one();
  fx.http->with(Method::kOdd).load.set(std::numeric_limits<double>::quiet_NaN());
  fx.reporter->report(fx.http);
  fx.pipeline.collect_now();
  const auto views = fx.pipeline.views();
  std::string protobuf, json;
  const uint64_t points = coretel::otlp::encode_cumulative(kResource, views, kProtobuf, protobuf);
  EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, views, kJson, json), points);
  auto from_protobuf = decode(protobuf);
  pb::collector::metrics::v1::ExportMetricsServiceRequest from_json;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &from_json);
  ASSERT_TRUE(status.ok()) << status.ToString() << "\n" << json.substr(0, 2000);
  std::string differences;
  google::protobuf::util::DefaultFieldComparator exact_nan_equal;  // doubles compared exactly
  exact_nan_equal.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&differences);
  differ.set_field_comparator(&exact_nan_equal);
  EXPECT_TRUE(differ.Compare(from_protobuf, from_json)) << differences;
  // The NaN gauge went through both.
  const auto* load = find_metric(from_json, "app.http", "app.http.load");
  ASSERT_NE(load, nullptr);
  bool saw_nan = false;
  for (const auto& p : load->gauge().data_points()) saw_nan |= std::isnan(p.as_double());
  EXPECT_TRUE(saw_nan);
  EXPECT_NE(json.find("\"asDouble\":\"NaN\""), std::string::npos);
  EXPECT_NE(json.find("\"aggregationTemporality\":2"), std::string::npos);
  EXPECT_NE(json.find("\"asInt\":\"3\""), std::string::npos);

  auto tx = fx.pipeline.begin_export(0);
  std::string delta_protobuf, delta_json;
  coretel::otlp::encode_delta(kResource, tx, kProtobuf, delta_protobuf);
  coretel::otlp::encode_delta(kResource, tx, kJson, delta_json);
  pb::collector::metrics::v1::ExportMetricsServiceRequest delta_from_json;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(delta_json, &delta_from_json).ok());
  EXPECT_TRUE(differ.Compare(decode(delta_protobuf), delta_from_json)) << differences;
  EXPECT_NE(delta_json.find("\"aggregationTemporality\":1"), std::string::npos);
}

// An ExponentialHistogram as OTLP carries it: scale, zero count, both ranges trimmed to their
// populated buckets, count, sum, min and max; cumulative totals merged across reports (at the
// lower scale) and delta windows; JSON equal to protobuf.
TEST(OtlpEncoder, ExponentialHistogramCarriesScaleBucketsMinAndMax) {
  coretel::CollectionPipeline pipeline{one_consumer(), coretel::Topology::detect()};
  auto reporter = pipeline.make_reporter(coretel::kUnpinned);
  auto queue = reporter->register_set<DelayMetrics>({{"queue", "q1"}});
  // Round one: 1, 2 and 3 span far more than 8 buckets at scale 20; at scale 2 (base 2^(1/4))
  // 1 closes bucket -1, 2 closes bucket 3 and 3 lies in bucket 6 (log2(3) * 4 = 6.34): 8
  // buckets, -1..6. Plus a zero and a negative, -3 (bucket 6 of the negative range).
  for (double v : {1.0, 2.0, 3.0, 0.0, -3.0}) queue->delay.record(v);
  ASSERT_EQ(queue->delay.scale(), 2);
  reporter->report(queue);
  pipeline.collect_now();
  // Round two: 100 is bucket 26 at scale 2 (log2(100) * 4 = 26.6). The instrument was cleared
  // by the report and keeps scale 2 (26 alone fits), but the collector's total, -1..26, fits 8
  // buckets only at scale 0 (-1..6): it merges both rounds down to scale 0.
  queue->delay.record(100.0);
  ASSERT_EQ(queue->delay.scale(), 2);
  reporter->report(queue);
  pipeline.collect_now();

  std::string protobuf, json;
  const auto views = only(pipeline.views(), DelayMetrics::descriptor);
  EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, views, kProtobuf, protobuf), 1u);
  auto request = decode(protobuf);
  const auto* delay = find_metric(request, "app.queue", "app.queue.delay");
  ASSERT_NE(delay, nullptr);
  ASSERT_TRUE(delay->has_exponential_histogram());
  EXPECT_EQ(delay->exponential_histogram().aggregation_temporality(), kCumulative);
  ASSERT_EQ(delay->exponential_histogram().data_points_size(), 1);
  const auto& p = delay->exponential_histogram().data_points(0);
  EXPECT_EQ(attributes_text(p.attributes()), "");
  EXPECT_EQ(p.count(), 6u);
  EXPECT_EQ(p.sum(), 1.0 + 2.0 + 3.0 - 3.0 + 100.0);
  EXPECT_EQ(p.min(), -3.0);
  EXPECT_EQ(p.max(), 100.0);
  EXPECT_EQ(p.scale(), 0);
  EXPECT_EQ(p.zero_count(), 1u);
  EXPECT_EQ(p.zero_threshold(), 0.0);
  // Scale 0: 1 in (0.5, 1] bucket -1; 2 in (1, 2] bucket 0; 3 in (2, 4] bucket 1; 100 in
  // (64, 128] bucket 6.
  EXPECT_EQ(p.positive().offset(), -1);
  EXPECT_EQ(std::vector<uint64_t>(p.positive().bucket_counts().begin(),
                                  p.positive().bucket_counts().end()),
            (std::vector<uint64_t>{1, 1, 1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(p.negative().offset(), 1);
  EXPECT_EQ(std::vector<uint64_t>(p.negative().bucket_counts().begin(),
                                  p.negative().bucket_counts().end()),
            (std::vector<uint64_t>{1}));
  EXPECT_EQ(p.start_time_unix_nano(), queue.series().start_time_unix_nano);

  EXPECT_EQ(coretel::otlp::encode_cumulative(kResource, views, kJson, json), 1u);
  pb::collector::metrics::v1::ExportMetricsServiceRequest from_json;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &from_json);
  ASSERT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  google::protobuf::util::MessageDifferencer differ;
  std::string differences;
  differ.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differ.Compare(request, from_json)) << differences;

  // Delta: both rounds, merged, in the first window; then only what came after.
  {
    auto tx = pipeline.begin_export(0);
    std::string bytes;
    // Self-metrics come too.
    ASSERT_GT(coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes), 0u);
    const auto delta = decode(bytes);
    const auto* m = find_metric(delta, "app.queue", "app.queue.delay");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->exponential_histogram().aggregation_temporality(), kDelta);
    EXPECT_EQ(m->exponential_histogram().data_points(0).count(), 6u);
    tx.commit();
  }
  queue->delay.record(5.0);  // scale 2: log2(5) * 4 = 9.29, bucket 9
  reporter->report(queue);
  pipeline.collect_now();
  auto tx = pipeline.begin_export(0);
  std::string bytes;
  ASSERT_GT(coretel::otlp::encode_delta(kResource, tx, kProtobuf, bytes), 0u);
  const auto second = decode(bytes);
  const auto* m = find_metric(second, "app.queue", "app.queue.delay");
  ASSERT_NE(m, nullptr);
  const auto& window = m->exponential_histogram().data_points(0);
  EXPECT_EQ(window.count(), 1u);
  EXPECT_EQ(window.sum(), 5.0);
  EXPECT_EQ(window.min(), 5.0);
  EXPECT_EQ(window.max(), 5.0);
  EXPECT_EQ(window.scale(), 2);  // the instrument's: a delta window is not merged down
  EXPECT_EQ(window.positive().offset(), 9);
  EXPECT_EQ(window.positive().bucket_counts_size(), 1);
  EXPECT_FALSE(window.has_negative() && window.negative().bucket_counts_size() > 0);
}

// Strings that are not UTF-8 would make a receiver reject the whole request (protobuf `string`
// fields must be UTF-8): they arrive with U+FFFD instead.
TEST(OtlpEncoder, IllFormedUtf8ArrivesReplaced) {
  Fixture fx;
  auto bad = fx.reporter->register_set<BadTextMetrics>(bad_text_entity(), bad_text_registration());
  bad->value.set(7);
  fx.reporter->report(bad);
  fx.pipeline.collect_now();
  std::string bytes;
  coretel::otlp::encode_cumulative(kResource, only(fx.pipeline.views(), BadTextMetrics::descriptor),
                                   kProtobuf, bytes);
  auto request = decode(bytes);
  const auto* metric = find_metric(request, "app.bad", "app.bad.value");
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->description(), "Brief " + kFffd + " with a bad byte.");
  EXPECT_EQ(coretel_otlp_test::attributes_text(
                request.resource_metrics(0).scope_metrics(0).scope().attributes()),
            "host=h" + kFffd + "\"");
  EXPECT_EQ(metric->gauge().data_points(0).as_int(), 7);
}

// Lengths of 127, 128 and 16384 bytes need 1, 2 and 3 length bytes: the writer's output equals
// libprotobuf's for the same fields.
TEST(ProtobufWriter, NestedLengthsMatchLibprotobuf) {
  for (std::size_t n : {1u, 120u, 125u, 126u, 127u, 128u, 200u, 16380u, 16384u, 3000000u}) {
    std::string ours;
    {
      coretel::otlp::ProtobufWriter w(ours);
      const std::size_t scope = w.begin_message(1);
      w.bytes_field(1, std::string(n, 'x'));
      w.varint_field(4, 7);
      w.end_message(scope);
    }
    pb::metrics::v1::ScopeMetrics expected;
    expected.mutable_scope()->set_name(std::string(n, 'x'));
    expected.mutable_scope()->set_dropped_attributes_count(7);
    EXPECT_EQ(ours, expected.SerializeAsString()) << n;
  }
}

TEST(HttpTransport, GzipInflatesBackToTheInput) {
  std::string input;
  for (int i = 0; i < 10000; ++i) input += std::to_string(i) + ",";
  const std::string packed = coretel::otlp::gzip_compress(input);
  EXPECT_LT(packed.size(), input.size() / 2);
  EXPECT_EQ(packed.substr(0, 2), "\x1f\x8b");  // the gzip magic (RFC 1952)
  EXPECT_EQ(coretel_otlp_test::gunzip(packed), input);
}

TEST(HttpTransport, RetryAfterTakesSecondsOrAnHttpDate) {
  using coretel::otlp::parse_retry_after;
  using std::chrono::milliseconds;
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37
  EXPECT_EQ(parse_retry_after("1", now), milliseconds(1000));
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now), milliseconds(3000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999", now), std::nullopt);
}

}  // namespace
}  // namespace coretel_export_test
