// OtlpMetricExporter and PeriodicExportingMetricReader against a real HTTP receiver on loopback
// (otlp_test_receiver.h): what arrives, decoded with libprotobuf, and what happens when the
// receiver fails: retried, rolled back, dropped and counted, bounded in time.
#include "coretel/export/otlp_metric_exporter.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "coretel/collect/field_values.h"
#include "coretel/export/periodic_exporting_reader.h"
#include "export_test_sets.h"
#include "otlp_test_engine.h"
#include "otlp_test_receiver.h"

namespace coretel_export_test {
namespace {

using coretel_otlp_test::Answer;
using coretel_otlp_test::decode;
using coretel_otlp_test::Engine;
using coretel_otlp_test::find_metric;
using coretel_otlp_test::in;
using coretel_otlp_test::Receiver;
using coretel_otlp_test::resource;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
namespace pb = opentelemetry::proto;

coretel::OtlpExporterOptions options_for(
    const std::string& url,
    coretel::TemporalityPreference temporality = coretel::TemporalityPreference::kDelta) {
  coretel::OtlpExporterOptions o;
  o.endpoint = url;
  o.temporality = temporality;
  o.timeout = milliseconds(2000);
  return o;
}

// The exporter's own coretel.exporter.data_points for one outcome, from the pipeline's views.
uint64_t self_points(coretel::CollectionPipeline& pipeline, std::string_view outcome) {
  pipeline.collect_now();
  uint64_t total = 0;
  for (const auto& view : pipeline.views())
    for (const auto& s : view->series()) {
      if (s.info->descriptor->name != "coretel.exporter.points") continue;
      for (uint32_t c = 0; c < s.info->combination_count; ++c)
        if (view->observed(s, c) && s.info->combination_values(c)[0] == outcome)
          total += view->field_words(s, c, 0)[0];
    }
  return total;
}

// The semantic conventions' otel.sdk.exporter.metric_data_point.exported (field 0 of set
// otel.sdk.exporter) of the series whose error.type is `error_type` ("": the series without one),
// and the count of its operation.duration; {-1, -1} when there is no such series.
struct SemconvOutcome {
  int64_t exported = -1;
  int64_t operations = -1;
  bool operator==(const SemconvOutcome&) const = default;
};
std::ostream& operator<<(std::ostream& os, const SemconvOutcome& o) {
  return os << "{exported " << o.exported << ", operations " << o.operations << "}";
}
SemconvOutcome semconv_outcome(coretel::CollectionPipeline& pipeline, std::string_view error_type) {
  pipeline.collect_now();
  for (const auto& view : pipeline.views())
    for (const auto& s : view->series()) {
      if (s.info->descriptor->name != "otel.sdk.exporter") continue;
      const auto e = s.info->registration->find("error.type");
      if (error_type.empty() ? e.has_value() : !e || std::get<std::string_view>(*e) != error_type)
        continue;
      EXPECT_EQ(s.info->registration->find("otel.component.type"),
                coretel::AttributeValueRef(std::string_view("otlp_http_metric_exporter")));
      const auto duration =
          coretel::read_histogram(s.info->descriptor->fields[1], view->field_words(s, 0, 1));
      return {static_cast<int64_t>(view->field_words(s, 0, 0)[0]),
              static_cast<int64_t>(duration.count())};
    }
  return {};
}
// otel.sdk.exporter.metric_data_point.inflight of the exporter.
int64_t semconv_inflight(coretel::CollectionPipeline& pipeline) {
  pipeline.collect_now();
  for (const auto& view : pipeline.views())
    for (const auto& s : view->series())
      if (s.info->descriptor->name == "otel.sdk.exporter.metric_data_point")
        return static_cast<int64_t>(view->field_words(s, 0, 0)[0]);
  return -1;
}

// Stops a cpp-httplib server and joins its thread when the test leaves, also by a failed ASSERT.
struct StopAndJoin {
  httplib::Server& server;
  std::thread& thread;
  ~StopAndJoin() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
};

// The app.requests data points of every request the receiver got, in order.
std::vector<int64_t> requests_values(const Receiver& receiver) {
  std::vector<int64_t> out;
  for (const auto& r : receiver.received()) {
    auto request = decode(r);
    const auto* m = find_metric(request, "app.server", "app.requests");
    out.push_back(m == nullptr ? -1 : m->sum().data_points(0).as_int());
  }
  return out;
}

pb::collector::metrics::v1::ExportMetricsServiceResponse partial(int64_t rejected,
                                                                 const std::string& message) {
  pb::collector::metrics::v1::ExportMetricsServiceResponse r;
  r.mutable_partial_success()->set_rejected_data_points(rejected);
  r.mutable_partial_success()->set_error_message(message);
  return r;
}

TEST(OtlpMetricExporter, PostsProtobufWithHeadersAndExactValues) {
  Receiver receiver;
  Engine engine;
  auto options = options_for(receiver.url());
  options.headers = {{"x-tenant", "a b"}, {"authorization", "Bearer t"}};
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  engine.add(7);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/v1/metrics");
  EXPECT_EQ(got[0].header("Content-Type"), "application/x-protobuf");
  EXPECT_EQ(got[0].header("User-Agent"), "coretel/" CORETEL_TEST_VERSION);
  EXPECT_EQ(got[0].header("x-tenant"), "a b");
  EXPECT_EQ(got[0].header("authorization"), "Bearer t");
  EXPECT_EQ(got[0].header("Content-Encoding"), "");
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{7}));
  auto request = decode(got[0].body);
  EXPECT_EQ(coretel_otlp_test::attributes_text(request.resource_metrics(0).resource().attributes()),
            "service.name=edge-1");
  // Delta: the next export carries only what came after.
  engine.add(2);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{7, 2}));
  auto stats = exporter.stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_GT(stats.data_points_exported, 2u);
}

