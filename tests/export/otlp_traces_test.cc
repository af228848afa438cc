// The OTLP traces encoder (src/export/otlp/traces_encoder.h): spans built by hand, encoded in
// protobuf and decoded with the libprotobuf classes generated from proto/, every field checked
// exactly (ids, SpanFlags with the remote bits, kinds, times, attributes, events, links, dropped
// counts, status, scope grouping); the same spans in OTLP/JSON, read with nlohmann_json (hex ids,
// decimal-string times, integer kinds and flags) and with libprotobuf's JSON parser.
#include "traces_encoder.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_test_receiver.h"

namespace {

namespace tr = coretel::trace;
namespace pb = opentelemetry::proto;
using coretel::Attribute;
using coretel::otlp::encode_traces;
using coretel::otlp::Encoding;
using coretel_otlp_test::attributes_text;
using Request = pb::collector::trace::v1::ExportTraceServiceRequest;
using PbSpan = pb::trace::v1::Span;

constexpr uint64_t kStart = 1'700'000'000'000'000'000;

const coretel::Resource kResource{
    coretel::Attributes{{"service.name", std::string("traces-test")}}};

// Ids with every byte set from `first` on (first, first+1, ...), so byte order shows.
tr::TraceId trace_id(uint8_t first) {
  tr::TraceId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(first + i);
  return id;
}
tr::SpanId span_id(uint8_t first) {
  tr::SpanId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(first + i);
  return id;
}
template <std::size_t N>
std::string bytes_of(const std::array<uint8_t, N>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), N);
}

tr::TraceState trace_state(std::string_view header) {
  const std::string_view lines[] = {header};
  auto state = tr::TraceState::parse(lines);
  EXPECT_TRUE(state.has_value()) << header;
  return state.value_or(tr::TraceState{});
}

// Five spans, one of each kind, in three scopes (app.a, app.b, app.a, app.c, app.b):
//  0: a root SERVER span with every field set: tracestate, attributes of each type, two events
//     (one with dropped attributes), a remote link with tracestate, all dropped counts, ERROR
//     with a message;
//  1: a CLIENT child of 0 through a remote parent, status OK, a local link without tracestate;
//  2: a PRODUCER child of 0 with a local parent, status unset;
//  3: an INTERNAL root with no trace flags and a string attribute that is not UTF-8;
//  4: a CONSUMER span with a remote parent.
std::vector<tr::SpanData> test_spans() {
  std::vector<tr::SpanData> spans(5);
  tr::SpanData& root = spans[0];
  root.name = "GET /items";
  root.kind = tr::SpanKind::kServer;
  root.scope = "app.a";
  root.context.trace_id = trace_id(0x01);
  root.context.span_id = span_id(0xa1);
  root.context.flags = tr::kSampledFlag | tr::kRandomFlag;
  root.context.trace_state = trace_state("vendor=x,other=y");
  root.start_time_unix_nano = kStart;
  root.end_time_unix_nano = kStart + 5000;
  root.attributes = {{"http.request.method", std::string("GET")},
                     {"http.response.status_code", int64_t{200}},
                     {"app.ratio", 0.25},
                     {"app.cached", true}};
  root.dropped_attributes_count = 3;
  root.events.push_back({"exception", kStart + 10, {{"exception.type", std::string("E")}}, 2});
  root.events.push_back({"retry", kStart + 20, {}, 0});
  root.dropped_events_count = 4;
  tr::SpanLink link;
  link.context.trace_id = trace_id(0x41);
  link.context.span_id = span_id(0xc1);
  link.context.flags = tr::kSampledFlag;
  link.context.trace_state = trace_state("a=1");
  link.context.remote = true;
  link.attributes = {{"link.reason", std::string("follows")}};
  link.dropped_attributes_count = 1;
  root.links.push_back(link);
  root.dropped_links_count = 5;
  root.status = tr::StatusCode::kError;
  root.status_description = "boom";

  tr::SpanData& remote_child = spans[1];
  remote_child.name = "call";
  remote_child.kind = tr::SpanKind::kClient;
  remote_child.scope = "app.b";
  remote_child.context.trace_id = trace_id(0x01);
  remote_child.context.span_id = span_id(0xb1);
  remote_child.context.flags = tr::kSampledFlag;
  remote_child.parent_span_id = span_id(0xa1);
  remote_child.parent_remote = true;
  remote_child.start_time_unix_nano = kStart + 100;
  remote_child.end_time_unix_nano = kStart + 200;
  tr::SpanLink local_link;
  local_link.context.trace_id = trace_id(0x51);
  local_link.context.span_id = span_id(0xd1);
  remote_child.links.push_back(local_link);
  remote_child.status = tr::StatusCode::kOk;

  tr::SpanData& local_child = spans[2];
  local_child.name = "publish";
  local_child.kind = tr::SpanKind::kProducer;
  local_child.scope = "app.a";
  local_child.context.trace_id = trace_id(0x01);
  local_child.context.span_id = span_id(0xe1);
  local_child.context.flags = tr::kSampledFlag;
  local_child.parent_span_id = span_id(0xa1);
  local_child.start_time_unix_nano = kStart + 300;
  local_child.end_time_unix_nano = kStart + 400;

  tr::SpanData& internal = spans[3];
  internal.name = "compute";
  internal.kind = tr::SpanKind::kInternal;
  internal.scope = "app.c";
  internal.context.trace_id = trace_id(0x21);
  internal.context.span_id = span_id(0x31);
  internal.start_time_unix_nano = kStart + 500;
  internal.end_time_unix_nano = kStart + 600;
  internal.attributes = {{"app.name", std::string("n\xff")}};

  tr::SpanData& consumer = spans[4];
  consumer.name = "receive";
  consumer.kind = tr::SpanKind::kConsumer;
  consumer.scope = "app.b";
  consumer.context.trace_id = trace_id(0x61);
  consumer.context.span_id = span_id(0x71);
  consumer.context.flags = tr::kSampledFlag;
  consumer.parent_span_id = span_id(0x81);
  consumer.parent_remote = true;
  consumer.start_time_unix_nano = kStart + 700;
  consumer.end_time_unix_nano = kStart + 800;
  return spans;
}

