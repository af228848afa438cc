// OtlpSpanExporter (coretel/export/otlp_span_exporter.h) against a scripted OTLP/HTTP receiver:
// the request decoded with libprotobuf, a partial success counted, a refused batch failed and
// counted with one stderr line, retries cut short by shutdown(); and the console exporter's line.
#include "coretel/export/otlp_span_exporter.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_test_receiver.h"

namespace {

namespace tr = coretel::trace;
namespace pb = opentelemetry::proto;
using coretel_otlp_test::Answer;
using coretel_otlp_test::Receiver;
using std::chrono::milliseconds;

std::vector<tr::SpanData> two_spans() {
  std::vector<tr::SpanData> spans(2);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    spans[i].name = "span" + std::to_string(i);
    spans[i].scope = "test.scope";
    spans[i].context.trace_id.bytes[15] = 1;
    spans[i].context.span_id.bytes[7] = static_cast<uint8_t>(i + 1);
    spans[i].context.flags = tr::kSampledFlag;
    spans[i].start_time_unix_nano = 1000;
    spans[i].end_time_unix_nano = 2000;
  }
  return spans;
}

coretel::OtlpExporterOptions options_for(const std::string& url) {
  coretel::OtlpExporterOptions o;
  o.endpoint = url;
  o.timeout = milliseconds(2000);
  return o;
}

coretel::Resource resource() {
  return coretel::Resource{coretel::Attributes{{"service.name", std::string("svc")}}};
}

auto soon(milliseconds d = milliseconds(5000)) {
  return std::chrono::steady_clock::now() + d;
}

TEST(OtlpSpanExporter, SendsOneRequestTheReceiverDecodes) {
  Receiver receiver("/v1/traces");
  coretel::OtlpSpanExporter exporter(options_for(receiver.url()), resource());
  const auto spans = two_spans();
  ASSERT_EQ(exporter.export_spans(spans, soon()), tr::ExportResult::kSuccess);
  const auto received = receiver.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].header("Content-Type"), "application/x-protobuf");
  pb::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(received[0].body));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& scope_spans = request.resource_spans(0).scope_spans(0);
  EXPECT_EQ(scope_spans.scope().name(), "test.scope");
  ASSERT_EQ(scope_spans.spans_size(), 2);
  EXPECT_EQ(scope_spans.spans(1).name(), "span1");
  EXPECT_EQ(scope_spans.spans(1).span_id(), std::string("\0\0\0\0\0\0\0\2", 8));
  const coretel::OtlpSpanExportStats stats = exporter.stats();
  EXPECT_EQ(stats.exports, 1u);
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.spans_exported, 2u);
}

TEST(OtlpSpanExporter, APartialSuccessIsCountedAndNotRetried) {
  Receiver receiver("/v1/traces");
  pb::collector::trace::v1::ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(1);
  response.mutable_partial_success()->set_error_message("span0 too old");
  receiver.script({Answer{200, response.SerializeAsString(), {}}});
  coretel::OtlpSpanExporter exporter(options_for(receiver.url()), resource());
  testing::internal::CaptureStderr();
  EXPECT_EQ(exporter.export_spans(two_spans(), soon()), tr::ExportResult::kSuccess);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("partial success, 1 of 2 spans rejected: span0 too old"), std::string::npos)
      << err;
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(exporter.stats().spans_rejected, 1u);
  EXPECT_EQ(exporter.stats().spans_exported, 1u);
}

TEST(OtlpSpanExporter, ARefusedBatchFailsWithOneLineAndIsCounted) {
  Receiver receiver("/v1/traces");
  receiver.script({Answer{400, "", {}}});
  coretel::OtlpSpanExporter exporter(options_for(receiver.url()), resource());
  testing::internal::CaptureStderr();
  EXPECT_EQ(exporter.export_spans(two_spans(), soon()), tr::ExportResult::kFailure);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.rfind("coretel: OTLP traces export to " + receiver.url() + " refused (", 0), 0u)
      << err;
  EXPECT_NE(err.find("); 2 spans dropped\n"), std::string::npos) << err;
  EXPECT_EQ(receiver.received().size(), 1u);  // 400 is final: no retry
  EXPECT_EQ(exporter.stats().spans_failed, 2u);
}

TEST(OtlpSpanExporter, ShutdownCutsARetrysWaitShort) {
  Receiver receiver("/v1/traces");
  receiver.script({Answer{503, "", {}}, Answer{503, "", {}}, Answer{503, "", {}}});
  coretel::OtlpSpanExporter exporter(options_for(receiver.url()), resource());
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(200));  // the first attempt got its 503
    exporter.shutdown();
  });
  testing::internal::CaptureStderr();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(two_spans(), soon(milliseconds(30000))),
            tr::ExportResult::kFailure);
  const auto took = std::chrono::steady_clock::now() - start;
  testing::internal::GetCapturedStderr();
  stopper.join();
  EXPECT_LT(took, milliseconds(700));  // the backoff would have waited about 1 s
  EXPECT_EQ(receiver.received().size(), 1u);
  EXPECT_EQ(exporter.stats().spans_failed, 2u);
  // After shutdown, nothing is sent.
  EXPECT_EQ(exporter.export_spans(two_spans(), soon()), tr::ExportResult::kFailure);
  EXPECT_EQ(receiver.received().size(), 1u);
}

TEST(ConsoleSpanExporter, OneLinePerSpan) {
  tr::SpanData s = two_spans()[0];
  s.kind = tr::SpanKind::kServer;
  s.parent_span_id.bytes[0] = 0xab;
  s.end_time_unix_nano = 1000 + 2500;
  s.attributes = {{"http.route", std::string("/test")}, {"server.port", int64_t{5000}}};
  s.status = tr::StatusCode::kError;
  s.status_description = "boom";
  s.events.resize(2);
  EXPECT_EQ(tr::ConsoleSpanExporter::format(s),
            "span span0 trace_id=00000000000000000000000000000001 span_id=0000000000000001 "
            "parent_id=ab00000000000000 kind=server scope=test.scope start_unix_nano=1000 "
            "duration_us=2.500 status=error status_description=boom http.route=/test "
            "server.port=5000 events=2");
  // What comes from a request cannot break or forge a line.
  tr::SpanData hostile = two_spans()[0];
  hostile.name = "POST /test";
  hostile.attributes = {{"user_agent.original", std::string("x\nspan forged \x1b[31m")}};
  EXPECT_EQ(tr::ConsoleSpanExporter::format(hostile).rfind("span \"POST /test\" trace_id=", 0), 0u);
  EXPECT_NE(tr::ConsoleSpanExporter::format(hostile).find(
                " user_agent.original=\"x\\nspan forged \\x1b[31m\""),
            std::string::npos)
      << tr::ConsoleSpanExporter::format(hostile);
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  tr::ConsoleSpanExporter console(out);
  EXPECT_EQ(console.export_spans(two_spans(), soon()), tr::ExportResult::kSuccess);
  std::rewind(out);
  char buffer[1024] = {};
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, out);
  std::fclose(out);
  const std::string text(buffer, n);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.rfind("span span0 ", 0), 0u);
}

}  // namespace