// The observed total's delta per export under `delta` (a failed export keeps the baseline, so
// nothing is lost); its total, cumulative, under `lowmemory`.
TEST(OtlpMetricExporter, ObserveCounterIsADeltaUnderDeltaAndATotalUnderLowMemory) {
  for (const auto preference :
       {coretel::TemporalityPreference::kDelta, coretel::TemporalityPreference::kLowMemory}) {
    const bool delta = preference == coretel::TemporalityPreference::kDelta;
    SCOPED_TRACE(delta ? "delta" : "lowmemory");
    Receiver receiver;
    Engine engine;
    coretel::OtlpMetricExporter exporter(engine.pipeline, resource(),
                                         options_for(receiver.url(), preference), 0);
    std::vector<std::pair<int, int64_t>> got;  // (temporality, value) per request
    auto observe = [&](uint64_t total) {
      engine.app->cpu_time.observe(total);
      engine.add(1);
    };
    auto last_cpu_time = [&] {
      auto request = decode(receiver.received().back().body);
      const auto* m = find_metric(request, "app.server", "app.cpu.time");
      EXPECT_NE(m, nullptr);
      return m == nullptr ? std::pair<int, int64_t>{-1, -1}
                          : std::pair<int, int64_t>{m->sum().aggregation_temporality(),
                                                    m->sum().data_points(0).as_int()};
    };
    observe(10);
    ASSERT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
    got.push_back(last_cpu_time());
    observe(25);
    receiver.script({Answer{503, "", {{"Retry-After", "9"}}}});  // past the deadline: rolled back
    EXPECT_EQ(exporter.export_metrics(in(milliseconds(300))),
              coretel::ExportResult::kFailedRetryable);
    observe(31);
    ASSERT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
    got.push_back(last_cpu_time());
    const int want = delta ? pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA
                           : pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE;
    EXPECT_EQ(got, (std::vector<std::pair<int, int64_t>>{{want, 10}, {want, delta ? 21 : 31}}));
  }
}

TEST(OtlpMetricExporter, PostsJsonWhenAskedAndReadsAJsonPartialSuccess) {
  Receiver receiver;
  Engine engine;
  auto options = options_for(receiver.url());
  options.protocol = coretel::OtlpProtocol::kHttpJson;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  engine.add(9);
  receiver.script({Answer{200,
                          R"({"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"one"}})",
                          {},
                          "application/json"}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{9}));
  EXPECT_EQ(exporter.stats().data_points_rejected, 1u);
}

TEST(OtlpMetricExporter, GzipBodyDecodesToTheSameRequest) {
  Receiver receiver;
  Engine engine;
  auto options = options_for(receiver.url());
  options.compression = coretel::OtlpCompression::kGzip;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  engine.add(11);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("Content-Encoding"), "gzip");
  // cpp-httplib inflated the body before the handler saw it (and would have answered 400 to a
  // body that is not gzip).
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{11}));
}

