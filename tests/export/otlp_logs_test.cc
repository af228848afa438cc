// The OTLP logs exporter behind the `otlp` provider (src/export/otlp/log_batch_processor.h)
// against a real HTTP receiver on loopback (otlp_test_receiver.h): the records that arrive,
// decoded with libprotobuf from protobuf and from OTLP/JSON, the batching rules of OTEL_BLRP_*,
// and what a failing receiver costs: retried, or dropped and counted, bounded in time.
#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "coretel/events/provider.h"
#include "its_provider.h"
#include "log_batch_processor.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "otlp_test_receiver.h"

namespace {

namespace ev = coretel::events;
namespace pb = opentelemetry::proto;
using coretel::AttributeRef;
using coretel::AttributeValueRef;
using coretel_otlp_test::Answer;
using coretel_otlp_test::attributes_text;
using coretel_otlp_test::Receiver;
using std::chrono::milliseconds;

coretel::Resource test_resource() {
  coretel::Resource r;
  r.attributes = coretel::Attributes({{"service.name", std::string("logs-test")}});
  return r;
}

coretel::OtlpExporterOptions exporter_for(
    const Receiver& receiver,
    coretel::OtlpProtocol protocol = coretel::OtlpProtocol::kHttpProtobuf) {
  coretel::OtlpExporterOptions o = ev::EventsConfiguration::default_logs_exporter_options();
  o.endpoint = receiver.url();
  o.protocol = protocol;
  o.timeout = milliseconds(2000);
  return o;
}

ev::BatchLogProcessorOptions batch(std::size_t batch_size, milliseconds delay = milliseconds(50)) {
  ev::BatchLogProcessorOptions b;
  b.schedule_delay = delay;
  b.export_timeout = milliseconds(5000);
  b.max_queue_size = 64;
  b.max_export_batch_size = batch_size;
  return b;
}

// Record i: a warn event of scope "app.a" (even i) or "app.b" (odd i), with a body, three
// attributes, and a trace context.
void emit_record(coretel::otlp::LogBatchProcessor& p, int i) {
  const AttributeRef attributes[] = {{"app.index", AttributeValueRef(int64_t{i})},
                                     {"app.ratio", AttributeValueRef(0.5)},
                                     {"app.name", AttributeValueRef(std::string_view("n\xff"))}};
  ev::EventRecord r;
  r.time_unix_nano = 1'700'000'000'000'000'000 + static_cast<uint64_t>(i);
  r.observed_time_unix_nano = r.time_unix_nano + 7;
  r.severity = ev::Severity::kWarn;
  r.name = "app.request.fail";
  r.scope = i % 2 == 0 ? "app.a" : "app.b";
  r.body = "body";
  r.attributes = attributes;
  r.trace.trace_id[0] = 0xab;
  r.trace.trace_id[15] = static_cast<uint8_t>(i);
  r.trace.span_id[7] = 0x42;
  r.trace.flags = 1;
  p.emit(r);
}

pb::collector::logs::v1::ExportLogsServiceRequest decode_logs(
    const coretel_otlp_test::Received& received) {
  pb::collector::logs::v1::ExportLogsServiceRequest request;
  if (received.header("Content-Type") == "application/json") {
    const auto status = google::protobuf::util::JsonStringToMessage(received.body, &request);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << received.body;
  } else {
    EXPECT_TRUE(request.ParseFromString(received.body)) << "not an ExportLogsServiceRequest";
  }
  return request;
}

std::vector<coretel_otlp_test::Received> wait_for_requests(const Receiver& receiver,
                                                           std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (receiver.received().size() < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(5));
  return receiver.received();
}

// Every field of the records the processor got, exactly, from either encoding. OTLP/JSON spells
// trace_id and span_id in hex (the OTLP specification's exception to the proto3 JSON mapping,
// which libprotobuf's parser does not know): `json` checks those in the text instead.
void expect_three_records(const pb::collector::logs::v1::ExportLogsServiceRequest& request,
                          const std::string* json = nullptr) {
  ASSERT_EQ(request.resource_logs_size(), 1);
  const auto& rl = request.resource_logs(0);
  EXPECT_EQ(attributes_text(rl.resource().attributes()), "service.name=logs-test");
  ASSERT_EQ(rl.scope_logs_size(), 2);  // scopes in order of first appearance
  EXPECT_EQ(rl.scope_logs(0).scope().name(), "app.a");
  EXPECT_EQ(rl.scope_logs(1).scope().name(), "app.b");
  ASSERT_EQ(rl.scope_logs(0).log_records_size(), 2);  // records 0 and 2
  ASSERT_EQ(rl.scope_logs(1).log_records_size(), 1);  // record 1
  const auto& r = rl.scope_logs(0).log_records(1);
  EXPECT_EQ(r.time_unix_nano(), 1'700'000'000'000'000'002u);
  EXPECT_EQ(r.observed_time_unix_nano(), 1'700'000'000'000'000'009u);
  EXPECT_EQ(r.severity_number(), pb::logs::v1::SEVERITY_NUMBER_WARN);
  EXPECT_EQ(r.severity_text(), "WARN");
  EXPECT_EQ(r.event_name(), "app.request.fail");
  EXPECT_EQ(r.body().string_value(), "body");
  // An ill-formed byte becomes U+FFFD: protobuf strings are UTF-8.
  EXPECT_EQ(attributes_text(r.attributes()),
            "app.index=2,app.ratio=0.500000,app.name=n\xef\xbf\xbd");
  EXPECT_EQ(r.dropped_attributes_count(), 0u);
  EXPECT_EQ(r.flags(), 1u);
  if (json != nullptr) {
    const auto doc = nlohmann::json::parse(*json);
    const auto& record = doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"][1];
    EXPECT_EQ(record["traceId"], "ab000000000000000000000000000002");
    EXPECT_EQ(record["spanId"], "0000000000000042");
    return;
  }
  std::string trace(16, '\0');
  trace[0] = '\xab';
  trace[15] = '\x02';
  EXPECT_EQ(r.trace_id(), trace);
  std::string span(8, '\0');
  span[7] = '\x42';
  EXPECT_EQ(r.span_id(), span);
}

TEST(OtlpLogs, ProtobufCarriesEveryFieldOfTheLogsDataModel) {
  Receiver receiver("/v1/logs");
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(16), test_resource());
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  const auto received = wait_for_requests(receiver, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].path, "/v1/logs");
  EXPECT_EQ(received[0].header("Content-Type"), "application/x-protobuf");
  expect_three_records(decode_logs(received[0]));
  EXPECT_EQ(p.stats().log_records_exported, 3u);
}

