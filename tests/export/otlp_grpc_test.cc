// OtlpMetricExporter over OTLP/gRPC against a real gRPC server on loopback (the MetricsService
// generated from proto/ by grpc_cpp_plugin): what arrives, decoded by libprotobuf, and how each
// status the OTLP specification names is handled.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "coretel/export/otlp_metric_exporter.h"
#include "export_test_sets.h"
#include "grpc_transport.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "otlp_test_engine.h"
#include "protobuf_wire.h"

namespace coretel_export_test {
namespace {

using coretel_otlp_test::Engine;
using coretel_otlp_test::in;
using coretel_otlp_test::resource;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
namespace pb = opentelemetry::proto;
using pb::collector::metrics::v1::ExportMetricsServiceRequest;
using pb::collector::metrics::v1::ExportMetricsServiceResponse;

struct Received {
  ExportMetricsServiceRequest request;
  std::multimap<std::string, std::string> metadata;
  Clock::time_point at;
};

// A MetricsService that records every call and answers from a script (then OK).
class Receiver final : public pb::collector::metrics::v1::MetricsService::Service {
 public:
  /// On `port`, or an ephemeral one.
  explicit Receiver(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~Receiver() override { server_->Shutdown(std::chrono::system_clock::now() + milliseconds(500)); }

  grpc::Status Export(grpc::ServerContext* context, const ExportMetricsServiceRequest* request,
                      ExportMetricsServiceResponse* response) override {
    std::lock_guard lock(mutex_);
    Received r{*request, {}, Clock::now()};
    for (const auto& [k, v] : context->client_metadata())
      r.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    received_.push_back(std::move(r));
    if (script_.empty()) return grpc::Status::OK;
    auto [status, partial] = script_.front();
    script_.pop_front();
    if (partial > 0) response->mutable_partial_success()->set_rejected_data_points(partial);
    return status;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void script(std::vector<std::pair<grpc::Status, int64_t>> answers) {
    std::lock_guard lock(mutex_);
    script_.assign(answers.begin(), answers.end());
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::mutex mutex_;
  std::deque<std::pair<grpc::Status, int64_t>> script_;
  std::vector<Received> received_;
};

coretel::OtlpExporterOptions grpc_options(const std::string& url) {
  coretel::OtlpExporterOptions o;
  o.endpoint = url;
  o.protocol = coretel::OtlpProtocol::kGrpc;
  o.temporality = coretel::TemporalityPreference::kDelta;
  o.timeout = milliseconds(2000);
  return o;
}

std::vector<int64_t> requests_values(Receiver& receiver) {
  std::vector<int64_t> out;
  for (const auto& r : receiver.received()) {
    int64_t v = -1;
    for (const auto& rm : r.request.resource_metrics())
      for (const auto& sm : rm.scope_metrics())
        for (const auto& m : sm.metrics())
          if (sm.scope().name() == "app.server" && m.name() == "app.requests")
            v = m.sum().data_points(0).as_int();
    out.push_back(v);
  }
  return out;
}

// A serialized google.rpc.Status carrying a google.rpc.RetryInfo of `seconds`.
std::string retry_info_details(int64_t seconds) {
  std::string duration, info, any, status;
  {
    coretel::otlp::ProtobufWriter w(duration);
    w.varint_field(1, static_cast<uint64_t>(seconds));
  }
  {
    coretel::otlp::ProtobufWriter w(info);
    w.bytes_field(1, duration);
  }
  {
    coretel::otlp::ProtobufWriter w(any);
    w.bytes_field(1, "type.googleapis.com/google.rpc.RetryInfo");
    w.bytes_field(2, info);
  }
  {
    coretel::otlp::ProtobufWriter w(status);
    w.varint_field(1, 8);
    w.bytes_field(2, "slow down");
    w.bytes_field(3, any);
  }
  return status;
}

TEST(OtlpGrpc, ExportsExactValuesWithMetadata) {
  Receiver receiver;
  Engine engine;
  auto options = grpc_options(receiver.url());
  options.headers = {{"X-Tenant", "a b"}};
  options.compression = coretel::OtlpCompression::kGzip;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
  engine.add(7);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  engine.add(2);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{7, 2}));
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].metadata.find("x-tenant")->second, "a b");
  EXPECT_NE(got[0].metadata.find("user-agent")->second.find("coretel/"), std::string::npos);
  EXPECT_EQ(got[0].request.resource_metrics(0).resource().attributes(0).value().string_value(),
            "edge-1");
}

TEST(OtlpGrpc, UnavailableIsRetriedAndNothingIsLost) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), grpc_options(receiver.url()),
                                       0);
  engine.add(3);
  receiver.script({{grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"), 0}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(10000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(exporter.stats().retries, 1u);
}

TEST(OtlpGrpc, ResourceExhaustedIsRetriedOnlyWithRetryInfo) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), grpc_options(receiver.url()),
                                       0);
  engine.add(3);
  receiver.script(
      {{grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", retry_info_details(1)),
        0}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(10000))), coretel::ExportResult::kSuccess);
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, milliseconds(950));  // RetryInfo.retry_delay honoured
  engine.add(4);
  receiver.script({{grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota"), 0}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
            coretel::ExportResult::kFailedPermanent);  // no RetryInfo: final
  EXPECT_EQ(receiver.received().size(), 3u);
}

TEST(OtlpGrpc, InvalidArgumentIsDroppedAndCounted) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), grpc_options(receiver.url()),
                                       0);
  engine.add(3);
  receiver.script({{grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad"), 0}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))),
            coretel::ExportResult::kFailedPermanent);
  EXPECT_EQ(exporter.stats().requests, 1u);
  EXPECT_GT(exporter.stats().data_points_dropped, 0u);
}

TEST(OtlpGrpc, PartialSuccessIsCounted) {
  Receiver receiver;
  Engine engine;
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), grpc_options(receiver.url()),
                                       0);
  engine.add(3);
  receiver.script({{grpc::Status::OK, 2}});
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(5000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(exporter.stats().data_points_rejected, 2u);
}