TEST(OtlpMetricExporter, CumulativeReadsViewsAndCarriesTotals) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(
      engine.pipeline, resource(),
      options_for(receiver.url(), coretel::TemporalityPreference::kCumulative));
  engine.add(5);
  receiver.script({Answer{400, "", {}}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
            coretel::ExportResult::kFailedPermanent);
  engine.add(1);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{5, 6}));
  auto request = decode(receiver.received()[1].body);
  EXPECT_EQ(find_metric(request, "app.server", "app.requests")->sum().aggregation_temporality(),
            pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
}

TEST(OtlpMetricExporter, RetryAfterIsHonouredAndNothingIsLost) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  engine.add(3);
  receiver.script({Answer{503, "", {{"Retry-After", "1"}}}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(10000))), coretel::ExportResult::kSuccess);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, milliseconds(950));
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(exporter.stats().retries, 1u);
}

TEST(OtlpMetricExporter, ThrottledPastTheDeadlineRollsBackDeltas) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  engine.add(3);
  // 429 asking for 30 s: more than the deadline allows, so the export gives up at once.
  receiver.script({Answer{429, "", {{"Retry-After", "30"}}}});
  const auto started = Clock::now();
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(3000))),
            coretel::ExportResult::kFailedRetryable);
  EXPECT_LT(Clock::now() - started, milliseconds(2500));
  engine.add(4);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  // The rolled-back 3 and the new 4 arrive together.
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(exporter.stats().failed_retryable, 1u);
  EXPECT_EQ(self_points(engine.pipeline, "kept"), exporter.stats().data_points_kept);
  EXPECT_EQ(self_points(engine.pipeline, "exported"), exporter.stats().data_points_exported);
  EXPECT_GT(exporter.stats().data_points_kept, 0u);
  // The semantic conventions' view: the failed export under error.type "429", the kept points
  // counted again once delivered; nothing in flight after.
  const auto kept = static_cast<int64_t>(exporter.stats().data_points_kept);
  EXPECT_EQ(semconv_outcome(engine.pipeline, "429"), (SemconvOutcome{kept, 1}));
  EXPECT_EQ(semconv_outcome(engine.pipeline, ""),
            (SemconvOutcome{static_cast<int64_t>(exporter.stats().data_points_exported), 1}));
  EXPECT_EQ(semconv_inflight(engine.pipeline), 0);
}

// A server answering with ever new statuses cannot grow the exporter's series: 16 error types
// get series of their own, the rest are counted under `_OTHER`.
TEST(OtlpMetricExporter, ErrorTypesAreBounded) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  std::vector<Answer> answers;
  for (int status = 400; status < 420; ++status) answers.push_back(Answer{status, "", {}});
  receiver.script(answers);
  for (int i = 0; i < 20; ++i) {
    engine.add(1);
    EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
              coretel::ExportResult::kFailedPermanent);
  }
  for (int status = 400; status < 416; ++status)
    EXPECT_EQ(semconv_outcome(engine.pipeline, std::to_string(status)).operations, 1) << status;
  EXPECT_EQ(semconv_outcome(engine.pipeline, "416"), SemconvOutcome{});  // no series
  EXPECT_EQ(semconv_outcome(engine.pipeline, "_OTHER").operations, 4);   // 416 to 419
}

TEST(OtlpMetricExporter, BadRequestIsDroppedCountedAndNotRetried) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  engine.add(3);
  receiver.script({Answer{400, "", {}}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
            coretel::ExportResult::kFailedPermanent);
  auto stats = exporter.stats();
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.failed_permanent, 1u);
  EXPECT_GT(stats.data_points_dropped, 0u);
  // Counted where users look: coretel's own metrics, through the same pipeline.
  EXPECT_EQ(self_points(engine.pipeline, "dropped"), stats.data_points_dropped);
  EXPECT_EQ(self_points(engine.pipeline, "exported"), 0u);
  // The semantic conventions' view: error.type is the HTTP status; no success yet.
  EXPECT_EQ(semconv_outcome(engine.pipeline, "400"),
            (SemconvOutcome{static_cast<int64_t>(stats.data_points_dropped), 1}));
  EXPECT_EQ(semconv_outcome(engine.pipeline, ""), (SemconvOutcome{0, 0}));
  engine.add(4);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{3, 4}));  // the 3 was dropped
}

