// A finished span as the batch span processor queues it (src/trace/encoded_span.h): read back
// equal, field by field, into a SpanData that held another span; refused (0) when it does not
// fit or has links, never cut.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "encoded_span.h"

namespace {

namespace tr = coretel::trace;

tr::SpanData full_span() {
  tr::SpanData s;
  s.name = "EchoService/Compress";
  s.kind = tr::SpanKind::kServer;
  s.context = {.trace_id = tr::TraceId{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
               .span_id = tr::SpanId{{21, 22, 23, 24, 25, 26, 27, 28}},
               .flags = tr::kSampledFlag | tr::kRandomFlag,
               .trace_state = tr::TraceState().with("b", "2").value().with("a", "1").value(),
               .remote = false};
  s.parent_span_id = tr::SpanId{{31, 32, 33, 34, 35, 36, 37, 38}};
  s.parent_remote = true;
  s.scope = "coretel.python";
  s.start_time_unix_nano = 1'700'000'000'000'000'001;
  s.end_time_unix_nano = 1'700'000'000'000'123'456;
  s.attributes = {{"rpc.method", std::string("Compress")},
                  {"empty", std::string()},
                  {"payload.bytes", int64_t{-65536}},
                  {"ratio", 0.25},
                  {"ok", true},
                  {"not.ok", false}};
  s.events = {{"exception",
               1'700'000'000'000'100'000,
               {{"exception.type", std::string("ValueError")}, {"count", int64_t{3}}},
               2},
              {"retry", 1'700'000'000'000'110'000, {}, 0}};
  s.status = tr::StatusCode::kError;
  s.status_description = "ValueError: the request asked to fail";
  s.dropped_attributes_count = 4;
  s.dropped_events_count = 5;
  s.dropped_links_count = 6;
  return s;
}

TEST(EncodedSpan, ReadsBackEveryFieldIntoASpanThatHeldAnother) {
  const tr::SpanData span = full_span();
  std::array<char, 1024> bytes{};
  const std::size_t n = coretel::detail::encode(span, bytes);
  ASSERT_GT(n, 0u);
  // The slot held a bigger span of other types: everything is replaced, nothing is left over.
  tr::SpanData out;
  out.name = "an older, longer name than this one has";
  out.attributes = {{"rpc.method", int64_t{1}},
                    {"x", std::string("y")},
                    {"a", 1.0},
                    {"b", false},
                    {"c", int64_t{2}},
                    {"d", true},
                    {"e", std::string()}};
  out.events = {{"x", 1, {}, 0}, {"y", 2, {}, 0}, {"z", 3, {}, 0}};
  out.links = {{tr::SpanContext{}, {}, 1}};
  coretel::detail::decode(std::span<const char>(bytes.data(), n), out);
  EXPECT_EQ(out, span);
  EXPECT_EQ(out.context.trace_state.header(), "a=1,b=2");
}

TEST(EncodedSpan, ASpanThatDoesNotFitIsRefusedWhole) {
  const tr::SpanData span = full_span();
  std::array<char, 1024> bytes{};
  const std::size_t n = coretel::detail::encode(span, bytes);
  ASSERT_GT(n, 0u);
  std::vector<char> exact(n);
  EXPECT_EQ(coretel::detail::encode(span, exact), n);
  std::vector<char> short_by_one(n - 1);
  EXPECT_EQ(coretel::detail::encode(span, short_by_one), 0u);
}

TEST(EncodedSpan, ASpanWithLinksIsNotEncoded) {
  tr::SpanData span = full_span();
  span.links = {{tr::SpanContext{}, {}, 0}};
  std::array<char, 1024> bytes{};
  EXPECT_EQ(coretel::detail::encode(span, bytes), 0u);
}

TEST(EncodedSpan, AnEmptySpanReadsBackEmpty) {
  const tr::SpanData span;
  std::array<char, 256> bytes{};
  const std::size_t n = coretel::detail::encode(span, bytes);
  ASSERT_GT(n, 0u);
  tr::SpanData out = full_span();
  coretel::detail::decode(std::span<const char>(bytes.data(), n), out);
  EXPECT_EQ(out, span);
}

}  // namespace