TEST(OtlpLogs, JsonCarriesTheSameRecords) {
  Receiver receiver("/v1/logs");
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver, coretel::OtlpProtocol::kHttpJson),
                                     batch(16), test_resource());
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  const auto received = wait_for_requests(receiver, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].header("Content-Type"), "application/json");
  expect_three_records(decode_logs(received[0]), &received[0].body);
}

TEST(OtlpLogs, AFullBatchGoesAtOnceTheRestAtTheScheduleDelay) {
  Receiver receiver("/v1/logs");
  // A delay far longer than the test: only a full batch may leave before it.
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(4, milliseconds(60'000)),
                                     test_resource());
  for (int i = 0; i < 6; ++i) emit_record(p, i);
  const auto first = wait_for_requests(receiver, 1);
  ASSERT_EQ(first.size(), 1u);
  const auto request = decode_logs(first[0]);
  ASSERT_EQ(request.resource_logs_size(), 1);
  int records = 0;
  for (const auto& sl : request.resource_logs(0).scope_logs()) records += sl.log_records_size();
  EXPECT_EQ(records, 4);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(receiver.received().size(), 1u) << "the last 2 waited for the delay or a flush";
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  ASSERT_EQ(receiver.received().size(), 2u);
  EXPECT_EQ(p.stats().log_records_exported, 6u);
}

// An ERROR record of scope "app" at time 1; the views must outlive it.
ev::EventRecord error_record(std::string_view body, std::span<const AttributeRef> attributes) {
  ev::EventRecord r;
  r.time_unix_nano = 1;
  r.severity = ev::Severity::kError;
  r.scope = "app";
  r.body = body;
  r.attributes = attributes;
  return r;
}

// A record too large for the queue's fixed block (a Python record with its stack trace, a long
// body) is spilled to the heap and exported whole; a full queue frees what it refused.
TEST(OtlpLogs, ARecordLargerThanABlockIsExportedWhole) {
  Receiver receiver("/v1/logs");
  ev::BatchLogProcessorOptions b = batch(2);
  b.max_queue_size = 2;
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), b, test_resource(), /*start=*/false);
  const std::string body(5000, 'b');
  const std::string trace = "Traceback (most recent call last):\n" + std::string(3000, 't');
  const coretel::AttributeRef attributes[] = {
      {"exception.type", coretel::AttributeValueRef(std::string_view("ValueError"))},
      {"exception.stacktrace", coretel::AttributeValueRef(std::string_view(trace))},
      {"code.line.number", coretel::AttributeValueRef(int64_t{42})},
      {"exception.escaped", coretel::AttributeValueRef(true)}};
  const ev::EventRecord r = error_record(body, attributes);
  for (int i = 0; i < 3; ++i) p.emit(r);  // the third is refused: the queue holds 2
  EXPECT_EQ(ev::spilled_bytes(), 2 * (5000 + trace.size() + 3 + 14 + 20 + 16 + 17 + 4 * 8 + 10));
  p.start();
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  EXPECT_EQ(ev::spilled_bytes(), 0u);  // the consumer released what it exported
  const auto received = wait_for_requests(receiver, 1);
  ASSERT_EQ(received.size(), 1u);
  const auto request = decode_logs(received[0]);
  const auto& records = request.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(records.size(), 2);
  EXPECT_EQ(records[0].body().string_value(), body);
  EXPECT_EQ(attributes_text(records[0].attributes()),
            "exception.type=ValueError,exception.stacktrace=" + trace +
                ",code.line.number=42,exception.escaped=true");
  EXPECT_EQ(records[0].dropped_attributes_count(), 0u);
}