// A response over the 4 MiB limit (OTLP exporter specification) is cut off, not buffered: the
// export fails for good and says so.
TEST(OtlpMetricExporter, OversizedResponseIsCutOff) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  engine.add(3);
  receiver.script({Answer{200, std::string(5u << 20, 'x'), {}}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
            coretel::ExportResult::kFailedPermanent);
  EXPECT_EQ(exporter.stats().requests, 1u);
  EXPECT_EQ(exporter.stats().failed_permanent, 1u);
}

TEST(OtlpMetricExporter, PartialSuccessIsCountedAndNotRetried) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  engine.add(3);
  receiver.script({Answer{200, partial(2, "two bad points").SerializeAsString(), {}}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  auto stats = exporter.stats();
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.data_points_rejected, 2u);
  // Rejected points count as failed with error.type `rejected`, the others as exported; the
  // operation was not a full success, so its duration carries `rejected` too.
  EXPECT_EQ(semconv_outcome(engine.pipeline, "rejected"), (SemconvOutcome{2, 1}));
  EXPECT_EQ(semconv_outcome(engine.pipeline, ""),
            (SemconvOutcome{static_cast<int64_t>(stats.data_points_exported), 0}));
  EXPECT_GT(stats.data_points_exported, 0u);
}

TEST(OtlpMetricExporter, ReceiverDownAtFirstThenUpLosesNothing) {
  Engine engine;
  // A port that was free a moment ago: connections are refused.
  int port = 0;
  {
    Receiver probe;
    port = probe.port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(url), 0);
  engine.add(3);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(300))),
            coretel::ExportResult::kFailedRetryable);
  engine.add(4);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(300))),
            coretel::ExportResult::kFailedRetryable);
  httplib::Server server;
  server.set_keep_alive_max_count(1);  // its stop() need not wait out the exporter's connection
  std::vector<std::string> bodies;
  std::mutex mutex;
  server.Post("/v1/metrics", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    bodies.push_back(req.body);
    res.status = 200;
  });
  ASSERT_TRUE(server.bind_to_port("127.0.0.1", port));
  std::thread t([&] { server.listen_after_bind(); });
  StopAndJoin stop_and_join{server, t};
  while (!server.is_running()) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  server.stop();
  t.join();
  ASSERT_EQ(bodies.size(), 1u);
  auto request = decode(bodies[0]);
  EXPECT_EQ(find_metric(request, "app.server", "app.requests")->sum().data_points(0).as_int(), 7);
}

// A listening socket that never accepts: the TCP handshake completes (the kernel's backlog), no
// answer ever comes.
struct SilentServer {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  SilentServer() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd, 16), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics"; }
};

TEST(OtlpMetricExporter, SilentServerIsCutOffAtTheTimeoutAndTheEngineKeepsItsRate) {
  SilentServer silent;
  Engine engine;
  auto options = options_for(silent.url());
  options.timeout = milliseconds(500);
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  engine.add(3);
  std::atomic<bool> exporting{true};
  std::thread exporter_thread([&] {
    const auto started = Clock::now();
    // 500 ms, a backoff of 0.8-1.2 s, 500 ms, then a 1.2-1.8 s backoff would pass the deadline.
    EXPECT_EQ(exporter.export_metrics(in(milliseconds(3000))),
              coretel::ExportResult::kFailedRetryable);
    EXPECT_LT(Clock::now() - started, milliseconds(3500));
    exporting = false;
  });
  // Meanwhile the engine records and reports as usual: nothing it calls waits for the export.
  uint64_t rounds = 0;
  while (exporting) {
    engine.app->requests.add(1);
    engine.reporter->report(engine.app);
    ++rounds;
  }
  exporter_thread.join();
  EXPECT_GT(rounds, 1000u);
  EXPECT_GE(exporter.stats().requests, 2u);  // retried after a backoff, within the deadline
}