TEST(OtlpGrpc, NoServerRollsBackWithinTheDeadline) {
  Engine engine;
  int port = 0;
  {
    Receiver probe;
    port = std::stoi(probe.url().substr(probe.url().rfind(':') + 1));
  }
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(),
                                       grpc_options("http://127.0.0.1:" + std::to_string(port)), 0);
  engine.add(3);
  const auto started = Clock::now();
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(500))),
            coretel::ExportResult::kFailedRetryable);
  EXPECT_LT(Clock::now() - started, milliseconds(2500));
}

// The collector is down for the first exports and comes up on its port: the channel reconnects
// within the exporter's deadline and the rolled-back deltas arrive.
TEST(OtlpGrpc, ReceiverDownAtFirstThenUpLosesNothing) {
  Engine engine;
  int port = 0;
  {
    Receiver probe;
    port = std::stoi(probe.url().substr(probe.url().rfind(':') + 1));
  }
  coretel::OtlpMetricExporter exporter(engine.pipeline, resource(),
                                       grpc_options("http://127.0.0.1:" + std::to_string(port)), 0);
  engine.add(3);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(300))),
            coretel::ExportResult::kFailedRetryable);
  engine.add(4);
  Receiver receiver(port);
  EXPECT_EQ(exporter.export_metrics(in(milliseconds(8000))), coretel::ExportResult::kSuccess);
  EXPECT_EQ(requests_values(receiver), (std::vector<int64_t>{7}));
}

TEST(OtlpGrpc, UnreadableCertificateIsAClearError) {
  Engine engine;
  auto options = grpc_options("https://127.0.0.1:4317");
  options.certificate = "/nonexistent/ca.pem";
  try {
    coretel::OtlpMetricExporter exporter(engine.pipeline, resource(), options, 0);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "coretel: cannot read /nonexistent/ca.pem");
  }
}

TEST(OtlpGrpc, RetryDelayIsReadFromStatusDetails) {
  EXPECT_EQ(coretel::otlp::retry_delay_of(retry_info_details(3)), milliseconds(3000));
  EXPECT_EQ(coretel::otlp::retry_delay_of(""), std::nullopt);
  EXPECT_EQ(coretel::otlp::retry_delay_of("\xff\xff"), std::nullopt);
}

}  // namespace
}  // namespace coretel_export_test