Request decode_protobuf(const std::string& bytes) {
  Request request;
  EXPECT_TRUE(request.ParseFromString(bytes)) << "not an ExportTraceServiceRequest";
  return request;
}

// The three scopes in order of first appearance, and the spans of each in the order given.
void expect_grouping(const Request& request) {
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& rs = request.resource_spans(0);
  EXPECT_EQ(attributes_text(rs.resource().attributes()), "service.name=traces-test");
  ASSERT_EQ(rs.scope_spans_size(), 3);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "app.a");
  EXPECT_EQ(rs.scope_spans(1).scope().name(), "app.b");
  EXPECT_EQ(rs.scope_spans(2).scope().name(), "app.c");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 2);
  ASSERT_EQ(rs.scope_spans(1).spans_size(), 2);
  ASSERT_EQ(rs.scope_spans(2).spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).spans(0).name(), "GET /items");
  EXPECT_EQ(rs.scope_spans(0).spans(1).name(), "publish");
  EXPECT_EQ(rs.scope_spans(1).spans(0).name(), "call");
  EXPECT_EQ(rs.scope_spans(1).spans(1).name(), "receive");
  EXPECT_EQ(rs.scope_spans(2).spans(0).name(), "compute");
}

// Every field but the ids (which libprotobuf's JSON parser reads as base64, not hex).
void expect_fields_but_ids(const Request& request) {
  const auto& rs = request.resource_spans(0);
  const PbSpan& root = rs.scope_spans(0).spans(0);
  EXPECT_EQ(root.trace_state(), "vendor=x,other=y");
  EXPECT_EQ(root.flags(), 0x103u);  // sampled | random | HAS_IS_REMOTE; a root is not remote
  EXPECT_EQ(root.kind(), PbSpan::SPAN_KIND_SERVER);
  EXPECT_EQ(root.start_time_unix_nano(), kStart);
  EXPECT_EQ(root.end_time_unix_nano(), kStart + 5000);
  EXPECT_EQ(attributes_text(root.attributes()),
            "http.request.method=GET,http.response.status_code=200,app.ratio=0.250000,"
            "app.cached=true");
  EXPECT_EQ(root.dropped_attributes_count(), 3u);
  ASSERT_EQ(root.events_size(), 2);
  EXPECT_EQ(root.events(0).time_unix_nano(), kStart + 10);
  EXPECT_EQ(root.events(0).name(), "exception");
  EXPECT_EQ(attributes_text(root.events(0).attributes()), "exception.type=E");
  EXPECT_EQ(root.events(0).dropped_attributes_count(), 2u);
  EXPECT_EQ(root.events(1).time_unix_nano(), kStart + 20);
  EXPECT_EQ(root.events(1).name(), "retry");
  EXPECT_EQ(root.events(1).attributes_size(), 0);
  EXPECT_EQ(root.events(1).dropped_attributes_count(), 0u);
  EXPECT_EQ(root.dropped_events_count(), 4u);
  ASSERT_EQ(root.links_size(), 1);
  EXPECT_EQ(root.links(0).trace_state(), "a=1");
  EXPECT_EQ(attributes_text(root.links(0).attributes()), "link.reason=follows");
  EXPECT_EQ(root.links(0).dropped_attributes_count(), 1u);
  EXPECT_EQ(root.links(0).flags(), 0x301u);  // sampled | HAS_IS_REMOTE | IS_REMOTE
  EXPECT_EQ(root.dropped_links_count(), 5u);
  ASSERT_TRUE(root.has_status());
  EXPECT_EQ(root.status().code(), pb::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(root.status().message(), "boom");

  const PbSpan& publish = rs.scope_spans(0).spans(1);
  EXPECT_EQ(publish.trace_state(), "");
  EXPECT_EQ(publish.flags(), 0x101u);  // a local parent: HAS_IS_REMOTE without IS_REMOTE
  EXPECT_EQ(publish.kind(), PbSpan::SPAN_KIND_PRODUCER);
  EXPECT_EQ(publish.start_time_unix_nano(), kStart + 300);
  EXPECT_EQ(publish.end_time_unix_nano(), kStart + 400);
  EXPECT_EQ(publish.attributes_size(), 0);
  EXPECT_EQ(publish.events_size(), 0);
  EXPECT_EQ(publish.links_size(), 0);
  EXPECT_EQ(publish.dropped_attributes_count(), 0u);
  EXPECT_EQ(publish.dropped_events_count(), 0u);
  EXPECT_EQ(publish.dropped_links_count(), 0u);
  EXPECT_EQ(publish.status().code(), pb::trace::v1::Status::STATUS_CODE_UNSET);
  EXPECT_EQ(publish.status().message(), "");

  const PbSpan& call = rs.scope_spans(1).spans(0);
  EXPECT_EQ(call.flags(), 0x301u);  // a remote parent
  EXPECT_EQ(call.kind(), PbSpan::SPAN_KIND_CLIENT);
  EXPECT_EQ(call.start_time_unix_nano(), kStart + 100);
  EXPECT_EQ(call.end_time_unix_nano(), kStart + 200);
  ASSERT_EQ(call.links_size(), 1);
  EXPECT_EQ(call.links(0).trace_state(), "");
  EXPECT_EQ(call.links(0).flags(), 0x100u);  // no trace flags, not remote
  EXPECT_EQ(call.links(0).attributes_size(), 0);
  ASSERT_TRUE(call.has_status());
  EXPECT_EQ(call.status().code(), pb::trace::v1::Status::STATUS_CODE_OK);
  EXPECT_EQ(call.status().message(), "");

  const PbSpan& receive = rs.scope_spans(1).spans(1);
  EXPECT_EQ(receive.flags(), 0x301u);
  EXPECT_EQ(receive.kind(), PbSpan::SPAN_KIND_CONSUMER);
  EXPECT_EQ(receive.start_time_unix_nano(), kStart + 700);
  EXPECT_EQ(receive.end_time_unix_nano(), kStart + 800);

  const PbSpan& compute = rs.scope_spans(2).spans(0);
  EXPECT_EQ(compute.flags(), 0x100u);  // no trace flags, a root
  EXPECT_EQ(compute.kind(), PbSpan::SPAN_KIND_INTERNAL);
  EXPECT_EQ(compute.start_time_unix_nano(), kStart + 500);
  EXPECT_EQ(compute.end_time_unix_nano(), kStart + 600);
  // An ill-formed byte becomes U+FFFD: protobuf strings are UTF-8.
  EXPECT_EQ(attributes_text(compute.attributes()), "app.name=n\xef\xbf\xbd");
}

TEST(OtlpTraces, ProtobufCarriesEveryFieldOfTheTraceDataModel) {
  const auto spans = test_spans();
  std::string out;
  EXPECT_EQ(encode_traces(kResource, spans, Encoding::kProtobuf, out), 5u);
  const Request request = decode_protobuf(out);
  expect_grouping(request);
  expect_fields_but_ids(request);
  const auto& rs = request.resource_spans(0);
  const PbSpan& root = rs.scope_spans(0).spans(0);
  EXPECT_EQ(root.trace_id(), bytes_of(trace_id(0x01).bytes));
  EXPECT_EQ(root.span_id(), bytes_of(span_id(0xa1).bytes));
  EXPECT_EQ(root.parent_span_id(), "");  // a root span: empty
  EXPECT_EQ(root.links(0).trace_id(), bytes_of(trace_id(0x41).bytes));
  EXPECT_EQ(root.links(0).span_id(), bytes_of(span_id(0xc1).bytes));
  const PbSpan& publish = rs.scope_spans(0).spans(1);
  EXPECT_EQ(publish.trace_id(), bytes_of(trace_id(0x01).bytes));
  EXPECT_EQ(publish.span_id(), bytes_of(span_id(0xe1).bytes));
  EXPECT_EQ(publish.parent_span_id(), bytes_of(span_id(0xa1).bytes));
  const PbSpan& call = rs.scope_spans(1).spans(0);
  EXPECT_EQ(call.trace_id(), bytes_of(trace_id(0x01).bytes));
  EXPECT_EQ(call.span_id(), bytes_of(span_id(0xb1).bytes));
  EXPECT_EQ(call.parent_span_id(), bytes_of(span_id(0xa1).bytes));
  EXPECT_EQ(call.links(0).trace_id(), bytes_of(trace_id(0x51).bytes));
  EXPECT_EQ(call.links(0).span_id(), bytes_of(span_id(0xd1).bytes));
  const PbSpan& receive = rs.scope_spans(1).spans(1);
  EXPECT_EQ(receive.trace_id(), bytes_of(trace_id(0x61).bytes));
  EXPECT_EQ(receive.span_id(), bytes_of(span_id(0x71).bytes));
  EXPECT_EQ(receive.parent_span_id(), bytes_of(span_id(0x81).bytes));
  const PbSpan& compute = rs.scope_spans(2).spans(0);
  EXPECT_EQ(compute.trace_id(), bytes_of(trace_id(0x21).bytes));
  EXPECT_EQ(compute.span_id(), bytes_of(span_id(0x31).bytes));
  EXPECT_EQ(compute.parent_span_id(), "");
}

TEST(OtlpTraces, ProtobufBytesAreLibprotobufsOwn) {
  // Fields in field-number order and nothing proto3 leaves out: the same bytes libprotobuf
  // writes for the decoded message (the nested lengths included: span 0 is over 127 bytes).
  const auto spans = test_spans();
  std::string out;
  encode_traces(kResource, spans, Encoding::kProtobuf, out);
  EXPECT_EQ(out, decode_protobuf(out).SerializeAsString());
}

TEST(OtlpTraces, AppendsToWhatIsThere) {
  const auto spans = test_spans();
  std::string alone;
  encode_traces(kResource, spans, Encoding::kProtobuf, alone);
  std::string out = "prefix";
  encode_traces(kResource, spans, Encoding::kProtobuf, out);
  EXPECT_EQ(out, "prefix" + alone);
}

TEST(OtlpTraces, JsonCarriesTheSameSpans) {
  const auto spans = test_spans();
  std::string json;
  EXPECT_EQ(encode_traces(kResource, spans, Encoding::kJson, json), 5u);
  // Valid JSON (nlohmann rejects ill-formed UTF-8 too).
  const auto doc = nlohmann::json::parse(json);
  const auto& rs = doc["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
  EXPECT_EQ(rs["resource"]["attributes"][0]["value"]["stringValue"], "traces-test");
  ASSERT_EQ(rs["scopeSpans"].size(), 3u);
  EXPECT_EQ(rs["scopeSpans"][0]["scope"]["name"], "app.a");
  EXPECT_EQ(rs["scopeSpans"][1]["scope"]["name"], "app.b");
  EXPECT_EQ(rs["scopeSpans"][2]["scope"]["name"], "app.c");

  const auto& root = rs["scopeSpans"][0]["spans"][0];
  // Hex, lowercase, not base64: the OTLP JSON encoding's exception for ids.
  EXPECT_EQ(root["traceId"], "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(root["spanId"], "a1a2a3a4a5a6a7a8");
  EXPECT_FALSE(root.contains("parentSpanId"));
  EXPECT_EQ(root["traceState"], "vendor=x,other=y");
  EXPECT_EQ(root["flags"], 0x103);
  EXPECT_EQ(root["name"], "GET /items");
  EXPECT_EQ(root["kind"], 2);
  // 64-bit integers as decimal strings.
  EXPECT_EQ(root["startTimeUnixNano"], "1700000000000000000");
  EXPECT_EQ(root["endTimeUnixNano"], "1700000000000005000");
  ASSERT_EQ(root["attributes"].size(), 4u);
  EXPECT_EQ(root["attributes"][0]["key"], "http.request.method");
  EXPECT_EQ(root["attributes"][0]["value"]["stringValue"], "GET");
  EXPECT_EQ(root["attributes"][1]["value"]["intValue"], "200");
  EXPECT_EQ(root["attributes"][2]["value"]["doubleValue"], 0.25);
  EXPECT_EQ(root["attributes"][3]["value"]["boolValue"], true);
  EXPECT_EQ(root["droppedAttributesCount"], 3);
  ASSERT_EQ(root["events"].size(), 2u);
  EXPECT_EQ(root["events"][0]["timeUnixNano"], "1700000000000000010");
  EXPECT_EQ(root["events"][0]["name"], "exception");
  EXPECT_EQ(root["events"][0]["attributes"][0]["key"], "exception.type");
  EXPECT_EQ(root["events"][0]["droppedAttributesCount"], 2);
  EXPECT_EQ(root["events"][1]["timeUnixNano"], "1700000000000000020");
  EXPECT_EQ(root["events"][1]["name"], "retry");
  EXPECT_TRUE(root["events"][1]["attributes"].empty());
  EXPECT_FALSE(root["events"][1].contains("droppedAttributesCount"));
  EXPECT_EQ(root["droppedEventsCount"], 4);
  ASSERT_EQ(root["links"].size(), 1u);
  EXPECT_EQ(root["links"][0]["traceId"], "4142434445464748494a4b4c4d4e4f50");
  EXPECT_EQ(root["links"][0]["spanId"], "c1c2c3c4c5c6c7c8");
  EXPECT_EQ(root["links"][0]["traceState"], "a=1");
  EXPECT_EQ(root["links"][0]["attributes"][0]["value"]["stringValue"], "follows");
  EXPECT_EQ(root["links"][0]["droppedAttributesCount"], 1);
  EXPECT_EQ(root["links"][0]["flags"], 0x301);
  EXPECT_EQ(root["droppedLinksCount"], 5);
  EXPECT_EQ(root["status"]["code"], 2);
  EXPECT_EQ(root["status"]["message"], "boom");

  const auto& publish = rs["scopeSpans"][0]["spans"][1];
  EXPECT_EQ(publish["parentSpanId"], "a1a2a3a4a5a6a7a8");
  EXPECT_FALSE(publish.contains("traceState"));
  EXPECT_EQ(publish["flags"], 0x101);
  EXPECT_EQ(publish["kind"], 4);
  EXPECT_FALSE(publish.contains("droppedAttributesCount"));
  EXPECT_FALSE(publish.contains("droppedEventsCount"));
  EXPECT_FALSE(publish.contains("droppedLinksCount"));
  EXPECT_EQ(publish["status"], nlohmann::json({{"code", 0}}));

  const auto& call = rs["scopeSpans"][1]["spans"][0];
  EXPECT_EQ(call["spanId"], "b1b2b3b4b5b6b7b8");
  EXPECT_EQ(call["parentSpanId"], "a1a2a3a4a5a6a7a8");
  EXPECT_EQ(call["flags"], 0x301);
  EXPECT_EQ(call["kind"], 3);
  EXPECT_FALSE(call["links"][0].contains("traceState"));
  EXPECT_EQ(call["links"][0]["flags"], 0x100);
  EXPECT_EQ(call["status"], nlohmann::json({{"code", 1}}));

  const auto& receive = rs["scopeSpans"][1]["spans"][1];
  EXPECT_EQ(receive["traceId"], "6162636465666768696a6b6c6d6e6f70");
  EXPECT_EQ(receive["parentSpanId"], "8182838485868788");
  EXPECT_EQ(receive["flags"], 0x301);
  EXPECT_EQ(receive["kind"], 5);

  const auto& compute = rs["scopeSpans"][2]["spans"][0];
  EXPECT_EQ(compute["traceId"], "2122232425262728292a2b2c2d2e2f30");
  EXPECT_EQ(compute["spanId"], "3132333435363738");
  EXPECT_FALSE(compute.contains("parentSpanId"));
  EXPECT_EQ(compute["flags"], 0x100);
  EXPECT_EQ(compute["kind"], 1);
  EXPECT_EQ(compute["attributes"][0]["value"]["stringValue"], "n\xef\xbf\xbd");
}

TEST(OtlpTraces, JsonDecodesWithLibprotobufToTheProtobufRequest) {
  // libprotobuf's JSON parser reads bytes fields as base64, so the hex ids come out as other
  // bytes (the tests above check them in the text); and JSON always has "status" where protobuf
  // leaves an unset one out (the same meaning: no Status is code UNSET). With the ids cleared and
  // empty statuses dropped the two requests are equal.
  const auto spans = test_spans();
  std::string json, bytes;
  encode_traces(kResource, spans, Encoding::kJson, json);
  encode_traces(kResource, spans, Encoding::kProtobuf, bytes);
  Request from_json;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &from_json);
  ASSERT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  expect_grouping(from_json);
  expect_fields_but_ids(from_json);
  Request from_protobuf = decode_protobuf(bytes);
  for (Request* r : {&from_json, &from_protobuf})
    for (auto& ss : *r->mutable_resource_spans(0)->mutable_scope_spans())
      for (auto& span : *ss.mutable_spans()) {
        span.clear_trace_id();
        span.clear_span_id();
        span.clear_parent_span_id();
        if (span.status().ByteSizeLong() == 0) span.clear_status();
        for (auto& link : *span.mutable_links()) {
          link.clear_trace_id();
          link.clear_span_id();
        }
      }
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(from_protobuf, from_json)) << diff;
}

TEST(OtlpTraces, NoSpansWriteNothing) {
  for (Encoding encoding : {Encoding::kProtobuf, Encoding::kJson}) {
    std::string out = "kept";
    EXPECT_EQ(encode_traces(kResource, {}, encoding, out), 0u);
    EXPECT_EQ(out, "kept");
  }
}

TEST(OtlpTraces, EachKindIsItsProtoNumber) {
  const tr::SpanKind kinds[] = {tr::SpanKind::kInternal, tr::SpanKind::kServer,
                                tr::SpanKind::kClient, tr::SpanKind::kProducer,
                                tr::SpanKind::kConsumer};
  const PbSpan::SpanKind expected[] = {PbSpan::SPAN_KIND_INTERNAL, PbSpan::SPAN_KIND_SERVER,
                                       PbSpan::SPAN_KIND_CLIENT, PbSpan::SPAN_KIND_PRODUCER,
                                       PbSpan::SPAN_KIND_CONSUMER};
  for (std::size_t i = 0; i < 5; ++i) {
    tr::SpanData span;
    span.name = "s";
    span.scope = "app";
    span.kind = kinds[i];
    span.context.trace_id = trace_id(1);
    span.context.span_id = span_id(1);
    std::string out;
    encode_traces(kResource, std::span(&span, 1), Encoding::kProtobuf, out);
    const Request request = decode_protobuf(out);
    EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).kind(), expected[i]) << i;
  }
}

}  // namespace