TEST(PeriodicExportingMetricReader, ExportsEveryIntervalAndOnceMoreAtShutdown) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options_for(receiver.url()), 0);
  coretel::PeriodicExportingMetricReader reader(exporter, {milliseconds(100), milliseconds(2000)});
  reader.start();
  engine.add(1);
  const auto until = Clock::now() + milliseconds(5000);
  while (receiver.received().empty() && Clock::now() < until)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_FALSE(receiver.received().empty());
  engine.add(5);
  EXPECT_EQ(reader.shutdown(), coretel::ExportResult::kSuccess);
  uint64_t total = 0;
  for (int64_t v : requests_values(receiver))
    if (v > 0) total += static_cast<uint64_t>(v);
  EXPECT_EQ(total, 6u);
  EXPECT_EQ(reader.shutdown(), coretel::ExportResult::kSuccess);  // idempotent
}

TEST(PeriodicExportingMetricReader, ShutdownWhileTheReceiverIsDownReturnsWithinTheTimeout) {
  SilentServer silent;
  Engine engine;
  auto options = options_for(silent.url());
  options.timeout = milliseconds(400);
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  coretel::PeriodicExportingMetricReader reader(exporter, {milliseconds(50), milliseconds(1000)});
  reader.start();
  engine.add(3);
  std::this_thread::sleep_for(milliseconds(200));  // a periodic export is under way
  const auto started = Clock::now();
  EXPECT_EQ(reader.shutdown(milliseconds(1000)), coretel::ExportResult::kFailedRetryable);
  // The request in flight (at most 400 ms), then one final attempt (at most 400 ms).
  EXPECT_LT(Clock::now() - started, milliseconds(1500));
}

// TLS: a receiver with a certificate made by `openssl` for 127.0.0.1 now; the exporter trusts it
// through OTEL_EXPORTER_OTLP_CERTIFICATE's option. Without it the handshake fails: no answer,
// so the deltas are kept for the export that gets through.
TEST(OtlpMetricExporter, HttpsWithTheCollectorsCertificate) {
  char dir_template[] = "/tmp/coretel-tls-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl (Debian package openssl) failed";
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  std::vector<std::string> bodies;
  std::mutex mutex;
  server.Post("/v1/metrics", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    bodies.push_back(req.body);
    res.status = 200;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  StopAndJoin stop_and_join{server, t};
  while (!server.is_running()) std::this_thread::sleep_for(milliseconds(1));
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  {
    Engine engine;
    coretel::OtlpMetricExporter untrusting(engine.pipeline, resource(), options_for(url), 0);
    engine.add(4);
    EXPECT_EQ(untrusting.export_metrics(in(milliseconds(500))),
              coretel::ExportResult::kFailedRetryable);
    auto options = options_for(url);
    options.certificate = cert;
    coretel::OtlpMetricExporter trusting(engine.pipeline, resource(), options, 0);
    engine.add(5);
    EXPECT_EQ(trusting.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  }
  server.stop();
  t.join();
  std::filesystem::remove_all(dir);
  ASSERT_EQ(bodies.size(), 1u);
  auto request = decode(bodies[0]);
  // The failed export's 4 were rolled back and arrived with the 5.
  EXPECT_EQ(find_metric(request, "app.server", "app.requests")->sum().data_points(0).as_int(), 9);
}

// The endpoint in coretel's own metrics holds no credentials.
TEST(OtlpMetricExporter, SelfMetricsNameTheEndpointWithoutCredentials) {
  Engine engine;
  coretel::OtlpMetricExporter exporter(
      engine.pipeline, resource(),
      options_for("http://user:secret@127.0.0.1:1/v1/metrics?token=abc#x"), 0);
  engine.pipeline.collect_now();
  std::vector<std::string> endpoints;
  for (const auto& view : engine.pipeline.views())
    for (const auto& s : view->series())
      if (s.info->descriptor->name == "coretel.exporter")
        endpoints.emplace_back(std::get<std::string_view>(
            *s.info->entity->attributes.find("coretel.exporter.endpoint")));
  EXPECT_EQ(endpoints, std::vector<std::string>{"http://127.0.0.1:1/v1/metrics"});
}

TEST(OtlpMetricExporter, RejectsWhatItCannotDo) {
  Engine engine;
  auto options = options_for("http://127.0.0.1:1/v1/metrics");
  EXPECT_THROW(coretel::OtlpMetricExporter(engine.pipeline, resource(), options),
               std::invalid_argument);  // delta without a consumer
}

}  // namespace
}  // namespace coretel_export_test