// The same record through `its` into the processor (the Python runtime's route): the emitting
// thread spills it, the collector passes the heap copy on, the processor exports and frees it.
TEST(OtlpLogs, ARecordLargerThanABlockGoesWholeThroughIts) {
  Receiver receiver("/v1/logs");
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(16), test_resource());
  ev::ItsOptions o;
  o.console = false;
  o.recent_capacity = 0;
  o.otlp = true;
  ev::ItsProvider its(o, &p);
  const std::string body(5000, 'b');
  const std::string trace = "Traceback (most recent call last):\n" + std::string(3000, 't');
  const coretel::AttributeRef attributes[] = {
      {"exception.stacktrace", coretel::AttributeValueRef(std::string_view(trace))}};
  its.emit(error_record(body, attributes));
  ASSERT_TRUE(its.flush(milliseconds(5000)));  // its drain, then the processor's flush
  EXPECT_EQ(ev::spilled_bytes(), 0u);
  const auto received = wait_for_requests(receiver, 1);
  ASSERT_EQ(received.size(), 1u);
  const auto request = decode_logs(received[0]);
  const auto& records = request.resource_logs(0).scope_logs(0).log_records();
  ASSERT_EQ(records.size(), 1);
  EXPECT_EQ(records[0].body().string_value(), body);
  EXPECT_EQ(attributes_text(records[0].attributes()), "exception.stacktrace=" + trace);
  EXPECT_EQ(records[0].dropped_attributes_count(), 0u);
  its.stop();
}

TEST(OtlpLogs, AFullQueueDropsAndCountsExactly) {
  Receiver receiver("/v1/logs");
  ev::BatchLogProcessorOptions b = batch(4);
  b.max_queue_size = 5;
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), b, test_resource(), /*start=*/false);
  const uint64_t before = ev::dropped_events(ev::thread_aspect(), ev::DropReason::kQueueFull);
  for (int i = 0; i < 12; ++i) emit_record(p, i);
  EXPECT_EQ(ev::dropped_events(ev::thread_aspect(), ev::DropReason::kQueueFull) - before, 7u);
  p.start();
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  EXPECT_EQ(p.stats().log_records_exported, 5u);
}

TEST(OtlpLogs, ARetryableAnswerIsRetriedAndNothingIsLost) {
  Receiver receiver("/v1/logs");
  receiver.script({Answer{503, "", {{"Retry-After", "0"}}}});
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(16), test_resource());
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  const auto received = wait_for_requests(receiver, 2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].body, received[1].body);
  const auto stats = p.stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.log_records_exported, 3u);
  EXPECT_EQ(stats.log_records_failed, 0u);
}

TEST(OtlpLogs, ARefusedBatchIsDroppedCountedAndNotRetried) {
  Receiver receiver("/v1/logs");
  receiver.script({Answer{400, "", {}}});
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(16), test_resource());
  const uint64_t before = ev::dropped_events(ev::thread_aspect(), ev::DropReason::kExportFailed);
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(p.stats().log_records_failed, 3u);
  EXPECT_EQ(ev::dropped_events(ev::thread_aspect(), ev::DropReason::kExportFailed) - before, 3u);
}

TEST(OtlpLogs, APartialSuccessIsCountedAndNotRetried) {
  Receiver receiver("/v1/logs");
  pb::collector::logs::v1::ExportLogsServiceResponse response;
  response.mutable_partial_success()->set_rejected_log_records(2);
  response.mutable_partial_success()->set_error_message("too old");
  receiver.script({Answer{200, response.SerializeAsString(), {}}});
  coretel::otlp::LogBatchProcessor p(exporter_for(receiver), batch(16), test_resource());
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  ASSERT_TRUE(p.flush(milliseconds(5000)));
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(p.stats().log_records_rejected, 2u);
  EXPECT_EQ(p.stats().log_records_exported, 1u);
}

TEST(OtlpLogs, StopWithTheReceiverDownIsBoundedAndCountsTheBatch) {
  // A port nobody listens on: every attempt is a connection error, retried with backoff.
  int port = 0;
  {
    Receiver gone("/v1/logs");
    port = gone.port();
  }
  coretel::OtlpExporterOptions o = ev::EventsConfiguration::default_logs_exporter_options();
  o.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/v1/logs";
  coretel::otlp::LogBatchProcessor p(o, batch(16, milliseconds(10)), test_resource());
  const uint64_t before = ev::dropped_events(ev::thread_aspect(), ev::DropReason::kExportFailed);
  for (int i = 0; i < 3; ++i) emit_record(p, i);
  std::this_thread::sleep_for(milliseconds(100));  // the first attempt failed; a retry waits
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(p.stop(milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(ev::dropped_events(ev::thread_aspect(), ev::DropReason::kExportFailed) - before, 3u);
}

}  // namespace
